"""The county inspector's warning queue (劳动保障监察): reading warnings in the caller's region,
taking a step on one (:data:`~minsheng.wages.warning_workflow.WARNING`: check, rectify, propose
unfounded, a supervisor other than the proposer confirms or sends it back), assigning one, and
the figures of the county and region dashboard (open warnings by level and cause and county,
arrears outstanding, the projects with no arrears before Spring Festival and Losar)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from minsheng.cases import engine as cases
from minsheng.cases.assign import assignee
from minsheng.cases.engine import Event, accountable
from minsheng.core import calendar, divisions
from minsheng.core.errors import NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.wages import warning_rules as wr
from minsheng.wages.models import WgProject
from minsheng.wages.warning_models import CAUSES, LEVELS, WgWarning, WgWarningEvent
from minsheng.wages.warning_workflow import INSPECT, OPEN_STATES, PEOPLE, WARNING

ARREARS_CAUSES = ("no_pay_sheet", "attendance_unpaid", "pay_below")
FESTIVALS = (("spring_festival", "春节"), ("losar", "藏历新年"))


def missing() -> NotFoundError:
    return NotFoundError("warning_id", "没有这条预警", "no such warning", "ཉེན་བརྡ་འདི་མེད།")


def get(session: Session, warning_id: int, by: Principal, *, for_update: bool = False) -> WgWarning:
    """The warning if it lies in ``by``'s region; otherwise 404 as for a missing one."""
    q = select(WgWarning).where(WgWarning.id == warning_id)
    if for_update:
        q = q.with_for_update()
    w = session.scalar(q)
    if w is None or not by.covers(w.division_code):
        raise missing()
    return w


def _check(value: str | None, allowed: tuple[str, ...], field: str) -> None:
    if value and value not in allowed:
        raise invalid(
            field,
            "unknown_value",
            f"{field} 无效：{value!r}",
            f"unknown {field} {value!r} (one of: {', '.join(allowed)})",
            f"{field} ནོར་འདུག",
        )


def listing(
    session: Session,
    by: Principal,
    *,
    level: str | None = None,
    cause: str | None = None,
    county: str | None = None,
    region: str | None = None,
    state: str = "open",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WgWarning], int]:
    """Warnings in ``by``'s region, the most urgent first (red, then the earliest deadline),
    with the total that matched. ``state``: ``open`` (default), ``closed`` or ``all``."""
    _check(level, LEVELS, "level")
    _check(cause, CAUSES, "cause")
    _check(state, ("open", "closed", "all"), "state")
    q = cases.in_region(select(WgWarning), WgWarning.division_code, by)
    if county:
        q = q.where(WgWarning.division_code == divisions.get(county, "county").code)
    if region:
        prefix = divisions.code_prefix(divisions.get(region, "region").code)
        q = q.where(WgWarning.division_code.like(prefix + "%"))
    if level:
        q = q.where(WgWarning.level == level)
    if cause:
        q = q.where(WgWarning.cause == cause)
    if state == "open":
        q = q.where(WgWarning.state.in_(OPEN_STATES))
    elif state == "closed":
        q = q.where(WgWarning.state.not_in(OPEN_STATES))
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    order = {"red": 0, "yellow": 1, "blue": 2}
    rows = session.scalars(
        q.order_by(case(order, value=WgWarning.level), WgWarning.deadline, WgWarning.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def history(session: Session, warning_id: int) -> dict[str, list[str]]:
    """Who took each step of a warning (accountable names) — what maker–checker compares."""
    out: dict[str, list[str]] = {}
    for action, who in session.execute(
        select(WgWarningEvent.action, WgWarningEvent.by).where(
            WgWarningEvent.warning_id == warning_id
        )
    ):
        out.setdefault(action, []).append(who)
    return out


def events(session: Session, warning_id: int) -> list[WgWarningEvent]:
    return list(
        session.scalars(
            select(WgWarningEvent)
            .where(WgWarningEvent.warning_id == warning_id)
            .order_by(WgWarningEvent.id)
        )
    )


def offered(session: Session, w: WgWarning, by: Principal) -> tuple[str, ...]:
    """The steps ``by`` may take on ``w`` now (people's steps only) — what a page offers."""
    return tuple(a for a in WARNING.offered(w.state, by, history(session, w.id)) if a in PEOPLE)


def _record(session: Session, w: WgWarning, event: Event, by: Principal) -> None:
    cases.write_event(
        session,
        WgWarningEvent,
        event,
        by,
        resource="wg_warning",
        record_id=w.id,
        division=w.division_code,
        audit_action="assign" if event.action == "assign" else "handle",
        warning_id=w.id,
    )


def act(
    session: Session,
    warning_id: int,
    action: str,
    by: Principal,
    reason: str | None = None,
    today: dt.date | None = None,
) -> WgWarning:
    """Take a person's step on a warning (the scan's own steps are not offered here)."""
    if action not in PEOPLE:
        raise invalid(
            "action",
            "unknown_value",
            f"操作无效：{action!r}（可选：{'、'.join(PEOPLE)}）",
            f"unknown action {action!r} (one of: {', '.join(PEOPLE)})",
        )
    today = today or dt.date.today()
    w = get(session, warning_id, by, for_update=True)
    note = (reason or "").strip()[:400] or None

    def work(step: Any) -> str | None:
        w.state = step.targets[0]
        w.handled_by = accountable(by)
        if WARNING.state(w.state).final:
            w.resolution = note
            w.closed_on = today
            w.open_key = None
        return note

    event = WARNING.run(
        w, action, by, work, day=today, history=history(session, w.id), reason=reason
    )
    _record(session, w, event, by)
    return w


def assign(
    session: Session,
    warning_id: int,
    username: str | None,
    by: Principal,
    today: dt.date | None = None,
) -> WgWarning:
    """分派: give an open warning to an inspector of its county (None: take it back)."""
    w = get(session, warning_id, by, for_update=True)
    cases.check_assign(w.state, WARNING, by, INSPECT)
    w.assignee = assignee(session, username, w.division_code, INSPECT) if username else None
    day = today or dt.date.today()
    _record(session, w, Event("assign", w.state, w.state, accountable(by), day, w.assignee), by)
    return w


def out(w: WgWarning, today: dt.date, project_name: str | None = None) -> dict[str, Any]:
    """A warning as the API answers it (``days_overdue`` from its due date and ``today``)."""
    reasons = json.loads(w.reasons or "{}")
    due = reasons.get("due_on")
    return {
        "id": w.id,
        "project_id": w.project_id,
        "project_name": project_name,
        "division_code": w.division_code,
        "cause": w.cause,
        "level": w.level,
        "reasons": reasons,
        "days_overdue": (today - dt.date.fromisoformat(due)).days if due else None,
        "state": w.state,
        "raised_on": w.raised_on.isoformat(),
        "escalated_on": w.escalated_on.isoformat() if w.escalated_on else None,
        "deadline": w.deadline.isoformat(),
        "overdue": w.state in OPEN_STATES and cases.overdue(w.deadline, today),
        "assignee": w.assignee,
        "handled_by": w.handled_by,
        "resolution": w.resolution,
        "closed_on": w.closed_on.isoformat() if w.closed_on else None,
    }


def project_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(WgProject.id, WgProject.name).where(WgProject.id.in_(ids))).all()
    )


