"""What a caseworker does with a case: open it, take it through check → public notice (公示) →
approval or rejection → periodic review (复核) → stop, assign it, and read it or a queue. Every
step is audited (its event written by the case engine), every deadline counted in working days,
and every decision carries its explanation (``assessment.py``). What each step does is
``steps.py``; recording a household's circumstances is ``household.py``."""

from __future__ import annotations

import datetime as dt
import json
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules, steps, workflows
from minsheng.assistance.household import (
    choice,
    member,
    money_in,
    params,
)
from minsheng.assistance.models import PROGRAMMES, Case, CaseEvent, Warning
from minsheng.assistance.schemas import CaseIn, CaseOut, EventOut, Step
from minsheng.auth.models import ApiToken
from minsheng.cases import engine as cases
from minsheng.cases.assign import assignee
from minsheng.cases.engine import Event, accountable
from minsheng.core import divisions
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import ParameterTree
from minsheng.registry import service as registry
from minsheng.registry.models import Person

OPEN_STATES = workflows.CASE.open_states  # applied, checking, notice


# ----------------------------------------------------------------------------- cases


def history(session: Session, case: Case) -> dict[str, set[str]]:
    """Who took each step of the case so far, as :func:`~minsheng.cases.engine.accountable`
    names them — what maker–checker compares. Events written before names were accountable say
    ``token:N``: that is the token's user."""
    out: dict[str, set[str]] = {}
    tokens: dict[int, int | None] = {}
    for action, name in session.execute(
        select(CaseEvent.action, CaseEvent.by).where(CaseEvent.case_id == case.id)
    ):
        if name.startswith("token:") and name[6:].isdigit():
            tid = int(name[6:])
            if tid not in tokens:
                tokens[tid] = session.scalar(select(ApiToken.user_id).where(ApiToken.id == tid))
            user_id = tokens[tid]
            name = f"user:{user_id}" if user_id is not None else name
        out.setdefault(action, set()).add(name)
    return out


def checkers(session: Session, case: Case) -> set[str]:
    """Everyone who checked the case (审核)."""
    return history(session, case).get("check", set())


def offered(session: Session, case: Case, by: Principal) -> tuple[str, ...]:
    """The steps ``by`` may take on the case now: what the state allows, their permissions hold
    and maker–checker leaves them — what the household page offers."""
    flow = workflows.of_case(case.programme)
    return flow.offered(case.state, by, history(session, case))


def _event(session: Session, case: Case, event: Event, by: Principal) -> None:
    cases.write_event(
        session,
        CaseEvent,
        event,
        by,
        resource="assistance_case",
        record_id=case.id,
        division=case.division_code,
        detail={
            "programme": case.programme,
            "from": event.from_state,
            "to": event.to_state,
            "amount": case.monthly_amount,
        },
        case_id=case.id,
        amount=case.monthly_amount,
    )


def open_case(session: Session, data: CaseIn, by: Principal, today: dt.date | None = None) -> Case:
    """申请: a household (or one member) applies; the check is due in N working days."""
    today = today or dt.date.today()
    household = registry.get_household(session, data.household_id, by)
    programme = choice(data.programme, PROGRAMMES, "programme", "救助类别")
    person_id = None
    if programme == "tekun" or data.single:
        if data.person_id is None:
            raise invalid(
                "person_id",
                "required",
                "特困或单人户申请需指定人员",
                "特困 and 单人户 name the person",
            )
        person_id = member(household, data.person_id, "person_id").id
    if data.single and programme != "dibao":
        raise invalid("single", "only_dibao", "只有低保可按单人户申请", "only 低保 has 单人户")
    care = None
    if programme == "tekun":
        care = choice(data.care_level or "self_care", rules.CARE_LEVELS, "care_level", "护理等级")
    requested = None
    if programme == "temporary":
        if data.requested is None:
            raise invalid(
                "requested", "required", "临时救助需填写申请金额", "give the amount asked for"
            )
        requested = money_in(data.requested, "requested")
    duplicate = session.scalar(
        select(Case.id).where(
            Case.household_id == household.id,
            Case.programme == programme,
            Case.person_id.is_(None) if person_id is None else Case.person_id == person_id,
            Case.state.in_([*OPEN_STATES, "approved"]),
        )
    )
    if duplicate is not None and programme != "temporary":
        raise ConflictError(
            "programme",
            "case_open",
            f"该家庭已有进行中的同类申请或在保记录（{duplicate}号）",
            f"the household already has an open or approved case {duplicate} of this kind",
        )
    p = params(today, household.division_code)
    case = Case(
        household_id=household.id,
        person_id=person_id,
        programme=programme,
        division_code=household.division_code,
        state="applied",
        single=data.single,
        care_level=care,
        has_supporter=data.has_supporter,
        requested=requested,
        applied_on=today,
        due_on=cases.due(today, p.count("assistance.workflow.check_working_days")),
        created_by=accountable(by),
    )
    session.add(case)
    session.flush()
    _event(session, case, Event("apply", None, case.state, accountable(by), today), by)
    return case


