"""Dynamic monitoring and early warning of low-income people (低收入人口动态监测预警).

:func:`scan` reads every household of a region into columns — members, counted incomes of the
last 12 months, assistance in payment, this year's medical self-pay from the medical ledger,
members' recent disability, death and unemployment, decisions due for review, disability
certificates about to expire — and runs :func:`~minsheng.assistance.rules.scan` over them at
once. Each cause becomes a warning in the county caseworker's queue with a deadline in working
days; a cause has a key (the household and the date or period it is about), and a key never has
two warnings, so a nightly re-run raises only what is new.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules, workflows
from minsheng.assistance.household import months_back, params
from minsheng.assistance.models import WARNING_STATES, Case, Income, Warning, WarningEvent
from minsheng.assistance.schemas import WarningOut
from minsheng.assistance.service import load_in_region
from minsheng.cases import engine as cases
from minsheng.cases.assign import assignee
from minsheng.cases.engine import Event, accountable
from minsheng.core import divisions
from minsheng.core.errors import ConflictError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import queries as medical
from minsheng.registry.models import Household, Person, SpecialStatus

OPEN = workflows.WARNING.open_states  # new, checking


@dataclass(frozen=True)
class Columns:
    household_ids: np.ndarray[Any, np.dtype[np.int64]]
    divisions: list[str]
    x: rules.ScanInput


def columns(session: Session, prefix: str, today: dt.date) -> Columns:
    """Every household under ``prefix`` as scan columns (a handful of grouped queries)."""
    hh = session.execute(
        select(Household.id, Household.division_code, Household.area)
        .where(Household.division_code.like(prefix + "%"))
        .order_by(Household.id)
    ).all()
    ids = np.array([h[0] for h in hh], dtype=np.int64)
    n = len(ids)
    pos = {int(h): i for i, h in enumerate(ids)}

    def idx(household_ids: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.array([pos[h] for h in household_ids], dtype=np.int64)

    people: list[tuple[int, int, dt.date | None]] = [
        (int(r[0]), int(r[1]), r[2])
        for r in session.execute(
            select(Person.id, Person.household_id, Person.death_date).where(
                Person.household_id.is_not(None), Person.division_code.like(prefix + "%")
            )
        )
        if r[1] in pos
    ]
    person_hh = {r[0]: r[1] for r in people}
    alive = np.array([r[2] is None or r[2] > today for r in people], dtype=np.bool_)
    members = rules.group_sum(idx([r[1] for r in people]), alive.astype(np.int64), n)
    died = [(person_hh[r[0]], (today - r[2]).days) for r in people if r[2] is not None]

    start, end = months_back(today)
    inc = session.execute(
        select(Income.household_id, Income.kind, func.sum(Income.amount))
        .where(Income.month >= start, Income.month < end)
        .group_by(Income.household_id, Income.kind)
    ).all()
    inc = [r for r in inc if r[0] in pos]

    st = session.execute(
        select(
            SpecialStatus.person_id,
            SpecialStatus.kind,
            SpecialStatus.start_date,
            SpecialStatus.end_date,
            SpecialStatus.certificate_expiry,
        )
        .join(Person, Person.id == SpecialStatus.person_id)
        .where(
            SpecialStatus.kind.in_(("disability", "unemployed")),
            Person.division_code.like(prefix + "%"),
        )
    ).all()
    st = [r for r in st if r[0] in person_hh]

    cases = session.execute(
        select(Case.household_id, Case.programme, Case.review_due).where(
            Case.state == "approved", Case.division_code.like(prefix + "%")
        )
    ).all()
    selfpay = medical.own_share_by_person(session, today.year, prefix)
    selfpay = [r for r in selfpay if r[0] in person_hh]

    area = np.array([rules.AREAS.index(h[2]) for h in hh], dtype=np.int64)
    income = np.zeros(n, dtype=np.int64)
    by_region: dict[str, list[int]] = {}
    for i, h in enumerate(hh):
        by_region.setdefault(divisions.pooling_region(h[1]), []).append(i)
    # counted income: the shares are the same across regions unless overridden, so per region
    if inc:
        inc_idx = idx([r[0] for r in inc])
        inc_kind = np.array([rules.INCOME_KINDS.index(r[1]) for r in inc], dtype=np.int64)
        inc_amt = np.array([int(r[2]) for r in inc], dtype=np.int64)
        region_of = np.empty(n, dtype=object)
        for region, rows in by_region.items():
            region_of[rows] = region
        for region in by_region:
            p = params(today, region)
            mask = region_of[inc_idx] == region
            counted = rules.counted_income(p, inc_kind[mask], inc_amt[mask])
            income += rules.group_sum(inc_idx[mask], counted, n)
    income //= 12

    def recent(kind: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        rows = [
            (person_hh[r[0]], (today - r[2]).days) for r in st if r[1] == kind and r[2] <= today
        ]
        if not rows:
            return np.full(n, rules.NO_DATE, dtype=np.int64)
        return rules.group_min(
            idx([r[0] for r in rows]), np.array([r[1] for r in rows], dtype=np.int64), n
        )

    certs = [
        (person_hh[r[0]], (r[4] - today).days)
        for r in st
        if r[1] == "disability" and r[4] is not None and (r[3] is None or r[3] >= today)
    ]
    review = [(r[0], (r[2] - today).days) for r in cases if r[2] is not None and r[0] in pos]
    review_in = (
        rules.group_min(
            idx([r[0] for r in review]), np.array([r[1] for r in review], dtype=np.int64), n
        )
        if review
        else np.full(n, rules.NO_DATE, dtype=np.int64)
    )
    on_dibao = np.zeros(n, dtype=np.bool_)
    on_edge = np.zeros(n, dtype=np.bool_)
    for row in cases:
        if row[0] in pos:
            if row[1] in ("dibao", "tekun"):
                on_dibao[pos[row[0]]] = True
            elif row[1] == "dibao_edge":
                on_edge[pos[row[0]]] = True
    x = rules.ScanInput(
        area=area,
        members=members,
        income=income,
        on_dibao=on_dibao,
        on_edge=on_edge,
        medical_selfpay=rules.group_sum(
            idx([person_hh[r[0]] for r in selfpay]),
            np.array([int(r[1]) for r in selfpay], dtype=np.int64),
            n,
        )
        if selfpay
        else np.zeros(n, dtype=np.int64),
        review_in=review_in,
        disabled_since=recent("disability"),
        deceased_since=rules.group_min(
            idx([d[0] for d in died]), np.array([d[1] for d in died], dtype=np.int64), n
        )
        if died
        else np.full(n, rules.NO_DATE, dtype=np.int64),
        unemployed_since=recent("unemployed"),
        certificate_in=rules.group_min(
            idx([c[0] for c in certs]), np.array([c[1] for c in certs], dtype=np.int64), n
        )
        if certs
        else np.full(n, rules.NO_DATE, dtype=np.int64),
    )
    return Columns(ids, [h[1] for h in hh], x)


def _key(
    cause: str, household_id: int, today: dt.date, x: rules.ScanInput, i: int
) -> tuple[str, dict[str, Any]]:
    """The cause key (what the warning is about) and its detail."""

    def on(days: int) -> str:
        return (today + dt.timedelta(days=int(days))).isoformat()

    if cause in ("income_below_standard", "income_below_edge"):
        return f"{cause}:h{household_id}:{today:%Y-%m}", {
            "income_monthly": int(x.income[i]),
            "members": int(x.members[i]),
        }
    if cause == "medical_burden":
        return f"{cause}:h{household_id}:{today.year}", {
            "medical_selfpay": int(x.medical_selfpay[i]),
            "income_yearly": int(x.income[i]) * 12,
        }
    column = {
        "member_disabled": x.disabled_since,
        "member_unemployed": x.unemployed_since,
        "member_deceased": x.deceased_since,
    }.get(cause)
    if column is not None:
        day = on(-int(column[i]))
        return f"{cause}:h{household_id}:{day}", {"since": day}
    if cause == "review_due":
        day = on(int(x.review_in[i]))
        return f"{cause}:h{household_id}:{day}", {"review_due": day}
    day = on(int(x.certificate_in[i]))
    return f"{cause}:h{household_id}:{day}", {"certificate_expiry": day}


@dataclass(frozen=True)
class ScanResult:
    households: int
    raised: dict[str, int]
    already_known: int
    seconds: float


def scan(
    session: Session, by: Principal, region: str | None = None, today: dt.date | None = None
) -> ScanResult:
    """Run the early-warning scan over a region (default: all) and queue new warnings."""
    import time

    t0 = time.perf_counter()
    today = today or dt.date.today()
    code = divisions.get(region or divisions.REGION_CODE, "region").code
    by.require_covers(code, "household")
    cols = columns(session, divisions.code_prefix(code), today)
    n = len(cols.household_ids)
    found: list[tuple[int, str]] = []
    by_region: dict[str, list[int]] = {}
    for i, d in enumerate(cols.divisions):
        by_region.setdefault(divisions.pooling_region(d), []).append(i)
    for region_code, rows in by_region.items():
        p = params(today, region_code)
        sel = np.array(rows, dtype=np.int64)
        sub = rules.ScanInput(
            *[getattr(cols.x, f)[sel] for f in rules.ScanInput.__dataclass_fields__]
        )
        for cause, mask in rules.scan(p, sub).items():
            found += [(int(sel[j]), cause) for j in np.nonzero(mask)[0]]
    candidates = []
    for i, cause in found:
        key, detail = _key(cause, int(cols.household_ids[i]), today, cols.x, i)
        candidates.append((i, cause, key, detail))
    keys = [c[2] for c in candidates]
    known: set[str] = set()
    for j in range(0, len(keys), 500):
        known |= set(
            session.scalars(
                select(Warning.cause_key).where(Warning.cause_key.in_(keys[j : j + 500]))
            )
        )
    raised: dict[str, int] = {}
    deadlines: dict[str, dt.date] = {}
    for i, cause, key, detail in candidates:
        if key in known:
            continue
        known.add(key)
        division = cols.divisions[i]
        region_code = divisions.pooling_region(division)
        if region_code not in deadlines:
            days = params(today, region_code).count("assistance.monitoring.deadline_working_days")
            deadlines[region_code] = cases.due(today, days)
        session.add(
            Warning(
                household_id=int(cols.household_ids[i]),
                division_code=division,
                cause=cause,
                cause_key=key,
                open_key=key,
                detail=json.dumps(detail, ensure_ascii=False),
                state="new",
                raised_on=today,
                deadline=deadlines[region_code],
            )
        )
        raised[cause] = raised.get(cause, 0) + 1
    session.flush()
    seconds = time.perf_counter() - t0
    audit.record(
        session, by, "scan", "assistance_warnings", None, code, {"households": n, "raised": raised}
    )
    return ScanResult(n, raised, len(candidates) - sum(raised.values()), seconds)


def get_warning(session: Session, warning_id: int, by: Principal) -> Warning:
    return load_in_region(session, Warning, warning_id, "warning_id", "预警", "warning", by)


def handle(
    session: Session,
    warning_id: int,
    state: str,
    by: Principal,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Warning:
    """new → checking → assisted / no_action (with a reason), as ``workflows.WARNING`` says."""
    if state not in WARNING_STATES:
        raise invalid(
            "state",
            "unknown_value",
            f"预警状态无效：{state!r}",
            f"unknown state {state!r} (one of: {', '.join(WARNING_STATES)})",
        )
    today = today or dt.date.today()
    w = get_warning(session, warning_id, by)
    step = workflows.WARNING.step_to(w.state, state)
    if step is None:
        raise ConflictError(
            "state",
            "wrong_state",
            f"预警处于“{w.state}”状态，不能改为“{state}”",
            f"a warning in state {w.state!r} cannot become {state!r}",
        )

    def work(_: object) -> str | None:
        w.state = state
        w.handled_by = by.actor
        if workflows.WARNING.state(state).final:
            w.resolution = (reason or "").strip()
            w.closed_on = today
            w.open_key = None
            return w.resolution
        return None

    event = workflows.WARNING.run(w, step.action, by, work, day=today, reason=reason)
    _record(session, w, event, by)
    return w


def _record(session: Session, w: Warning, event: Event, by: Principal) -> None:
    cases.write_event(
        session,
        WarningEvent,
        event,
        by,
        resource="assistance_warning",
        record_id=w.id,
        division=w.division_code,
        audit_action="assign" if event.action == "assign" else "handle",
        warning_id=w.id,
    )


def assign(
    session: Session,
    warning_id: int,
    username: str | None,
    by: Principal,
    today: dt.date | None = None,
) -> Warning:
    """分派: give an open warning to a caseworker of its county (None: unassign)."""
    w = get_warning(session, warning_id, by)
    cases.check_assign(w.state, workflows.WARNING, by, workflows.WRITE)
    w.assignee = assignee(session, username, w.division_code, workflows.WRITE) if username else None
    day = today or dt.date.today()
    _record(session, w, Event("assign", w.state, w.state, accountable(by), day, w.assignee), by)
    return w


def offered(w: Warning, by: Principal) -> tuple[str, ...]:
    """The states ``by`` may move the warning to now — what the queue page offers."""
    flow = workflows.WARNING
    return tuple(flow.step(a).targets[0] for a in flow.offered(w.state, by))


def warning_out(w: Warning, today: dt.date | None = None) -> WarningOut:
    today = today or dt.date.today()
    return WarningOut(
        id=w.id,
        household_id=w.household_id,
        division_code=w.division_code,
        cause=w.cause,
        detail=json.loads(w.detail or "{}"),
        state=w.state,
        raised_on=w.raised_on,
        deadline=w.deadline,
        overdue=w.state in OPEN and cases.overdue(w.deadline, today),
        handled_by=w.handled_by,
        resolution=w.resolution,
        closed_on=w.closed_on,
        assignee=w.assignee,
    )


def open_warnings(
    session: Session, by: Principal, limit: int = 200, assigned_to: str | None = None
) -> list[Warning]:
    """Open warnings of ``by``'s counties, earliest deadline first (only ``assigned_to``'s)."""
    q = cases.in_region(select(Warning).where(Warning.state.in_(OPEN)), Warning.division_code, by)
    if assigned_to is not None:
        q = q.where(Warning.assignee == assigned_to)
    return list(session.scalars(q.order_by(Warning.deadline, Warning.id).limit(limit)))


def household_warnings(session: Session, household_id: int) -> list[Warning]:
    return list(
        session.scalars(
            select(Warning).where(Warning.household_id == household_id).order_by(Warning.id.desc())
        )
    )
