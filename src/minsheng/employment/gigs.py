"""The digital gig market's services (数字零工市场): posting a gig, quick apply, accept up to
the slots in the order of priority, check-in, completion, pay recorded and confirmed (or
disputed: a caseworker's follow-up), take-down.

Who sees what: a caseworker (``employment:read``) the gigs of their region's counties; a
recruiter (role ``employer``) only the gigs of the employer they act for
(:func:`minsheng.auth.employers.employer_of`; unbound: none), inside their region; a worker
(citizen) the open gigs of any county and their own applications. A gig or an application
outside what the caller sees answers as a missing one (404, the same body).

Every write is audited in its transaction; every step of an application or a gig is an event of
the case engine (``gig_workflow``) in ``em_gig_events``. The figures are ``employment.gig.*``
and ``employment.labour.minimum_wage_monthly``, read on the day for the gig's county.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.cases import engine
from minsheng.cases.engine import Workflow
from minsheng.core import divisions, money, text
from minsheng.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    invalid,
)
from minsheng.employment import gig_rules as rules
from minsheng.employment import occupations, vacancy_rules
from minsheng.employment.gig_models import EmGig, EmGigApplication, EmGigEvent
from minsheng.employment.gig_workflow import GIG, GIG_OFFICE, POSTING, POSTING_OFFICE
from minsheng.foundation.principals import Principal
from minsheng.policy import load

P = "employment.gig."
EMPLOYER_ROLE = "employer"


def params(day: dt.date, county: str) -> rules.GigParams:
    """The rules' parameters on ``day`` in ``county``."""
    snap = load().at(day, county)
    g = snap.employment.gig
    return rules.GigParams(
        minimum_wage_monthly=int(snap.employment.labour.minimum_wage_monthly),
        pay_days_per_month=Decimal(g.pay_days_per_month),
        max_days=int(g.max_days),
        max_slots=int(g.max_slots),
        fee_terms=vacancy_rules.words(str(snap.employment.vacancy.banned_words)),
        older_age_female=int(g.older_age_female),
        older_age_male=int(g.older_age_male),
        senior_age=int(g.senior_age),
        older_points=int(g.older_points),
        senior_points=int(g.senior_points),
        status_points=rules.parse_points(str(g.status_points)),
    )


# ------------------------------------------------------------------ errors


def missing_gig(field: str = "gig_id") -> NotFoundError:
    return NotFoundError(field, "没有这个零工岗位", "no such gig", "གནས་སྐབས་ལས་གནས་འདི་མེད།")


def missing_application(field: str = "application_id") -> NotFoundError:
    return NotFoundError(field, "没有这个报名", "no such gig application", "མིང་ཐོ་འདི་མེད།")


def _unbound() -> ForbiddenError:
    return ForbiddenError(
        "employer",
        "unbound",
        "您的账号未绑定用人单位，不能发布零工",
        "your account acts for no employer: it cannot post gigs",
        "ཁྱེད་ཀྱི་ཐོ་ཁོངས་ལས་ཁུངས་དང་འབྲེལ་མེད།",
    )


def full_error() -> ConflictError:
    return ConflictError(
        "slots",
        "full",
        "该零工岗位人数已满",
        "every slot of this gig is taken",
        "ལས་གནས་འདིའི་མི་གྲངས་ཁ་ཚང་ཟིན།",
    )


def not_open_error() -> ConflictError:
    return ConflictError(
        "gig_id",
        "not_open",
        "该零工岗位已截止或已下架",
        "this gig is closed or taken down",
        "ལས་གནས་འདི་མཇུག་སྒྲིལ་ཟིན།",
    )


# ------------------------------------------------------------------ who sees what


def is_recruiter(by: Principal) -> bool:
    return by.kind in ("staff", "token") and by.role == EMPLOYER_ROLE


def employer_id_of(session: Session, by: Principal) -> int | None:
    return employers.employer_of(session, by.user_id) if is_recruiter(by) else None