Row = TypeVar("Row", Case, Warning)


def load_in_region(
    session: Session, model: type[Row], record_id: int, field: str, zh: str, en: str, by: Principal
) -> Row:
    """A case or warning by id, if it lies in ``by``'s region; one elsewhere answers exactly
    as a missing one (404)."""
    found = session.get(model, record_id)
    if found is None or not by.covers(found.division_code):
        raise NotFoundError(field, f"{zh}{record_id}不存在", f"no {en} {record_id}")
    return found


def get_case(session: Session, case_id: int, by: Principal) -> Case:
    return load_in_region(session, Case, case_id, "case_id", "救助申请", "case", by)


def act(
    session: Session,
    case_id: int,
    action: str,
    by: Principal,
    reason: str | None = None,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> Case:
    """One workflow step. Refused (and nothing changes) when the case's state does not allow it,
    the actor may not take it (permission, maker–checker), or its handler says no."""
    today = today or dt.date.today()
    step = workflows.CASE.step(action)  # an unknown action is a 422 before anything is read
    case = get_case(session, case_id, by)
    ctx = steps.Ctx(session, by, today, params(today, case.division_code, tree), tree, reason)
    event = workflows.of_case(case.programme).run(
        case,
        step.action,
        by,
        lambda _: steps.HANDLERS[step.action](ctx, case),
        day=today,
        history=history(session, case),
        reason=reason,
    )
    _event(session, case, event, by)
    return case


def assign(
    session: Session,
    case_id: int,
    username: str | None,
    by: Principal,
    today: dt.date | None = None,
) -> Case:
    """分派: give an open or approved case to a caseworker of its county (None: unassign)."""
    case = get_case(session, case_id, by)
    cases.check_assign(case.state, workflows.of_case(case.programme), by, workflows.WRITE)
    who = assignee(session, username, case.division_code, workflows.WRITE) if username else None
    case.assignee = who
    day = today or dt.date.today()
    _event(session, case, Event("assign", case.state, case.state, accountable(by), day, who), by)
    return case


def overdue(case: Case, today: dt.date) -> bool:
    """Open past its step's deadline, or approved past its review date."""
    if case.state in OPEN_STATES:
        return cases.overdue(case.due_on, today)
    if case.state == "approved":
        return cases.overdue(case.review_due, today)
    return False


def case_out(
    session: Session, case: Case, today: dt.date | None = None, events: bool = True
) -> CaseOut:
    today = today or dt.date.today()
    evs = (
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
        if events
        else []
    )
    return CaseOut(
        id=case.id,
        household_id=case.household_id,
        person_id=case.person_id,
        programme=case.programme,
        division_code=case.division_code,
        state=case.state,
        single=case.single,
        care_level=case.care_level,
        applied_on=case.applied_on,
        due_on=case.due_on,
        notice_start=case.notice_start,
        notice_end=case.notice_end,
        decided_on=case.decided_on,
        review_due=case.review_due,
        valid_until=case.valid_until,
        stopped_on=case.stopped_on,
        reason=case.reason,
        eligible=case.eligible,
        monthly_amount=case.monthly_amount,
        overdue=overdue(case, today),
        assignee=case.assignee,
        explanation=[Step(**s) for s in json.loads(case.explanation or "[]")],
        events=[
            EventOut(
                day=e.day,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                amount=e.amount,
                note=e.note,
                by=e.by,
            )
            for e in evs
        ],
    )


def read_case(session: Session, case_id: int, by: Principal) -> CaseOut:
    case = get_case(session, case_id, by)
    audit.record(session, by, "read", "assistance_case", case.id, case.division_code)
    return case_out(session, case)


def household_cases(session: Session, household_id: int) -> list[Case]:
    return list(
        session.scalars(
            select(Case).where(Case.household_id == household_id).order_by(Case.id.desc())
        )
    )


def queue(
    session: Session,
    by: Principal,
    limit: int = 200,
    today: dt.date | None = None,
    assigned_to: str | None = None,
) -> list[Case]:
    """Cases needing a caseworker in ``by``'s counties: open applications, and decisions whose
    review is due within the reminder period (or overdue) — earliest deadline first; only those
    assigned to ``assigned_to`` (``user:N``) if given."""
    today = today or dt.date.today()
    notice = params(today, divisions.REGION_CODE).count("assistance.monitoring.review_notice_days")
    soon = today + dt.timedelta(days=notice)
    q = select(Case).where(
        Case.state.in_(OPEN_STATES) | ((Case.state == "approved") & (Case.review_due <= soon))
    )
    q = cases.in_region(q, Case.division_code, by)
    if assigned_to is not None:
        q = q.where(Case.assignee == assigned_to)
    order = func.coalesce(Case.due_on, Case.review_due)
    return list(session.scalars(q.order_by(order, Case.id).limit(limit)))


def citizen_cases(session: Session, person: Person) -> list[Case]:
    if person.household_id is None:
        return []
    return household_cases(session, person.household_id)
