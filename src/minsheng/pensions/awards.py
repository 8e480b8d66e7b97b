"""Pension awards (待遇核定): claiming a pension for an enrolled person who qualifies — a
resident at ``pensions.resident.claim_age`` with at least ``pensions.resident.full_years`` of
contributions; an employee at the statutory retirement month (``pensions.retirement``) with at
least the minimum contribution months of that month — computing the monthly amount with the
pure rules (``rules.resident_pension`` / ``rules.employee_pension``) from the credited account
balance and the contribution record, storing the award with its parts and the parameters they
read, and ending the contributions (the enrolment ends the day before the first month paid).

The claim itself is an identity check in person, so it counts as the first certification: the
next is due ``pensions.certification.interval_months`` later (``certification.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import rules
from minsheng.pensions.enrolment import SCHEME_ZH, params, visible_person
from minsheng.pensions.models import (
    PENSION_SCHEMES,
    PnAccount,
    PnAward,
    PnContribution,
    PnEnrolment,
)
from minsheng.pensions.schemas import ClaimIn
from minsheng.registry.models import Person

#: Engineering bound: a claim may start at most this many months after today (a claim filed
#: ahead of the birthday); back-dated starts are paid as arrears by the next roll.
MAX_START_AHEAD_MONTHS = 3


def month_of(text: str, field: str = "month") -> int:
    """A YYYY-MM text as a month index (``rules.month_index``)."""
    try:
        year_text, month_text = str(text).split("-")
        year, month = int(year_text), int(month_text)
        if not (1900 <= year <= 2200 and 1 <= month <= 12) or len(month_text) != 2:
            raise ValueError
    except ValueError:
        raise invalid(
            field,
            "month",
            f"月份格式应为YYYY-MM：{str(text)[:16]!r}",
            f"a month is YYYY-MM: {str(text)[:16]!r}",
            bo="ཟླ་བའི་རྣམ་པ་YYYY-MM",
        ) from None
    return rules.month_index(year, month)


def first_day(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def add_months(day: dt.date, n: int) -> dt.date:
    """The first of the month ``n`` months after ``day``'s month."""
    return first_day(rules.month_index(day.year, day.month) + n)


def no_award(award_id: int) -> NotFoundError:
    return NotFoundError(
        "award_id",
        f"待遇记录{award_id}不存在",
        f"no pension award {award_id}",
        bo=f"རྒན་གསོའི་ཐོབ་ཐང་{award_id}མེད།",
    )


def load_award(session: Session, award_id: int, by: Principal) -> PnAward:
    """The award, if ``by`` covers the county where it is paid; elsewhere answers as missing."""
    award = session.get(PnAward, award_id)
    if award is None or not by.covers(award.division_code):
        raise no_award(award_id)
    return award


def _error(rule: str, zh: str, en: str, bo: str, field: str = "person_id") -> ConflictError:
    return ConflictError(field, rule, zh, en, bo=bo)


def _parts_json(parts: list[rules.Part]) -> str:
    return json.dumps(
        [
            {
                "name": x.name,
                "zh": x.zh,
                "amount": x.amount,
                "formula": x.formula,
                "parameters": [i.to_dict() for i in x.parameters],
            }
            for x in parts
        ],
        ensure_ascii=False,
        sort_keys=True,
    )


def _enrolment(session: Session, person_id: int, scheme: str) -> PnEnrolment:
    rows = session.scalars(
        select(PnEnrolment)
        .where(PnEnrolment.person_id == person_id, PnEnrolment.scheme == scheme)
        .order_by(PnEnrolment.start_date.desc())
    ).all()
    if not rows:
        raise _error(
            "not_enrolled",
            f"该人员未参加{SCHEME_ZH.get(scheme, scheme)}",
            f"the person is not enrolled in {scheme}",
            "འགན་ལེན་ལ་ཞུགས་མེད།",
        )
    return rows[0]


