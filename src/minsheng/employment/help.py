"""One-to-one help plans (一对一帮扶) for hard-to-employ people, on the case engine
(:data:`~minsheng.employment.help_workflow.HELP`): reading a caseworker's queue, a plan, and
taking a step on it — a contact logged, a service delivered (a job lead names a published
vacancy; a training offer a course id or a text), the person's answer to it (refusals counted
over a rolling year: at the parameter's limit help stops), the outcome (employed names the
person's filed hire), and the assignment to a helper caseworker of the plan's county.

A plan outside the caller's region answers exactly like a missing one (404). Every step writes
its event and audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.cases import engine as cases
from minsheng.cases.assign import assignee
from minsheng.cases.engine import Event, accountable
from minsheng.core import divisions
from minsheng.core.errors import NotFoundError, invalid
from minsheng.core.text import clean
from minsheng.db import Base
from minsheng.employment import help_rules as hr
from minsheng.employment.help_models import (
    CHANNELS,
    SERVICE_KINDS,
    EmHelpContact,
    EmHelpEvent,
    EmHelpPlan,
    EmHelpService,
)
from minsheng.employment.help_workflow import HELP, OUTCOMES, PEOPLE, WRITE
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.foundation.principals import Principal
from minsheng.policy import load

MAX_NOTE = 400
DUE = ("all", "due", "overdue")


def params(today: dt.date, division: str = divisions.REGION_CODE) -> hr.HelpParams:
    return hr.HelpParams.from_snapshot(load().at(today, division))


def missing() -> NotFoundError:
    return NotFoundError("plan_id", "没有这个帮扶计划", "no such help plan", "རོགས་རམ་འཆར་གཞི་འདི་མེད།")


def get(session: Session, plan_id: int, by: Principal, *, for_update: bool = False) -> EmHelpPlan:
    """The plan if it lies in ``by``'s region; otherwise 404 as for a missing one."""
    q = select(EmHelpPlan).where(EmHelpPlan.id == plan_id)
    if for_update:
        q = q.with_for_update()
    plan = session.scalar(q)
    if plan is None or not by.covers(plan.division_code):
        raise missing()
    return plan


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> None:
    if value and value not in allowed:
        raise invalid(
            field,
            "unknown_value",
            f"{field} 无效：{value!r}（可选：{'、'.join(allowed)}）",
            f"unknown {field} {value!r} (one of: {', '.join(allowed)})",
            f"{field} ནོར་འདུག",
        )


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    """Free text through the platform's checks (NFC, no control, bidi or invisible character;
    line breaks kept in a note), at most ``limit`` characters."""
    words = clean(value or "", field, "free", max_length=limit)
    if required and not words:
        raise invalid(field, "required", "此项必填", "this field is required", "ངེས་པར་འབྲི་དགོས།")
    return words or None


