"""Contributions (缴费): a resident's yearly tier with its subsidy (多缴多得), back-payment (补缴)
for people near the claim age short of the full years, employees' monthly contributions from
the wage base, and the government-paid run (政府代缴) for people in difficulty with its list
for the finance bureau (government.py).

Every contribution carries its natural period key (scheme, person, year and month), unique:
posting the same period again answers the stored contribution and records nothing (a retried
request), posting it with other figures is refused (409), and the government-paid run skips
a period already paid. Amounts wait in the contribution's ``credit_year`` until the yearly
crediting (accounts.py) moves them into the individual account.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.core.errors import ConflictError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions.enrolment import (
    active_in,
    age_on,
    clamp_base,
    enrolment_for,
    params,
    visible_person,
)
from minsheng.pensions.models import (
    EMPLOYEE_SCHEMES,
    PnAccount,
    PnContribution,
    PnEnrolment,
)
from minsheng.pensions.rules import PensionParams
from minsheng.pensions.schemas import EmployeeContributionIn, ResidentContributionIn
from minsheng.policy import ParameterTree
from minsheng.registry.models import Person

_C = "pensions.employee.contribution"
# (individual rate, employer rate) parameter paths of each employee scheme; None = no share
RATES: dict[str, tuple[str | None, str | None]] = {
    "employee_pension": (f"{_C}.individual_rate", f"{_C}.employer_rate"),
    "work_injury": (None, f"{_C}.work_injury_employer_rate"),
    "unemployment": (f"{_C}.unemployment_individual_rate", f"{_C}.unemployment_employer_rate"),
}


@dataclass
class Recorded:
    """What a post recorded: the contributions of the period, and whether they are new."""

    rows: list[PnContribution]
    created: bool


def key_of(scheme: str, person_id: int, year: int, month: int | None) -> str:
    return f"{scheme}:{person_id}:{year}" + (f"-{month:02d}" if month else "")


def _deceased(person: Person) -> None:
    if person.death_date is not None:
        raise invalid(
            "person_id",
            "deceased",
            f"该人员已于{person.death_date}死亡，不能缴费",
            f"this person died on {person.death_date}: no contribution",
            "མི་འདི་འདས་ཟིན་པས་འབབ་འཇལ་མི་ཆོག",
        )


def not_future(year: int, month: int, today: dt.date) -> None:
    if (year, month) > (today.year, today.month):
        raise invalid(
            "year",
            "future",
            "不能为将来的期间缴费",
            "a contribution for a future period is refused",
            "མ་འོངས་པའི་དུས་ཚིགས་ལ་འབབ་འཇལ་མི་ཆོག",
        )


def year_params(
    year: int, today: dt.date, division: str, tree: ParameterTree | None
) -> PensionParams:
    """A past year's figures as in force at its end; this year's: today's."""
    return params(dt.date(year, 12, 31) if year < today.year else today, division, tree)


def account(session: Session, person_id: int, scheme: str) -> PnAccount:
    """The person's individual account of a pension scheme (opened at the first contribution)."""
    found = session.scalar(
        select(PnAccount).where(PnAccount.person_id == person_id, PnAccount.scheme == scheme)
    )
    if found is None:
        found = PnAccount(person_id=person_id, scheme=scheme, balance=0)
        session.add(found)
        session.flush()
    return found


def _credit_year(acct: PnAccount, year: int) -> int:
    """A contribution enters the account with its year's crediting, or the next crediting if
    that year is already credited (nothing is ever lost or credited twice)."""
    last = acct.last_credited_year
    return year if last is None or year > last else last + 1


def existing(session: Session, keys: list[str]) -> dict[str, PnContribution]:
    rows = session.scalars(select(PnContribution).where(PnContribution.key.in_(keys))).all()
    return {r.key: r for r in rows}


def _same(row: PnContribution, individual: int, employer: int, subsidy: int, gov: bool) -> bool:
    return (row.individual, row.employer, row.subsidy, row.government_paid) == (
        individual,
        employer,
        subsidy,
        gov,
    )


def _conflict(key: str) -> ConflictError:
    return ConflictError(
        "year",
        "already_paid",
        f"该期间已有不同金额的缴费记录（{key}）",
        f"this period already holds a contribution with other figures ({key})",
        "དུས་ཚིགས་འདིར་འབབ་འཇལ་ཐོ་འགོད་ཟིན།",
    )


# --------------------------------------------------------------------------- residents


def tier_of(p: PensionParams, paid: int, field: str = "tier") -> int:
    """The subsidy of the tier ``paid`` (fen a year); 422 naming ``field`` if not a tier."""
    tiers = p.tiers()
    for amount, subsidy in tiers:
        if amount == paid:
            return subsidy
    allowed = "、".join(money.to_str(a) for a, _ in tiers) or "—"
    raise invalid(
        field,
        "tier",
        f"缴费档次应为以下之一：{allowed}",
        f"the tier must be one of: {allowed}",
        f"འབབ་འཇལ་གྱི་རིམ་པ་ནི་{allowed}",
    )