def _balance(session: Session, person_id: int, scheme: str) -> int:
    balance = session.scalar(
        select(PnAccount.balance).where(
            PnAccount.person_id == person_id, PnAccount.scheme == scheme
        )
    )
    return int(balance or 0)


def _resident(
    session: Session, person: Person, start: int, today: dt.date
) -> tuple[int, list[rules.Part]]:
    """The first month a resident may be paid, and the pension's parts."""
    p = params(first_day(start), person.division_code)
    birth = rules.month_index(person.birth_date.year, person.birth_date.month)
    qualifies = birth + 12 * p.int_("pensions.resident.claim_age")
    years = len(
        set(
            session.scalars(
                select(PnContribution.year).where(
                    PnContribution.person_id == person.id,
                    PnContribution.scheme == "resident_pension",
                )
            )
        )
    )
    full = p.int_("pensions.resident.full_years")
    _check_age(start, qualifies)
    if years < full:
        raise _error(
            "too_few_years",
            f"缴费{years}年，不足{full}年（可按规定补缴）",
            f"{years} years of contributions, fewer than {full} (back-payment may be allowed)",
            f"འབབ་དངུལ་ལོ་{years}ལས་མེད།",
        )
    balance = _balance(session, person.id, "resident_pension")
    return qualifies, rules.resident_pension(p, balance, years)


def _check_age(start: int, qualifies: int) -> None:
    if start < qualifies:
        raise _error(
            "too_young",
            f"{rules.month_text(qualifies)}起方可领取",
            f"the pension can be paid from {rules.month_text(qualifies)} at the earliest",
            f"{rules.month_text(qualifies)}ནས་ལེན་ཆོག",
            field="start",
        )


def _employee(
    session: Session, person: Person, start: int, category: str
) -> tuple[int, list[rules.Part]]:
    p = params(first_day(start), person.division_code)
    birth = rules.month_index(person.birth_date.year, person.birth_date.month)
    sex = "male" if person.sex == "M" else "female"
    r = rules.retirement(p, birth, sex, category)
    _check_age(start, r.retirement_index)
    rows = session.execute(
        select(PnContribution.year, PnContribution.base).where(
            PnContribution.person_id == person.id,
            PnContribution.scheme == "employee_pension",
            PnContribution.month.is_not(None),
        )
    ).all()
    months = len(rows)
    if months < r.minimum_contribution_months:
        raise _error(
            "too_few_months",
            f"缴费{months}个月，不足{r.minimum_contribution_months}个月",
            f"{months} months of contributions, fewer than {r.minimum_contribution_months}",
            f"འབབ་དངུལ་ཟླ་{months}ལས་མེད།",
        )
    index = Fraction(0)
    for year, base in rows:
        average = Fraction(
            params(dt.date(year, 7, 1), person.division_code).int_("economy.average_wage_yearly"),
            12,
        )
        index += Fraction(int(base or 0)) / average
    index /= months
    balance = _balance(session, person.id, "employee_pension")
    age = start - birth
    return r.retirement_index, rules.employee_pension(p, balance, months, index, age)