def visible(session: Session, query: Select[Any], by: Principal) -> Select[Any]:
    """Restrict a select over :class:`EmGig` to the gigs ``by`` sees as staff or recruiter."""
    if by.kind == "system":
        return query
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(EmGig.id.is_(None))
    query = engine.in_region(query, EmGig.division_code, by)
    if is_recruiter(by):
        mine = employer_id_of(session, by)
        return query.where(EmGig.employer_id == mine) if mine else query.where(EmGig.id.is_(None))
    return query


def get_gig(session: Session, gig_id: int, by: Principal) -> EmGig:
    """A gig the caller sees (staff of its region, or its employer's recruiter)."""
    found: EmGig | None = session.scalar(
        visible(session, select(EmGig).where(EmGig.id == gig_id), by)
    )
    if found is None:
        raise missing_gig()
    return found


def public_gig(session: Session, gig_id: int) -> EmGig:
    """An open gig, as anyone sees it (a worker applying)."""
    gig = session.get(EmGig, gig_id)
    if gig is None or gig.state == "taken_down":
        raise missing_gig()
    return gig


def poster_flow(gig: EmGig) -> Workflow:
    return GIG if gig.employer_id is not None else GIG_OFFICE


def posting_flow(gig: EmGig) -> Workflow:
    return POSTING if gig.employer_id is not None else POSTING_OFFICE


# ------------------------------------------------------------------ posting


@dataclass(frozen=True)
class GigIn:
    """A gig as typed (every value text, as a form or a JSON body sends it)."""

    title: str
    occupation: str
    day_pay: str  # yuan
    county: str
    address: str
    starts_on: str | dt.date
    ends_on: str | dt.date = ""
    slots: str | int = 1
    requirements: str = ""
    poster_name: str = ""  # an individual employer, when a caseworker posts


def _date(value: str | dt.date, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise invalid(field, "date", "日期无效", "not a date (YYYY-MM-DD)", "ཚེས་གྲངས་ནོར།") from None


def _slots(value: str | int) -> int:
    raw = str(value).strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        raise invalid(
            "slots", "integer", "人数须为整数", "the slots are a whole number", "མི་གྲངས་ནོར།"
        )
    return int(raw)


def county_code(code: str) -> str:
    found = divisions.get(code.strip(), "county")
    if found.level != "county":
        raise invalid("county", "county", "请选择区县", "choose a county", "རྫོང་འདེམས་དགོས།")
    return found.code


def post(
    session: Session,
    data: GigIn,
    by: Principal,
    today: dt.date,
    for_employer: int | None = None,
) -> EmGig:
    """Publish a gig: a recruiter for their employer, or a caseworker for an individual
    employer (``poster_name``); the platform itself (the demo, an import) may name the
    employer (``for_employer``). Refused whole (nothing stored) when it breaks a rule."""
    employer_id = None
    if for_employer is not None and by.kind == "system":
        employer_id = for_employer
    elif is_recruiter(by):
        employer_id = employer_id_of(session, by)
        if employer_id is None:
            raise _unbound()
    elif not by.can("employment:write"):
        raise ForbiddenError(
            "permission", "missing_permission", "您不能发布零工", "you may not post gigs"
        )
    title = text.clean(data.title, "title", "short", max_length=100, min_length=2)
    occupation = occupations.get(data.occupation.strip()).code
    county = county_code(data.county)
    by.require_covers(county, "gig")
    address = text.clean(data.address, "address", "short", max_length=200, min_length=2)
    requirements = text.clean(data.requirements, "requirements", "free", max_length=1000)
    poster_name = None
    if employer_id is None:
        poster_name = text.clean(
            data.poster_name, "poster_name", "name", max_length=100, min_length=1
        )
    day_pay = money.bounded(money.parse(data.day_pay, "day_pay"), "day_pay", rules.MAX_DAY_PAY_FEN)
    starts_on = _date(data.starts_on, "starts_on")
    ends_on = _date(data.ends_on, "ends_on") if data.ends_on else starts_on
    slots = _slots(data.slots)
    problems = rules.posting_problems(
        params(today, county),
        day_pay=day_pay,
        slots=slots,
        starts_on=starts_on,
        ends_on=ends_on,
        today=today,
        texts={"title": title, "requirements": requirements, "address": address},
    )
    if problems:
        first, *more = problems
        raise ValidationError(first.field, first.rule, first.zh, first.en, more=more, bo=first.bo)
    gig = EmGig(
        employer_id=employer_id,
        poster_name=poster_name,
        division_code=county,
        address=address,
        title=title,
        occupation=occupation,
        day_pay=day_pay,
        starts_on=starts_on,
        ends_on=ends_on,
        slots=slots,
        accepted=0,
        requirements=requirements,
        state="open",
        created_by=engine.accountable(by),
    )
    session.add(gig)
    session.flush()
    event = engine.Event("post", None, "open", engine.accountable(by), today)
    engine.write_event(
        session, EmGigEvent, event, by, resource="em_gig", record_id=gig.id,
        division=county, gig_id=gig.id,
        detail={"day_pay": day_pay, "slots": slots, "occupation": occupation},
    )  # fmt: skip
    return gig


def _cancel_open(
    session: Session,
    gig: EmGig,
    by: Principal,
    today: dt.date,
    states: tuple[str, ...],
    action: str,
    note: str,
) -> None:
    """Move the gig's applications in ``states`` to ``declined`` (each an event)."""
    for a in session.scalars(
        select(EmGigApplication)
        .where(EmGigApplication.gig_id == gig.id, EmGigApplication.state.in_(states))
        .order_by(EmGigApplication.id)
    ):
        before = a.state
        a.state = "declined"
        ev = engine.Event(action, before, "declined", engine.accountable(by), today, note)
        engine.write_event(
            session, EmGigEvent, ev, by, resource="em_gig_application", record_id=a.id,
            division=gig.division_code, gig_id=gig.id, application_id=a.id,
        )  # fmt: skip
    session.flush()
    gig.accepted = _count_accepted(session, gig.id)


def _count_accepted(session: Session, gig_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(EmGigApplication)
            .where(
                EmGigApplication.gig_id == gig_id,
                EmGigApplication.state.in_(TAKING_A_SLOT),
            )
        )
        or 0
    )


