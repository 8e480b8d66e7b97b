"""The case engine (案件引擎): the bones every queue of casework shares — an application, a
warning, a certification, a complaint, one-to-one help.

A :class:`Workflow` is data: its states, and a table of :class:`Step` s (an action, the states
it may be taken from, the states it may lead to, the permission it needs, who may *not* take it
— maker–checker —, whether it needs a reason, and the deadline it sets). The programme keeps
the domain work (what "check" computes, what "approve" grants) in its own handlers; the engine
decides whether a step may be taken at all, by whom, and checks that the handler ended in a
state the table allows. The programme stores the record; the event (:class:`Event`) the engine
hands back is written by :func:`write_event`, the one way an event row and its audit entry are
written for every workflow (the programme names its table of events).

Around it: deadlines in working days (:func:`due`, :func:`overdue`, on ``core.calendar``), the
queue of a region (:func:`in_region`), assignment to a caseworker (:func:`check_assign`), and
discovery of every programme's workflows (:func:`workflows`) for ``minsheng cases workflows``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from minsheng.core import calendar
from minsheng.core.errors import ConflictError, ForbiddenError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

Label = tuple[str, str, str]  # (zh, bo, en)


@dataclass(frozen=True)
class State:
    """A state of a workflow. ``open``: work is pending (queue, deadline); a ``final`` state
    takes no further step."""

    name: str
    label: Label
    open: bool = False
    final: bool = False


@dataclass(frozen=True)
class Step:
    """One row of a workflow's table: ``action`` from any of ``sources`` to one of ``targets``.

    ``permission``: what the actor must hold. ``not_by``: actions whose actors may not take this
    step (maker–checker, 审核审批分离: ``not_by=("check",)`` on approve). ``reason``: a reason is
    required and recorded. ``deadline``: what the step sets, in words (a parameter path), for
    the printed table; the programme's handler computes it with :func:`due`."""

    action: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    permission: str
    label: Label
    not_by: tuple[str, ...] = ()
    reason: bool = False
    deadline: str = ""
    not_by_text: Label | None = None  # the maker–checker refusal in the programme's words
    reason_text: Label | None = None  # "give a reason", in the programme's words


