"""A step on a case, posted from a page: the one way every desk offers, takes and refuses steps.

A case page (a complaint, a transfer, a deposit, a help plan…) shows one small form per step
the state and the caller allow, and posts it to one URL with a hidden field naming the step
(``action``, or the page's own ``key``). The page kit's part:

- :func:`step_forms` builds a :class:`Steps`: one :class:`~minsheng.webkit.forms.FormState` per
  offered step (the one that failed keeps what was typed and its errors, by field), a
  ``general`` form for a refusal that concerns no offered step (the case moved on meanwhile),
  and the steps that are *not* offered now explained in words — the case engine's refusal
  (:func:`refusals`: maker–checker, a step of another state) or the page's own words with
  the date from which the step opens (:class:`Held`, e.g. "the notice runs until 2026-12-10");
- :func:`posted` reads the posted text of the step's fields (trimmed, bounded);
  :func:`day` parses a ``YYYY-MM-DD`` field with the error in Chinese, Tibetan and English;
- :func:`take` runs the step off the event loop: done, a 303 to the case's page with a one-time
  message (post–redirect–get, :mod:`~minsheng.webkit.flash`); refused, the page again with the
  form as typed and the error next to its field (``again(values, err)``); not found (404) and
  not allowed (403 before anything was read) are raised, as every other page raises them.

In the template (``_kit.html``)::

    {{ kit.step_errors(steps) }}                       {# the summaries, first the general one #}
    {% for a, fs in steps %}
      {% call(fs) kit.step_form(steps, a, "/wages/complaints/7/steps", _(actions[a])) %}
        {{ kit.field(fs, "reason", _("Reason")) }}
      {% endcall %}
    {% endfor %}
    {{ kit.steps_held(steps, labels) }}                {# "not now", in words, with the date #}

A page that needs the form laid out differently (a button inside a table row) uses
``steps.forms[a]`` and the hidden fields of :func:`step_form`'s macro by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from minsheng.core.errors import MinshengError, invalid, tibetan_fallback
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.forms import FieldError, FormState, Rename, dom_id, form_values, problems

MAX_CHARS = 400  # a typed value of a step (a reason, a note): an engineering bound


@dataclass(frozen=True)
class Held:
    """A step the page does not offer now, and why, in words (zh, bo, en) — with the day it
    opens when there is one (shown beside the words)."""

    action: str
    why: FieldError
    until: dt.date | None = None

    def text(self, lang: str) -> str:
        return self.why.text(lang)


def held(
    action: str, zh: str, en: str, bo: str, until: dt.date | None = None, field: str = ""
) -> Held:
    """A :class:`Held` from its words (Chinese first, as :func:`~minsheng.core.errors.invalid`
    takes them)."""
    return Held(action, FieldError(field or action, "held", zh, en, bo), until)


@dataclass
class Steps:
    """The step forms of one case page."""

    forms: dict[str, FormState]  # offered step → its form, in the order offered
    general: FormState | None = None  # a refusal about no offered step (shown at the top)
    held: list[Held] = field(default_factory=list)  # steps not offered now, and why
    key: str = "action"  # the hidden field naming the step
    prefix: str = "step"
    failed: str = ""  # the step whose post failed ("" when none)
    ids: str = "{prefix}-{action}-form"  # the ``id`` of each step's ``<form>``

    def __iter__(self) -> Iterator[tuple[str, FormState]]:
        return iter(self.forms.items())

    def __contains__(self, action: object) -> bool:
        return action in self.forms

    def __getitem__(self, action: str) -> FormState:
        return self.forms[action]

    def __len__(self) -> int:
        return len(self.forms)

    @property
    def offered(self) -> tuple[str, ...]:
        return tuple(self.forms)

    def form_id(self, action: str) -> str:
        """The ``id`` of the step's ``<form>`` (``step-accept-form``: :attr:`ids`)."""
        return dom_id("", self.ids.format(prefix=self.prefix, action=action))

    def summaries(self) -> list[FormState]:
        """The forms that failed, the general one first (each draws its error summary)."""
        out = [self.general] if self.general is not None else []
        return out + [f for f in self.forms.values() if f.failed]