TAKING_A_SLOT = ("accepted", "checked_in", "completed", "paid", "confirmed", "disputed", "settled")


def close(session: Session, gig_id: int, by: Principal, today: dt.date) -> EmGig:
    """The poster stops taking applicants; those not taken are declined."""
    gig = get_gig(session, gig_id, by)
    flow = posting_flow(gig)

    def work(_step: Any) -> str | None:
        gig.state = "closed"
        _cancel_open(session, gig, by, today, ("applied",), "decline", "岗位截止")
        return None

    event = flow.run(gig, "close", by, work, day=today)
    engine.write_event(
        session, EmGigEvent, event, by, resource="em_gig", record_id=gig.id,
        division=gig.division_code, gig_id=gig.id,
    )  # fmt: skip
    return gig


def take_down(session: Session, gig_id: int, reason: str, by: Principal, today: dt.date) -> EmGig:
    """A supervisor takes a gig down with a reason; applications not yet worked are cancelled."""
    gig = session.get(EmGig, gig_id)
    if gig is None or not by.covers(gig.division_code) or is_recruiter(by):
        raise missing_gig()
    why = text.clean(reason or "", "reason", "free", max_length=400)
    flow = posting_flow(gig)

    def work(_step: Any) -> str | None:
        gig.state = "taken_down"
        gig.takedown_reason = why
        _cancel_open(session, gig, by, today, ("applied", "accepted"), "cancel", why)
        return why

    event = flow.run(gig, "take_down", by, work, day=today, reason=why)
    engine.write_event(
        session, EmGigEvent, event, by, resource="em_gig", record_id=gig.id,
        division=gig.division_code, gig_id=gig.id,
    )  # fmt: skip
    return gig


__all__ = [
    "TAKING_A_SLOT",
    "GigIn",
    "close",
    "get_gig",
    "is_recruiter",
    "missing_application",
    "missing_gig",
    "params",
    "post",
    "public_gig",
    "take_down",
    "visible",
]