@dataclass(frozen=True)
class Workflow:
    """A state table. ``subject`` names what moves through it ("申请" / "case"), for errors."""

    name: str
    title: Label
    subject: Label
    initial: str
    states: tuple[State, ...]
    steps: tuple[Step, ...]
    start_deadline: str = ""  # what opening a record sets, in words, for the printed table
    param: str = "action"  # the request field that names the step, for errors
    _by_action: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {s.name for s in self.states}
        by_action: dict[str, Step] = {}
        for step in self.steps:
            unknown = (set(step.sources) | set(step.targets)) - names
            if unknown:
                raise ValueError(f"{self.name}.{step.action}: unknown states {sorted(unknown)}")
            if any(self.state(s).final for s in step.sources):
                raise ValueError(f"{self.name}.{step.action}: a final state takes no step")
            if step.action in by_action:
                raise ValueError(f"{self.name}: two steps named {step.action!r}")
            if set(step.not_by) - {s.action for s in self.steps}:
                raise ValueError(f"{self.name}.{step.action}: not_by names an unknown action")
            by_action[step.action] = step
        if self.initial not in names:
            raise ValueError(f"{self.name}: unknown initial state {self.initial!r}")
        object.__setattr__(self, "_by_action", by_action)

    # -------------------------------------------------------------- reading the table

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(s.action for s in self.steps)

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.open)

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def step(self, action: str) -> Step:
        """The step named ``action``; an unknown name is a 422 on :attr:`param`."""
        found = self._by_action.get(action)
        if found is None:
            raise invalid(
                self.param,
                "unknown_value",
                f"操作无效：{action!r}（可选：{'、'.join(self.actions)}）",
                f"unknown {self.param} {action!r} (one of: {', '.join(self.actions)})",
            )
        return found

    def allowed(self, state: str) -> tuple[str, ...]:
        """The actions the table allows from ``state``, in table order."""
        return tuple(s.action for s in self.steps if state in s.sources)

    def step_to(self, state: str, target: str) -> Step | None:
        """The step that leads from ``state`` to ``target`` (for APIs that name the target)."""
        for s in self.steps:
            if state in s.sources and target in s.targets:
                return s
        return None

    def transitions(self) -> set[tuple[str, str, str]]:
        """Every (from, action, to) the table allows."""
        return {(a, s.action, b) for s in self.steps for a in s.sources for b in s.targets}

    # -------------------------------------------------------------- who may do what

    def refusal(
        self,
        state: str,
        action: str,
        by: Principal,
        history: Mapping[str, Iterable[str]] | None = None,
        reason: str | None = None,
    ) -> Exception | None:
        """Why ``by`` may not take ``action`` now (the error to raise), or None.

        ``history`` maps earlier actions to the accountable names (:func:`accountable`) of
        those who took them — what maker–checker compares."""
        step = self.step(action)
        if state not in step.sources:
            zh, bo, en = self.subject
            # in words: the state's and the step's labels, never their codes
            known = {x.name: x.label for x in self.states}
            sz, sb, se = known.get(state, (state, state, state))
            az, ab, ae = step.label
            return ConflictError(
                self.param,
                "wrong_state",
                f"{zh}当前为“{sz}”，不能{az}",
                f"a {en} that is {se} cannot take the step “{ae}”",
                f"{bo} “{sb}” ཡིན་པས། “{ab}” བྱེད་མི་ཆོག",
            )
        if not by.can(step.permission):
            return ForbiddenError(
                "permission",
                "missing_permission",
                f"您没有“{step.permission}”权限，不能执行“{action}”",
                f"{action} needs the permission {step.permission}",
            )
        me = accountable(by)
        for earlier in step.not_by:
            if me in set((history or {}).get(earlier, ())):
                if step.not_by_text is not None:
                    zh, bo, en = step.not_by_text
                    return ForbiddenError("action", "maker_checker", zh, en, bo)
                return ForbiddenError(
                    "action",
                    "maker_checker",
                    f"您已执行“{earlier}”，不能再由您执行“{action}”；请由另一位经办人员或主管办理",
                    f"you took the step {earlier!r}, so you cannot {action}: another caseworker"
                    " or a supervisor does",
                    f"{earlier} བྱེད་མཁན་གྱིས་{action} བྱེད་མི་ཆོག མི་གཞན་ཞིག་གིས་བྱེད་དགོས།",
                )
        if step.reason and not (reason and reason.strip()):
            zh, bo, en = step.reason_text or ("请填写理由", "རྒྱུ་མཚན་འབྲི་དགོས།", "give a reason")
            return invalid("reason", "required", zh, en, bo)
        return None

    def offered(
        self, state: str, by: Principal, history: Mapping[str, Iterable[str]] | None = None
    ) -> tuple[str, ...]:
        """The actions ``by`` may take from ``state`` — what a page offers (a reason still to
        be typed does not hide a step)."""
        return tuple(
            a for a in self.allowed(state) if self.refusal(state, a, by, history, "·") is None
        )

    def begin(
        self,
        state: str,
        action: str,
        by: Principal,
        history: Mapping[str, Iterable[str]] | None = None,
        reason: str | None = None,
    ) -> Step:
        """The step, if ``by`` may take it now; else the refusal is raised (nothing changed)."""
        why = self.refusal(state, action, by, history, reason)
        if why is not None:
            raise why
        return self.step(action)

    def finish(
        self,
        step: Step,
        before: str,
        after: str,
        by: Principal,
        day: dt.date,
        reason: str | None = None,
    ) -> Event:
        """The event of a step the handler has carried out; a handler that ended in a state
        the table does not allow is a programming error, caught here before the commit."""
        if after not in step.targets:
            raise RuntimeError(
                f"{self.name}.{step.action} ended in {after!r}, the table allows {step.targets}"
            )
        return Event(step.action, before, after, accountable(by), day, reason)

    def run(
        self,
        subject: Subject,
        action: str,
        by: Principal,
        work: Callable[[Step], str | None],
        *,
        day: dt.date,
        history: Mapping[str, Iterable[str]] | None = None,
        reason: str | None = None,
    ) -> Event:
        """Take one step on ``subject``: check it may be taken, let ``work`` do the domain part
        (it sets ``subject.state`` and returns the note to record, if any), check the outcome."""
        before = subject.state
        step = self.begin(before, action, by, history, reason)
        note = work(step)
        return self.finish(step, before, subject.state, by, day, note)

    def table(self, lang: str = "en") -> list[dict[str, str]]:
        """The table as rows of text, for people: what ``minsheng cases workflows`` prints."""
        i = {"zh": 0, "bo": 1, "en": 2}.get(lang, 2)
        return [
            {
                "action": s.action,
                "label": s.label[i],
                "from": ", ".join(s.sources),
                "to": ", ".join(s.targets),
                "permission": s.permission,
                "not_by": ", ".join(s.not_by),
                "reason": "yes" if s.reason else "",
                "deadline": s.deadline,
            }
            for s in self.steps
        ]