def record_resident(
    session: Session,
    data: ResidentContributionIn,
    by: Principal,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> Recorded:
    """A resident's yearly contribution at a tier of the table, with its subsidy; with
    ``back_payment`` a past year's 补缴 (age and years as the parameters allow)."""
    today = today or dt.date.today()
    person = visible_person(session, data.person_id, by)
    paid = money.parse(data.tier, "tier")
    _deceased(person)
    not_future(data.year, 1, today)
    first, last = dt.date(data.year, 1, 1), dt.date(data.year, 12, 31)
    if data.back_payment:
        enrolment = _back_payment_enrolment(session, person, data.year, today, tree)
        p = year_params(data.year, today, enrolment.division_code, tree)
        subsidy = tier_of(p, paid)
        if not p.flag("pensions.resident.back_payment_subsidised"):
            subsidy = 0
    else:
        enrolment = enrolment_for(session, person.id, "resident_pension", first, last)
        p = year_params(data.year, today, enrolment.division_code, tree)
        subsidy = tier_of(p, paid)
    return store_yearly(
        session,
        by,
        enrolment,
        data.year,
        paid,
        subsidy,
        government=False,
        kind="back_payment" if data.back_payment else "regular",
        paid_by=f"person:{person.id}",
        credit_now=today.year if data.back_payment else None,
    )


def store_yearly(
    session: Session,
    by: Principal,
    enrolment: PnEnrolment,
    year: int,
    paid: int,
    subsidy: int,
    government: bool,
    kind: str,
    paid_by: str,
    credit_now: int | None = None,
    audited: bool = True,
) -> Recorded:
    key = key_of("resident_pension", enrolment.person_id, year, None)
    found = existing(session, [key]).get(key)
    if found is not None:
        if _same(found, paid, 0, subsidy, government) and found.kind == kind:
            return Recorded([found], created=False)
        raise _conflict(key)
    acct = account(session, enrolment.person_id, "resident_pension")
    row = PnContribution(
        key=key,
        person_id=enrolment.person_id,
        enrolment_id=enrolment.id,
        scheme="resident_pension",
        kind=kind,
        year=year,
        month=None,
        credit_year=_credit_year(acct, max(year, credit_now or year)),
        base=None,
        individual=paid,
        employer=0,
        subsidy=subsidy,
        government_paid=government,
        paid_by=paid_by,
        division_code=enrolment.division_code,
        recorded_by=by.actor,
    )
    session.add(row)
    session.flush()
    if audited:
        audit.record(
            session,
            by,
            "create",
            "pn_contribution",
            row.id,
            row.division_code,
            {"key": key, "individual": paid, "subsidy": subsidy, "government_paid": government},
        )
    return Recorded([row], created=True)


def _back_payment_enrolment(
    session: Session, person: Person, year: int, today: dt.date, tree: ParameterTree | None
) -> PnEnrolment:
    """补缴 of a past year is allowed to someone enrolled now, within ``back_payment_age``
    years of the claim age, with fewer than the full years paid, for a year from age 16."""
    enrolment = enrolment_for(
        session, person.id, "resident_pension", dt.date(today.year, 1, 1), today
    )
    p = params(today, enrolment.division_code, tree)
    r = "pensions.resident"
    claim, window = p.int_(f"{r}.claim_age"), p.int_(f"{r}.back_payment_age")
    full = p.int_(f"{r}.full_years")
    age = age_on(person.birth_date, today)
    if year >= today.year:
        raise invalid(
            "year", "not_past", "补缴只适用于以前年度", "back-payment is for past years only"
        )
    if not claim - window <= age:
        raise invalid(
            "back_payment",
            "too_young",
            f"距领取年龄{claim}岁不足{window}年的参保人方可补缴",
            f"back-payment is open within {window} years of the claim age {claim}",
            "ལོ་ཚད་མ་ལོན།",
        )
    paid_years = session.scalar(
        select(func.count())
        .select_from(PnContribution)
        .where(PnContribution.person_id == person.id, PnContribution.scheme == "resident_pension")
    )
    if (paid_years or 0) >= full:
        raise invalid(
            "back_payment",
            "full_years",
            f"累计缴费已满{full}年，不能补缴",
            f"{full} years are already paid: no back-payment",
        )
    if year < person.birth_date.year + p.int_(f"{r}.minimum_age"):
        raise invalid(
            "year",
            "too_young",
            "补缴年度早于年满16周岁",
            "the year lies before the person turned 16",
        )
    return enrolment


# --------------------------------------------------------------------------- employees


def _split(total: int, n: int) -> list[int]:
    """A yearly-rounded total spread over ``n`` months (the last takes the remainder)."""
    each = total // n
    return [each] * (n - 1) + [total - each * (n - 1)]


def record_employee(
    session: Session,
    data: EmployeeContributionIn,
    by: Principal,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> Recorded:
    """An employee's monthly contributions ``from_month``–``to_month`` of a year, from the
    wage base (clamped), by the scheme's rates. With ``round_monthly_then_sum`` each month is
    rounded to the fen; otherwise the months' total is rounded once and spread."""
    today = today or dt.date.today()
    scheme = data.scheme
    if scheme not in EMPLOYEE_SCHEMES:
        raise invalid(
            "scheme",
            "scheme_unknown",
            f"职工险种应为：{'、'.join(EMPLOYEE_SCHEMES)}",
            f"the scheme must be one of: {', '.join(EMPLOYEE_SCHEMES)}",
        )
    if data.to_month < data.from_month:
        raise invalid("to_month", "order", "结束月份早于开始月份", "to_month is before from_month")
    person = visible_person(session, data.person_id, by)
    _deceased(person)
    not_future(data.year, data.to_month, today)
    months = list(range(data.from_month, data.to_month + 1))
    first = dt.date(data.year, data.from_month, 1)
    last = dt.date(data.year, data.to_month, monthrange(data.year, data.to_month)[1])
    enrolment = enrolment_for(session, person.id, scheme, first, last)
    for m in months:
        start = dt.date(data.year, m, 1)
        if not active_in(enrolment, start, dt.date(data.year, m, monthrange(data.year, m)[1])):
            raise ConflictError(
                "from_month",
                "not_enrolled",
                f"{data.year}年{m}月不在参保期间内（或已暂停）",
                f"{data.year}-{m:02d} lies outside the enrolment (or it is suspended)",
            )
    if data.wage is not None:
        wage = money.parse(data.wage, "wage")
        if wage < 0:
            raise invalid("wage", "negative", "月工资不能为负数", "the wage cannot be negative")
    else:
        wage = enrolment.base or 0
    ind_path, emp_path = RATES[scheme]
    p0 = params(first, enrolment.division_code, tree)
    monthly = p0.flag(f"{_C}.round_monthly_then_sum")
    figures: list[tuple[int, int, int, int]] = []  # (month, base, individual, employer)
    if monthly:
        for m in months:
            p = params(dt.date(data.year, m, 1), enrolment.division_code, tree)
            base = clamp_base(p, wage)
            figures.append((m, base, _share(p, ind_path, base), _share(p, emp_path, base)))
    else:
        base = clamp_base(p0, wage)
        n = len(months)
        ind = _split(_share(p0, ind_path, base * n), n)
        emp = _split(_share(p0, emp_path, base * n), n)
        figures = [(m, base, ind[i], emp[i]) for i, m in enumerate(months)]
    keys = [key_of(scheme, person.id, data.year, m) for m, *_ in figures]
    found = existing(session, keys)
    if found:
        if len(found) == len(keys) and all(
            _same(found[k], f[2], f[3], 0, False) and found[k].base == f[1]
            for k, f in zip(keys, figures, strict=True)
        ):
            return Recorded([found[k] for k in keys], created=False)
        raise _conflict(next(iter(found)))
    acct = account(session, person.id, scheme) if scheme == "employee_pension" else None
    rows = []
    for key, (m, base, ind_fen, emp_fen) in zip(keys, figures, strict=True):
        rows.append(
            PnContribution(
                key=key,
                person_id=person.id,
                enrolment_id=enrolment.id,
                scheme=scheme,
                kind="regular",
                year=data.year,
                month=m,
                credit_year=_credit_year(acct, data.year) if acct else data.year,
                base=base,
                individual=ind_fen,
                employer=emp_fen,
                subsidy=0,
                government_paid=False,
                paid_by=f"employer:{enrolment.employer_id}",
                division_code=enrolment.division_code,
                recorded_by=by.actor,
            )
        )
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        by,
        "create",
        "pn_contribution",
        rows[0].id,
        enrolment.division_code,
        {"keys": keys, "individual": sum(r.individual for r in rows)},
    )
    return Recorded(rows, created=True)


def _share(p: PensionParams, path: str | None, amount: int) -> int:
    return 0 if path is None else money.apply_ratio(amount, p.ratio(path))


# --------------------------------------------------------------------------- reads


def contribution_out(c: PnContribution) -> dict[str, Any]:
    return {
        "id": c.id,
        "key": c.key,
        "scheme": c.scheme,
        "kind": c.kind,
        "year": c.year,
        "month": c.month,
        "credit_year": c.credit_year,
        "base": None if c.base is None else money.to_str(c.base),
        "individual": money.to_str(c.individual),
        "employer": money.to_str(c.employer),
        "subsidy": money.to_str(c.subsidy),
        "government_paid": c.government_paid,
        "paid_by": c.paid_by,
    }


def contributions_of(
    session: Session, person_id: int, by: Principal, year: int | None = None
) -> list[PnContribution]:
    visible_person(session, person_id, by)
    return own(session, person_id, year)


def own(session: Session, person_id: int, year: int | None = None) -> list[PnContribution]:
    """The person's contributions (the caller has checked who may see them)."""
    query = select(PnContribution).where(PnContribution.person_id == person_id)
    if year is not None:
        query = query.where(PnContribution.year == year)
    return list(
        session.scalars(
            query.order_by(PnContribution.year, PnContribution.month, PnContribution.scheme)
        )
    )
