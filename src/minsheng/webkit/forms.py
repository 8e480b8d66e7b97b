"""Forms that keep what was typed and say, next to each field, what is wrong with it.

A page builds a :class:`FormState` from the posted values and the error the service raised (a
:class:`~minsheng.core.errors.MinshengError`, a pydantic error, or a list of problems) and passes
it to the template, whose ``_kit.html`` macros (``field``, ``control``, ``errors_summary``) draw
each input with its value, ``aria-invalid``, ``aria-describedby`` pointing at its message (in
Chinese, Tibetan and English), and ``autofocus`` on the first invalid field so the browser
scrolls to it without JavaScript. Problems about no field of the form (a record elsewhere, the
caller's region…) are shown in the summary at the top.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from minsheng.core.errors import MinshengError, Problem, tibetan_fallback
from minsheng.fields import to_minsheng_error

Rename = Callable[[str], str | None]
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field, in the three languages (Chinese first)."""

    field: str
    rule: str
    zh: str
    en: str
    bo: str

    def text(self, lang: str) -> str:
        """The message in ``lang`` (zh / bo / en)."""
        return {"zh": self.zh, "bo": self.bo, "en": self.en}.get(lang, self.zh)


def problems(err: MinshengError | ValidationError | Iterable[Problem] | None) -> list[Problem]:
    """Every problem of an error, first one first."""
    if err is None:
        return []
    if isinstance(err, ValidationError):
        err = to_minsheng_error(err)
    if isinstance(err, MinshengError):
        return err.problems
    return list(err)


def dom_id(prefix: str, name: str) -> str:
    """The element id of a field: ``prefix-name`` (just ``name`` on a page with one form) with
    anything but letters, digits, ``_`` and ``-`` turned into ``-`` (a plain fragment and CSS
    selector)."""
    raw = f"{prefix}-{name}" if prefix else name
    return _ID_UNSAFE.sub("-", raw)


def _match(name: str, fields: tuple[str, ...], rename: Rename | None) -> str | None:
    """The form field a problem's field names: the page's renaming, the name itself, then its
    last dotted part (``items.0.amount`` → ``amount``)."""
    if rename is not None:
        renamed = rename(name)
        if renamed is not None:
            return renamed
    if not fields or name in fields:
        return name
    last = name.rsplit(".", 1)[-1]
    return last if last in fields else None


def field_errors(
    err: MinshengError | ValidationError | Iterable[Problem] | None,
    fields: Iterable[str] = (),
    rename: Rename | None = None,
) -> tuple[dict[str, FieldError], list[FieldError]]:
    """``({form field: its first error}, [errors about no field of the form])``.

    ``fields`` are the names the form has, in the order it shows them (empty: any name is a
    field); ``rename`` maps a service's field name (``lines.0.unit_price``) to the form's
    (``price_0``), or None to fall back to the name itself.
    """
    names = tuple(fields)
    by_field: dict[str, FieldError] = {}
    elsewhere: list[FieldError] = []
    for p in problems(err):
        fe = FieldError(p.field, p.rule, p.zh, p.en, p.bo or tibetan_fallback(p.field))
        target = _match(p.field, names, rename)
        if target is None:
            elsewhere.append(fe)
        elif target not in by_field:
            by_field[target] = fe
    return by_field, elsewhere


@dataclass
class FormState:
    """One form on a page: what was entered, what is wrong, and where."""

    prefix: str = ""  # element ids are ``prefix-name``: two forms on one page never clash
    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, FieldError] = field(default_factory=dict)
    general: list[FieldError] = field(default_factory=list)  # about no field of the form
    fields: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        prefix: str = "",
        values: Mapping[str, Any] | None = None,
        err: MinshengError | ValidationError | Iterable[Problem] | None = None,
        fields: Iterable[str] = (),
        rename: Rename | None = None,
    ) -> FormState:
        names = tuple(fields)
        errors, general = field_errors(err, names, rename)
        return cls(prefix, dict(values or {}), errors, general, names)

    def value(self, name: str, default: Any = "") -> Any:
        """What was entered in ``name`` (or ``default`` before anything was posted)."""
        if name in self.values:
            v = self.values[name]
            return "" if v is None else v
        return default

    def checked(self, name: str, default: bool = False) -> bool:
        if not self.values:
            return default
        return self.values.get(name) in ("on", "true", "1", True)

    def error(self, name: str) -> FieldError | None:
        return self.errors.get(name)

    def id(self, name: str) -> str:
        return dom_id(self.prefix, name)

    @property
    def first(self) -> str | None:
        """The first invalid field in the form's order: it gets ``autofocus``."""
        order = [n for n in self.fields if n in self.errors] or list(self.errors)
        return order[0] if order else None

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.general)

    def summary(self) -> list[tuple[str | None, FieldError]]:
        """Every problem for the summary at the top: (element id to link to, or None)."""
        ordered = sorted(
            self.errors.items(),
            key=lambda kv: self.fields.index(kv[0]) if kv[0] in self.fields else len(self.fields),
        )
        return [(self.id(n), e) for n, e in ordered] + [(None, e) for e in self.general]


def form_values(form: Any, names: Iterable[str]) -> dict[str, str]:
    """The posted text of ``names`` (a starlette form or a mapping), uploaded files left out."""
    out: dict[str, str] = {}
    for n in names:
        v = form.get(n)
        if isinstance(v, str):
            out[n] = v
    return out