@dataclass(frozen=True)
class Event:
    """What a step leaves in the record's history: the action, the states, who (accountable),
    the day, and the reason or note."""

    action: str
    from_state: str | None
    to_state: str
    by: str
    day: dt.date
    reason: str | None = None


class Subject(Protocol):
    """What moves through a workflow: anything with a state (a case, a warning, …)."""

    state: str


Row = TypeVar("Row")


def write_event(
    session: Session,
    row: Callable[..., Row],
    event: Event,
    by: Principal,
    *,
    resource: str,
    record_id: int,
    division: str | None,
    audit_action: str | None = None,
    detail: Mapping[str, Any] | None = None,
    **columns: Any,
) -> Row:
    """Write the event of a step: one row of the workflow's event table (``row``: the day, the
    action, the states before and after, who answers for it and the reason or note; the row's
    ``at`` is the database's clock; ``columns`` are the programme's own, e.g. the record's id
    or amount), then the audit entry of the step by ``by`` (the actor and their role) on
    ``resource`` ``record_id`` in ``division`` — ``audit_action`` (default: the event's action)
    with ``detail`` (default: the states before and after)."""
    rec = row(
        day=event.day,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        note=event.reason,
        by=event.by,
        **columns,
    )
    session.add(rec)
    session.flush()
    audit.record(
        session,
        by,
        audit_action or event.action,
        resource,
        record_id,
        division,
        dict(detail) if detail is not None else {"from": event.from_state, "to": event.to_state},
    )
    return rec


def accountable(by: Principal) -> str:
    """Who answers for a step: the staff account behind a session or any of its tokens
    (``user:N``), else the actor (``system:demo``). Maker–checker compares these names."""
    if by.kind in ("staff", "token") and by.user_id is not None:
        return f"user:{by.user_id}"
    return by.actor


# ------------------------------------------------------------------ deadlines


def due(start: dt.date, working_days: int) -> dt.date:
    """The deadline ``working_days`` working days after ``start`` (weekends, national and
    regional holidays skipped: ``core.calendar``)."""
    return calendar.add_working_days(start, working_days)


def overdue(deadline: dt.date | None, today: dt.date) -> bool:
    """Past its deadline: the deadline day itself is still in time."""
    return deadline is not None and today > deadline


# ------------------------------------------------------------------ queues and assignment


def in_region(query: Any, column: Any, by: Principal) -> Any:
    """Restrict a select to the records whose division ``column`` lies in ``by``'s region — the
    queue of a region (a caseworker sees their counties, the region sees all)."""
    codes = by.covered_codes()
    return query if codes is None else query.where(column.in_(codes))


def check_assign(state: str, workflow: Workflow, by: Principal, permission: str) -> None:
    """Assignment (分派) to a caseworker: only while the record is not final, by one who may
    work the queue. The programme checks that the assignee covers the record's division."""
    if workflow.state(state).final:
        zh, _, en = workflow.subject
        raise ConflictError(
            "assignee",
            "closed",
            f"{zh}已办结，不能再分派",
            f"a closed {en} cannot be assigned",
        )
    if not by.can(permission):
        raise ForbiddenError(
            "permission",
            "missing_permission",
            f"您没有“{permission}”权限，不能分派",
            f"assigning needs the permission {permission}",
        )


# ------------------------------------------------------------------ every programme's workflows


def workflows() -> list[Workflow]:
    """Every workflow the registered packages declare (``minsheng.programmes.ENTRIES``): each
    one's ``workflows`` module's ``WORKFLOWS`` tuple, found by looking, not by a hand-kept
    list."""
    from minsheng import programmes

    found: list[Workflow] = []
    for entry in programmes.ENTRIES:
        name = f"{entry}.workflows"
        if importlib.util.find_spec(name) is None:
            continue
        found.extend(getattr(importlib.import_module(name), "WORKFLOWS", ()))
    return found