def step_forms(
    offered: Iterable[str],
    fields: Iterable[str] | Mapping[str, Iterable[str]],
    values: Mapping[str, str] | None = None,
    error: MinshengError | None = None,
    *,
    key: str = "action",
    prefix: str = "step",
    held: Iterable[Held] = (),
    rename: Rename | None = None,
    ids: str = "{prefix}-{action}-form",
) -> Steps:
    """The forms of the ``offered`` steps; after a refused post, the failed step's form (named
    by ``values[key]``) keeps ``values`` and shows ``error`` by field.

    ``fields``: the names every step's form has, or each step's own (``{"close": (...)}``);
    ``ids``: the ``<form>``'s id (from ``{prefix}`` and ``{action}``).
    A refusal of a step that is not offered (any more) goes to ``general``, so it is never lost.
    """
    failed = (values or {}).get(key, "") if error is not None else ""

    def names(action: str) -> tuple[str, ...]:
        if isinstance(fields, Mapping):
            return tuple(fields.get(action, ()))
        return tuple(fields)

    order = list(dict.fromkeys(offered))
    forms = {
        a: FormState.of(
            f"{prefix}-{a}",
            values if a == failed else None,
            error if a == failed else None,
            names(a),
            rename,
        )
        for a in order
    }
    general = None
    if error is not None and failed not in forms:
        # no form of this step on the page: every problem goes to the summary at the top
        general = FormState(prefix, dict(values or {}), general=_texts(error))
    shown = [h for h in held if h.action not in forms]
    return Steps(forms, general, shown, key, prefix, failed, ids)


def _texts(err: MinshengError) -> list[FieldError]:
    """Every problem of ``err`` as the kit shows one (Tibetan filled in when missing)."""
    return [
        FieldError(p.field, p.rule, p.zh, p.en, p.bo or tibetan_fallback(p.field))
        for p in problems(err)
    ]


class _Workflow(Protocol):
    def allowed(self, state: str) -> tuple[str, ...]: ...

    def refusal(
        self,
        state: str,
        action: str,
        by: Principal,
        history: Mapping[str, Iterable[str]] | None = None,
        reason: str | None = None,
    ) -> Exception | None: ...


SILENT = frozenset({"missing_permission"})  # a step of another role is not explained to this one


def refusals(
    workflow: _Workflow,
    state: str,
    by: Principal,
    history: Mapping[str, Iterable[str]] | None = None,
    offered: Iterable[str] = (),
) -> list[Held]:
    """The steps the case engine's table allows from ``state`` that ``by`` may not take, each
    with the engine's refusal in words (maker–checker: "you checked it: another caseworker
    approves"). Steps of another role (a missing permission) are left out: they are not this
    caller's to take, and naming a permission helps nobody at the desk."""
    shown = set(offered)
    out: list[Held] = []
    for action in workflow.allowed(state):
        if action in shown:
            continue
        why = workflow.refusal(state, action, by, history, "·")
        if not isinstance(why, MinshengError) or why.problems[0].rule in SILENT:
            continue
        out.append(Held(action, _texts(why)[0]))
    return out


def posted(form: Any, fields: Iterable[str], max_chars: int = MAX_CHARS) -> dict[str, str]:
    """The posted text of ``fields`` (a starlette form), trimmed and cut at ``max_chars``."""
    return {k: v[:max_chars].strip() for k, v in form_values(form, fields).items()}


def day(
    raw: str,
    field: str = "day",
    default: dt.date | None = None,
    not_after: dt.date | None = None,
) -> dt.date | None:
    """A ``YYYY-MM-DD`` field: ``default`` when empty; a 422 naming ``field`` (zh, bo, en) when
    it is not a date or falls after ``not_after``."""
    text = (raw or "").strip()
    if not text:
        return default
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise invalid(
            field, "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None
    if not_after is not None and value > not_after:
        raise invalid(
            field,
            "future",
            f"日期不能晚于{not_after.isoformat()}",
            f"the day cannot be after {not_after.isoformat()}",
            f"ཚེས་གྲངས་ {not_after.isoformat()} རྗེས་སུ་མི་ཆོག",
        )
    return value


async def take(
    request: Request,
    work: Callable[[], object],
    *,
    done: str,
    message: str,
    again: Callable[[MinshengError], Response | Awaitable[Response]],
) -> Response:
    """Run the step ``work`` (blocking: in the thread pool); done → 303 to ``done`` with the
    flash ``message``; refused → ``again(err)``: the page with the form as typed and the error
    by its field (status of the error). A 404 (no such case, or not in the caller's region) is
    raised as it is on every page."""
    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        answer = again(err)
        if isinstance(answer, Response):
            return answer
        return await answer
    return flash.redirect(done, message, request)


__all__ = [
    "MAX_CHARS",
    "SILENT",
    "Held",
    "Steps",
    "day",
    "held",
    "posted",
    "refusals",
    "step_forms",
    "take",
]
