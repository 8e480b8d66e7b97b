"""What each step of an assistance case does — the domain half of the case table (who may take
which step from which state is ``workflows.CASE``): check (入户调查、审核: the rules' finding),
notice (公示 for N working days), approve (确认, by another than the checker: the registry
statuses follow), reject (不予确认, with a reason), review (复核: assessed again, the new amount
or a stop) and stop (终止: the statuses the case conferred end)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from minsheng.assistance import rules
from minsheng.assistance.assessment import assessment
from minsheng.assistance.household import add_months, alive_members
from minsheng.assistance.models import Case, Expense
from minsheng.auth.models import ApiToken
from minsheng.cases import engine as cases
from minsheng.cases.engine import accountable
from minsheng.core import money, statuses
from minsheng.core.errors import ConflictError, ForbiddenError, invalid
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from minsheng.policy import ParameterTree
from minsheng.registry.models import Household, Person
from minsheng.registry.schemas import StatusIn
from minsheng.registry.statuses import end_status, grant_decided_status

PAID_PROGRAMMES = ("dibao", "tekun")  # paid monthly


def _reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise invalid("reason", "required", "请填写理由", "give a reason", "རྒྱུ་མཚན་འབྲི་དགོས།")
    return reason.strip()


@dataclass(frozen=True)
class Ctx:
    """What a step's handler works with."""

    session: Session
    by: Principal
    today: dt.date
    p: rules.AssistanceParams
    tree: ParameterTree | None
    reason: str | None


def _assess(c: Ctx, case: Case) -> None:
    case.eligible, case.monthly_amount, steps = assessment(c.session, case, c.today, c.tree)
    case.explanation = json.dumps([s.model_dump(mode="json") for s in steps], ensure_ascii=False)


def _check(c: Ctx, case: Case) -> str | None:
    """入户调查、审核: the rules' finding."""
    _assess(c, case)
    case.state = "checking"
    return None


def _notice(c: Ctx, case: Case) -> str | None:
    """公示: the notice runs N working days; the decision is due M working days after it."""
    if not case.eligible:
        raise ConflictError(
            "action",
            "not_eligible",
            "审核认定不符合条件，不能公示；请作出不予确认决定",
            "the check found the case not eligible: reject it instead of publishing",
        )
    case.state = "notice"
    case.notice_start = c.today
    case.notice_end = cases.due(c.today, c.p.count("assistance.workflow.notice_days"))
    case.due_on = cases.due(case.notice_end, c.p.count("assistance.workflow.decide_working_days"))
    return None


def _approve(c: Ctx, case: Case) -> str | None:
    """确认 (by another than the checker: the table says so): the statuses follow."""
    if not case.eligible:
        raise ConflictError(
            "action", "not_eligible", "审核认定不符合条件", "the check found the case not eligible"
        )
    if case.notice_end is not None and c.today <= case.notice_end:
        raise ConflictError(
            "action",
            "notice_running",
            f"公示期至{case.notice_end}，期满后方可确认",
            f"the public notice runs to {case.notice_end}; approve after it",
            f"ཁྱབ་བསྒྲགས་ཀྱི་དུས་ཚོད་{case.notice_end}བར་ཡིན། དེའི་རྗེས་སུ་ཆོག་མཆན་སྤྲོད་ཆོག",
        )
    case.state = "approved"
    case.decided_on = c.today
    case.due_on = None
    if case.programme in ("dibao_edge", "rigid_expense"):
        case.valid_until = add_months(
            c.today, c.p.count("assistance.rigid_expense.validity_months")
        )
        case.review_due = case.valid_until
    elif case.programme in PAID_PROGRAMMES:
        case.review_due = add_months(c.today, c.p.count("assistance.workflow.review_months"))
    _grant_statuses(c.session, case, c.today, c.by)
    return None


def _reject(c: Ctx, case: Case) -> str | None:
    case.reason = note = _reason(c.reason)
    case.state = "rejected"
    case.decided_on = c.today
    case.due_on = None
    return note