# ------------------------------------------------------------------ the dashboard


def next_festival(today: dt.date, name: str) -> dt.date | None:
    """The first day of the next holiday called ``name`` (春节, 藏历新年) on or after today
    (``core.calendar``), or None while the calendar does not reach it."""
    return calendar.next_holiday(name, today)


@dataclass(frozen=True)
class Dashboard:
    by_level: dict[str, int]
    by_cause: dict[str, int]
    by_county: list[dict[str, Any]]  # county, levels, projects, zero_arrears, arrears
    projects: int
    zero_arrears: int
    arrears: int  # fen outstanding (unpaid and short pay the open warnings name)
    overdue: int
    festivals: list[dict[str, Any]]  # key, name, date, days_left


def dashboard(
    session: Session, by: Principal, today: dt.date, county: str | None = None
) -> Dashboard:
    """Open warnings by level, cause and county; arrears outstanding; the projects with no
    arrears warning (the "zero arrears" count, 零拖欠) against the next Spring Festival and
    Losar."""
    pq = cases.in_region(
        select(WgProject.division_code, func.count()).where(WgProject.state == "active"),
        WgProject.division_code,
        by,
    )
    wq = cases.in_region(
        select(
            WgWarning.division_code,
            WgWarning.project_id,
            WgWarning.cause,
            WgWarning.level,
            WgWarning.reasons,
            WgWarning.deadline,
        ).where(WgWarning.state.in_(OPEN_STATES)),
        WgWarning.division_code,
        by,
    )
    if county:
        code = divisions.get(county, "county").code
        pq = pq.where(WgProject.division_code == code)
        wq = wq.where(WgWarning.division_code == code)
    per_county: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return per_county.setdefault(
            code,
            {"county": code, "projects": 0, "with_arrears": set(), "arrears": 0}
            | {lv: 0 for lv in LEVELS},
        )

    for code, n in session.execute(pq.group_by(WgProject.division_code)):
        row(code)["projects"] = int(n)
    by_level = {lv: 0 for lv in LEVELS}
    by_cause = {c: 0 for c in CAUSES}
    overdue = 0
    for code, pid, cause, level, reasons, deadline in session.execute(wq):
        r = row(code)
        r[level] += 1
        by_level[level] += 1
        by_cause[cause] += 1
        overdue += int(cases.overdue(deadline, today))
        if cause in ARREARS_CAUSES:
            r["with_arrears"].add(pid)
            if cause != "no_pay_sheet":
                r["arrears"] += int(json.loads(reasons or "{}").get("amount", 0))
    counties = []
    for code in sorted(per_county):
        r = per_county[code]
        counties.append(
            {
                "county": code,
                "projects": r["projects"],
                "zero_arrears": max(0, r["projects"] - len(r["with_arrears"])),
                "arrears": r["arrears"],
                **{lv: r[lv] for lv in LEVELS},
            }
        )
    festivals = []
    for key, name in FESTIVALS:
        day = next_festival(today, name)
        festivals.append(
            {
                "key": key,
                "name": name,
                "date": day.isoformat() if day else None,
                "days_left": (day - today).days if day else None,
            }
        )
    return Dashboard(
        by_level=by_level,
        by_cause=by_cause,
        by_county=counties,
        projects=sum(c["projects"] for c in counties),
        zero_arrears=sum(c["zero_arrears"] for c in counties),
        arrears=sum(c["arrears"] for c in counties),
        overdue=overdue,
        festivals=festivals,
    )


def params(today: dt.date, division: str = divisions.REGION_CODE) -> wr.WarningParams:
    return wr.WarningParams.from_snapshot(load().at(today, division))