def listing(
    session: Session,
    by: Principal,
    today: dt.date,
    *,
    mine: bool = False,
    due: str = "all",
    county: str | None = None,
    region: str | None = None,
    state: str = "open",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EmHelpPlan], int]:
    """Plans of ``by``'s region, the earliest deadline first, with the total that matched.
    ``mine``: assigned to the caller; ``due``: ``due`` (services still owed by the deadline)
    or ``overdue`` (past it); ``state``: ``open`` (default), ``closed`` or ``all``."""
    _choice(due, DUE, "due")
    _choice(state, ("open", "closed", "all"), "state")
    q = cases.in_region(select(EmHelpPlan), EmHelpPlan.division_code, by)
    if county:
        q = q.where(EmHelpPlan.division_code == divisions.get(county, "county").code)
    if region:
        prefix = divisions.code_prefix(divisions.get(region, "region").code)
        q = q.where(EmHelpPlan.division_code.like(prefix + "%"))
    if mine:
        q = q.where(EmHelpPlan.assignee == accountable(by))
    if state == "open":
        q = q.where(EmHelpPlan.state == "open")
    elif state == "closed":
        q = q.where(EmHelpPlan.state != "open")
    if due == "overdue":
        q = q.where(EmHelpPlan.state == "open", EmHelpPlan.due_on < today)
    elif due == "due":
        q = q.where(EmHelpPlan.state == "open", EmHelpPlan.due_on >= today)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = session.scalars(
        q.order_by(EmHelpPlan.due_on, EmHelpPlan.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def counts(session: Session, plan_ids: list[int]) -> dict[int, dict[str, int]]:
    """Services delivered per plan by kind, refusals and contacts — two grouped queries."""
    out = {i: {"job_lead": 0, "training_offer": 0, "refused": 0, "contacts": 0} for i in plan_ids}
    if not plan_ids:
        return out
    q = (
        select(EmHelpService.plan_id, EmHelpService.kind, EmHelpService.response, func.count())
        .where(EmHelpService.plan_id.in_(plan_ids))
        .group_by(EmHelpService.plan_id, EmHelpService.kind, EmHelpService.response)
    )
    for pid, kind, response, n in session.execute(q):
        out[pid][kind] += int(n)
        if response == "refused":
            out[pid]["refused"] += int(n)
    for pid, n in session.execute(
        select(EmHelpContact.plan_id, func.count())
        .where(EmHelpContact.plan_id.in_(plan_ids))
        .group_by(EmHelpContact.plan_id)
    ):
        out[pid]["contacts"] = int(n)
    return out


def history(session: Session, plan_id: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for action, who in session.execute(
        select(EmHelpEvent.action, EmHelpEvent.by).where(EmHelpEvent.plan_id == plan_id)
    ):
        out.setdefault(action, []).append(who)
    return out


def events(session: Session, plan_id: int) -> list[EmHelpEvent]:
    return list(
        session.scalars(
            select(EmHelpEvent).where(EmHelpEvent.plan_id == plan_id).order_by(EmHelpEvent.id)
        )
    )


def contacts(session: Session, plan_id: int) -> list[EmHelpContact]:
    return list(
        session.scalars(
            select(EmHelpContact)
            .where(EmHelpContact.plan_id == plan_id)
            .order_by(EmHelpContact.day.desc(), EmHelpContact.id.desc())
        )
    )


def services(session: Session, plan_id: int) -> list[EmHelpService]:
    return list(
        session.scalars(
            select(EmHelpService)
            .where(EmHelpService.plan_id == plan_id)
            .order_by(EmHelpService.offered_on, EmHelpService.id)
        )
    )


def offered(plan: EmHelpPlan, by: Principal) -> tuple[str, ...]:
    """The steps ``by`` may take on the plan now (people's steps only)."""
    return tuple(a for a in HELP.offered(plan.state, by) if a in PEOPLE)


def record(session: Session, plan: EmHelpPlan, event: Event, by: Principal) -> None:
    cases.write_event(
        session,
        EmHelpEvent,
        event,
        by,
        resource="em_help_plan",
        record_id=plan.id,
        division=plan.division_code,
        audit_action="assign" if event.action == "assign" else f"help_{event.action}",
        plan_id=plan.id,
    )


def _day(value: dt.date | None, today: dt.date, field: str = "day") -> dt.date:
    day = value or today
    if day > today:
        raise invalid(
            field,
            "future",
            "日期不能晚于今天",
            "the day cannot be in the future",
            "ཉིན་མོ་མ་འོངས་པ་མི་ཆོག",
        )
    return day


def contact(
    session: Session,
    plan_id: int,
    by: Principal,
    today: dt.date,
    *,
    channel: str,
    note: str,
    day: dt.date | None = None,
    next_step: str | None = None,
    next_on: dt.date | None = None,
) -> EmHelpContact:
    """Log a contact with the person (the day, the channel, what was said, the next step)."""
    plan = get(session, plan_id, by, for_update=True)
    HELP.begin(plan.state, "contact", by)
    if channel not in CHANNELS:
        _choice(channel or "?", CHANNELS, "channel")
    text = _text(note, "note", MAX_NOTE, required=True)
    nxt = _text(next_step, "next_step", 200)
    when = _day(day, today)
    if when < plan.opened_on:
        raise invalid(
            "day",
            "before_plan",
            "日期早于计划开立日",
            "the day is before the plan opened",
            "ཉིན་མོ་འཆར་གཞིའི་སྔོན་ལ་ཡོད།",
        )
    if next_on is not None and next_on < when:
        raise invalid(
            "next_on",
            "before_contact",
            "下次联系日期早于本次",
            "the next contact is before this one",
            "ཐེངས་རྗེས་མའི་ཉིན་མོ་ནོར་འདུག",
        )
    row = EmHelpContact(
        plan_id=plan.id,
        day=when,
        channel=channel,
        note=text or "",
        next_step=nxt,
        next_on=next_on,
        by=accountable(by),
    )
    session.add(row)
    record(
        session, plan, HELP.finish(HELP.step("contact"), "open", plan.state, by, today, channel), by
    )
    return row


def offer(
    session: Session,
    plan_id: int,
    by: Principal,
    today: dt.date,
    *,
    kind: str,
    vacancy_id: int | None = None,
    course_id: int | None = None,
    text: str | None = None,
    day: dt.date | None = None,
) -> EmHelpService:
    """Deliver a service: a job lead names a published vacancy (岗位推荐), a training offer a
    course id or a text (培训推荐)."""
    plan = get(session, plan_id, by, for_update=True)
    HELP.begin(plan.state, "offer", by)
    _choice(kind or "?", SERVICE_KINDS, "kind")
    words = _text(text, "text", 200)
    when = _day(day, today)
    if kind == "job_lead":
        v = session.get(EmVacancy, vacancy_id) if vacancy_id else None
        if v is None or v.state != "published":
            raise invalid(
                "vacancy_id",
                "unknown_vacancy",
                "没有这个在招岗位",
                "no such published vacancy",
                "ལས་གནས་འདི་མེད།",
            )
        course_id, words = None, None
    elif course_id is None and not words:
        raise invalid(
            "text",
            "required",
            "请填写课程编号或培训名称",
            "give a course id or the training's name",
            "སྦྱོང་བརྡར་གྱི་མིང་འབྲི་རོགས།",
        )
    else:
        vacancy_id = None
        if course_id is not None and not _course_exists(session, course_id):
            raise invalid(
                "course_id",
                "unknown_course",
                "没有这个培训班",
                "no such course",
                "སྦྱོང་བརྡར་འདི་མེད།",
            )
    row = EmHelpService(
        plan_id=plan.id,
        person_id=plan.person_id,
        kind=kind,
        vacancy_id=vacancy_id,
        course_id=course_id,
        text=words,
        offered_on=when,
        by=accountable(by),
    )
    session.add(row)
    session.flush()
    note = f"{kind}:{vacancy_id or course_id or ''}"
    record(session, plan, HELP.finish(HELP.step("offer"), "open", plan.state, by, today, note), by)
    return row


def _course_exists(session: Session, course_id: int) -> bool:
    """Whether training's course exists (its table read by name: while training has not built
    it, any course number is taken as given)."""
    courses = Base.metadata.tables.get("em_courses")
    if courses is None:
        return True
    return session.scalar(select(courses.c.id).where(courses.c.id == course_id)) is not None


def refused_on(session: Session, person_id: int) -> list[dt.date]:
    """The days the person refused a referral (on any plan: refusals follow the person)."""
    return [
        d
        for d in session.scalars(
            select(EmHelpService.responded_on).where(
                EmHelpService.person_id == person_id, EmHelpService.response == "refused"
            )
        )
        if d is not None
    ]


def respond(
    session: Session,
    plan_id: int,
    service_id: int,
    response: str,
    by: Principal,
    today: dt.date,
) -> EmHelpPlan:
    """Record the person's answer to a service (accepted / refused). A refusal that brings the
    rolling year's refusals to ``refusals.limit`` stops help where ``refusals.stop`` says so."""
    plan = get(session, plan_id, by, for_update=True)
    step = HELP.begin(plan.state, "respond", by)
    _choice(response or "?", ("accepted", "refused"), "response")
    svc = session.get(EmHelpService, service_id)
    if svc is None or svc.plan_id != plan.id:
        raise NotFoundError("service_id", "没有这项服务", "no such service", "ཞབས་ཞུ་འདི་མེད།")
    if svc.response != "pending":
        if svc.response == response:  # a retried request: nothing more to do
            return plan
        raise invalid(
            "response", "answered", "该服务已有答复", "this service has been answered", "ལན་བཏབ་ཟིན།"
        )
    svc.response = response
    svc.responded_on = today
    session.flush()
    note = f"{response}:{svc.id}"
    if response == "refused":
        p = params(today, plan.division_code)
        n = hr.refusals_in_year(refused_on(session, plan.person_id), today)
        if hr.must_stop(p, n):
            plan.state = "stopped"
            plan.closed_on = today
            plan.open_key = None
            plan.outcome_note = f"refusals:{n}"
            note = f"refused:{svc.id};stopped after {n}"
    record(session, plan, HELP.finish(step, "open", plan.state, by, today, note), by)
    return plan


def close(
    session: Session,
    plan_id: int,
    outcome: str,
    by: Principal,
    today: dt.date,
    *,
    note: str | None = None,
    hire_id: int | None = None,
) -> EmHelpPlan:
    """Record the outcome: employed (naming the person's filed hire), entered training,
    declined help, moved away. The plan closes."""
    plan = get(session, plan_id, by, for_update=True)
    _choice(outcome or "?", OUTCOMES, "outcome")
    step = HELP.begin(plan.state, "close", by, reason=note)
    text = _text(note, "reason", MAX_NOTE, required=True)
    if outcome == "employed":
        hire = session.get(EmHire, hire_id) if hire_id else None
        if hire is None or hire.person_id != plan.person_id:
            raise invalid(
                "hire_id",
                "unknown_hire",
                "请填写本人的用工备案编号",
                "name the person's hire filing",
                "ལས་བཅོལ་ཐོ་འགོད་ཀྱི་ཨང་གྲངས་འབྲི་རོགས།",
            )
        plan.hire_id = hire.id
    plan.state = outcome
    plan.closed_on = today
    plan.open_key = None
    plan.outcome_note = text
    record(session, plan, HELP.finish(step, "open", outcome, by, today, text), by)
    return plan


def assign(
    session: Session, plan_id: int, username: str | None, by: Principal, today: dt.date
) -> EmHelpPlan:
    """分派: give an open plan to a helper caseworker of its county (None: take it back)."""
    plan = get(session, plan_id, by, for_update=True)
    cases.check_assign(plan.state, HELP, by, WRITE)
    plan.assignee = assignee(session, username, plan.division_code, WRITE) if username else None
    record(
        session,
        plan,
        Event("assign", plan.state, plan.state, accountable(by), today, plan.assignee),
        by,
    )
    return plan