def _figures_recorded_by(session: Session, case: Case) -> set[str]:
    """Who (accountable names) recorded the household's incomes, assets or expenses since the
    case was decided — the makers of the figures a review would pay on."""
    since = case.decided_on.isoformat() if case.decided_on else ""
    expenses = [
        str(i)
        for i in session.scalars(
            select(Expense.id).where(Expense.household_id == case.household_id)
        )
    ]
    figures = or_(
        (AuditEntry.resource.in_(("incomes", "assets")))
        & (AuditEntry.record_id == str(case.household_id)),
        (AuditEntry.resource == "expense") & (AuditEntry.record_id.in_(expenses)),
    )
    actors = set(
        session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action == "record", AuditEntry.at >= since, figures
            )
        )
    )
    out = set()
    for actor in actors:
        kind, _, ident = actor.partition(":")
        token = session.get(ApiToken, int(ident)) if kind == "token" and ident.isdigit() else None
        out.add(f"user:{token.user_id}" if token is not None else actor)
    return out


def _review(c: Ctx, case: Case) -> str | None:
    """复核: assessed again; still eligible → the new amount, else stopped. A review that would
    raise the amount on figures the reviewer recorded since the decision is refused: another
    caseworker reviews it (maker–checker; probing found one caseworker could zero a household's
    incomes and review its 低保 up from ¥1,724.46 to ¥2,640 alone)."""
    old = case.monthly_amount
    _assess(c, case)
    if (
        case.eligible
        and case.monthly_amount > old
        and accountable(c.by) in _figures_recorded_by(c.session, case)
    ):
        raise ForbiddenError(
            "action",
            "maker_checker",
            "复核将提高救助金额，而家庭收入、财产或支出是您登记的：请由另一位经办人员复核",
            "this review would raise the amount on figures you recorded: another caseworker "
            "must review it",
            "ཁྱེད་ཀྱིས་ཐོ་འགོད་བྱས་པའི་གྲངས་ཐོག་སྐྱབས་དངུལ་འཕར་བས། ལས་བྱེད་པ་གཞན་ཞིག་གིས་བསྐྱར་ཞིབ་བྱེད་དགོས།",
        )
    if case.eligible:
        case.review_due = add_months(c.today, c.p.count("assistance.workflow.review_months"))
        return f"{money.fmt(old)} → {money.fmt(case.monthly_amount)}"
    case.monthly_amount = old  # the stop takes effect as the parameters say
    note = "复核不再符合条件 no longer eligible on review"
    _stop(c.session, case, c.today, note, c.by)
    return note


def _stop_step(c: Ctx, case: Case) -> str | None:
    note = _reason(c.reason)
    _stop(c.session, case, c.today, note, c.by)
    return note


# What each step of the table does (the table itself, with who may take it: workflows.CASE).
HANDLERS: dict[str, Callable[[Ctx, Case], str | None]] = {
    "check": _check,
    "notice": _notice,
    "approve": _approve,
    "reject": _reject,
    "review": _review,
    "stop": _stop_step,
}
ACTIONS = tuple(HANDLERS)


def _stop(session: Session, case: Case, day: dt.date, reason: str, by: Principal) -> None:
    case.state = "stopped"
    case.stopped_on = day
    case.reason = reason
    case.review_due = None
    kind = statuses.CONFERRED_BY.get(case.programme)
    if kind is None:
        return
    for person in _covered_people(session, case, day):
        for s in person.statuses:
            if s.kind == kind and s.start_date <= day and (s.end_date is None or s.end_date > day):
                end_status(session, s.id, max(day, s.start_date), by, via_case=case.id)


def _covered_people(session: Session, case: Case, day: dt.date) -> list[Person]:
    household = session.get(Household, case.household_id)
    assert household is not None
    if case.person_id is not None:
        return [p for p in household.members if p.id == case.person_id]
    return alive_members(household, day)


def _grant_statuses(session: Session, case: Case, day: dt.date, by: Principal) -> None:
    """The decision shows in the registry (低保/特困/低保边缘 status from today), so medical
    settlement applies the special-group rules ("一降一升一取消") from the next bill on."""
    kind = statuses.CONFERRED_BY.get(case.programme)
    if kind is None:
        return
    for person in _covered_people(session, case, day):
        held = {
            s.kind for s in person.statuses if s.start_date <= day <= (s.end_date or dt.date.max)
        }
        if held & statuses.EXCLUSIVE:
            continue  # already holds one of the exclusive statuses
        grant_decided_status(session, person.id, StatusIn(kind=kind, start_date=day), by, case.id)