def claim(session: Session, data: ClaimIn, by: Principal, today: dt.date | None = None) -> PnAward:
    """Award the pension (see the module docstring). Errors name the field: too young, too
    few contributions, already claimed, dead, not enrolled."""
    today = today or dt.date.today()
    if data.scheme not in PENSION_SCHEMES:
        raise invalid(
            "scheme",
            "scheme_unknown",
            f"养老险种无效：{data.scheme}（{'、'.join(PENSION_SCHEMES)}）",
            f"unknown pension scheme {data.scheme!r} (one of: {', '.join(PENSION_SCHEMES)})",
            bo="རྒན་གསོའི་འགན་ལེན་གྱི་རིགས་ནོར་འདུག",
        )
    person = visible_person(session, data.person_id, by)
    if person.death_date is not None:
        raise _error(
            "dead",
            f"该人员已于{person.death_date}死亡",
            f"the person died on {person.death_date}",
            "མི་འདི་འདས་ཟིན།",
        )
    existing = session.scalar(select(PnAward).where(PnAward.person_id == person.id))
    if existing is not None:
        raise _error(
            "already_claimed",
            f"已核定{SCHEME_ZH[existing.scheme]}待遇（{existing.start_month}起）",
            f"a {existing.scheme} award already runs from {existing.start_month}",
            "རྒན་གསོའི་ཐོབ་ཐང་སྔོན་ནས་ཐོབ་ཟིན།",
        )
    enrolled = _enrolment(session, person.id, data.scheme)
    this_month = rules.month_index(today.year, today.month)
    wanted = month_of(data.start, "start") if data.start else None
    probe = wanted if wanted is not None else this_month
    if data.scheme == "resident_pension":
        qualifies, parts = _resident(session, person, max(probe, 0), today)
    else:
        qualifies, parts = _employee(session, person, probe, data.category)
    start = wanted if wanted is not None else max(qualifies, this_month)
    if wanted is None and start != probe:  # recompute at the month actually paid from
        if data.scheme == "resident_pension":
            _, parts = _resident(session, person, start, today)
        else:
            _, parts = _employee(session, person, start, data.category)
    if start > this_month + MAX_START_AHEAD_MONTHS:
        raise invalid(
            "start",
            "too_far_ahead",
            f"首月不能晚于{MAX_START_AHEAD_MONTHS}个月后",
            f"the first month is at most {MAX_START_AHEAD_MONTHS} months ahead",
            bo="ཟླ་དང་པོ་ཧ་ཅང་ཐག་རིང་འདུག",
        )
    first = first_day(start)
    p = params(today, enrolled.division_code)
    interval = p.int_("pensions.certification.interval_months")
    award = PnAward(
        person_id=person.id,
        scheme=data.scheme,
        division_code=enrolled.division_code,
        start_month=rules.month_text(start),
        monthly=rules.total(parts),
        parts=_parts_json(parts),
        state="active",
        last_certified_on=today,
        certification_due=add_months(today, interval),
        by=by.actor,
        overpaid=0,
    )
    session.add(award)
    _stop_contributions(session, person.id, data.scheme, first)
    session.flush()
    audit.record(
        session,
        by,
        "claim",
        "pn_award",
        award.id,
        award.division_code,
        {"scheme": award.scheme, "start": award.start_month, "monthly": award.monthly},
    )
    return award


def _stop_contributions(session: Session, person_id: int, scheme: str, first: dt.date) -> None:
    """End every open enrolment of the scheme the day before the first month paid."""
    last = first - dt.timedelta(days=1)
    for e in session.scalars(
        select(PnEnrolment).where(PnEnrolment.person_id == person_id, PnEnrolment.scheme == scheme)
    ):
        if (e.end_date is None or e.end_date > last) and e.start_date <= last:
            e.end_date = last
        elif e.end_date is None:  # enrolled only from the first month paid on: nothing ran
            e.end_date = e.start_date


def award_out(a: PnAward) -> dict[str, Any]:
    return {
        "id": a.id,
        "person_id": a.person_id,
        "scheme": a.scheme,
        "division_code": a.division_code,
        "start_month": a.start_month,
        "monthly": money.to_str(a.monthly),
        "monthly_fen": a.monthly,
        "parts": json.loads(a.parts),
        "state": a.state,
        "last_certified_on": a.last_certified_on.isoformat(),
        "certification_due": a.certification_due.isoformat(),
        "paid_through": a.paid_through,
        "suspended_on": a.suspended_on.isoformat() if a.suspended_on else None,
        "terminated_on": a.terminated_on.isoformat() if a.terminated_on else None,
        "overpaid": money.to_str(a.overpaid),
    }


def award_of(session: Session, person_id: int) -> PnAward | None:
    return session.scalar(select(PnAward).where(PnAward.person_id == person_id))
