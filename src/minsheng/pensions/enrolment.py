"""Enrolment in social insurance (参保登记): employee pension, work-injury and unemployment
insurance through an employer (its credit code; the contribution base is the wage clamped to
the floor and ceiling), and 城乡居民基本养老保险 for residents aged 16 or more who are not in
the employee scheme. No hukou restriction: a person enrols in the county where they live or
work (seed 001). One active pension scheme per person at a time; periods end and may be
suspended (暂停) and resumed.

Who sees a person's insurance: staff whose region covers the person's county of residence or
a county where the person is enrolled; anyone else is told "no such person", as elsewhere.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import ids, money
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions.models import EMPLOYEE_SCHEMES, PENSION_SCHEMES, SCHEMES, PnEnrolment
from minsheng.pensions.rules import PensionParams
from minsheng.pensions.schemas import EnrolIn
from minsheng.policy import ParameterTree, load
from minsheng.registry.checks import check_period, county, overlaps
from minsheng.registry.models import Employer, Person

SCHEME_ZH = {
    "employee_pension": "职工基本养老保险",
    "work_injury": "工伤保险",
    "unemployment": "失业保险",
    "resident_pension": "城乡居民基本养老保险",
}


def params(day: dt.date, division: str | None, tree: ParameterTree | None = None) -> PensionParams:
    """The pension figures in force on ``day`` in ``division``'s pooling region."""
    if tree is None:
        return _shipped(day, division)
    return PensionParams.from_snapshot(tree.at(day, division))


@lru_cache(maxsize=4096)
def _shipped(day: dt.date, division: str | None) -> PensionParams:
    """The shipped tree's figures (loaded once, never changed), remembered per day and place."""
    return PensionParams.from_snapshot(load().at(day, division))


def no_person(person_id: int) -> NotFoundError:
    return NotFoundError(
        "person_id",
        f"人员{person_id}不存在",
        f"no person {person_id}",
        f"མི་སྣ་{person_id}མེད།",
    )


def visible_person(session: Session, person_id: int, by: Principal) -> Person:
    """The person, if ``by`` covers their county of residence or a county where they are
    enrolled; otherwise 404, as for a person who does not exist."""
    person = session.get(Person, person_id)
    if person is None:
        raise no_person(person_id)
    if by.covers(person.division_code):
        return person
    where = session.scalars(
        select(PnEnrolment.division_code).where(PnEnrolment.person_id == person_id)
    ).all()
    if any(by.covers(d) for d in where):
        return person
    raise no_person(person_id)


def load_enrolment(session: Session, enrolment_id: int, by: Principal) -> PnEnrolment:
    found = session.get(PnEnrolment, enrolment_id)
    person = session.get(Person, found.person_id) if found is not None else None
    if (
        found is None
        or person is None
        or not (by.covers(found.division_code) or by.covers(person.division_code))
    ):
        raise NotFoundError(
            "enrolment_id",
            f"参保记录{enrolment_id}不存在",
            f"no enrolment {enrolment_id}",
            f"འགན་ལེན་ཐོ་{enrolment_id}མེད།",
        )
    return found


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise invalid(
            "scheme",
            "scheme_unknown",
            f"险种无效：{scheme}（{'、'.join(SCHEMES)}）",
            f"unknown scheme {scheme!r} (one of: {', '.join(SCHEMES)})",
            "འགན་ལེན་གྱི་རིགས་ནོར་འདུག",
        )
    return scheme


def clamp_base(p: PensionParams, wage: int) -> int:
    """The monthly contribution base: the wage, within 60 %–300 % of the average monthly wage
    (``pensions.employee.contribution.base_floor_share`` / ``base_ceiling_share``)."""
    average = Fraction(p.int_("economy.average_wage_yearly"), 12)
    floor = average * p.ratio("pensions.employee.contribution.base_floor_share")
    ceiling = average * p.ratio("pensions.employee.contribution.base_ceiling_share")
    low = -((-floor.numerator) // floor.denominator)  # the floor rounded up to the fen
    high = ceiling.numerator // ceiling.denominator  # the ceiling rounded down
    return min(max(wage, low), high)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _employer(session: Session, code: str | None, by: Principal) -> Employer:
    if not code:
        raise invalid(
            "credit_code",
            "required",
            "职工险种须填写用人单位的统一社会信用代码",
            "employee schemes need the employer's credit code",
            "ལས་བྱེད་པའི་འགན་ལེན་ལ་ལས་ཁུངས་ཀྱི་ཨང་རྟགས་དགོས།",
        )
    parsed = ids.parse_credit_code(code).code
    employer = session.scalar(select(Employer).where(Employer.credit_code == parsed))
    if employer is None or not by.covers(employer.division_code):
        raise NotFoundError(
            "credit_code",
            "没有登记该信用代码的单位",
            "no employer with this credit code",
            "ཨང་རྟགས་འདི་ལྡན་པའི་ལས་ཁུངས་མེད།",
        )
    return employer


def enrol(
    session: Session, data: EnrolIn, by: Principal, tree: ParameterTree | None = None
) -> PnEnrolment:
    """Enrol a person in a scheme from ``start_date`` (validate everything, then write)."""
    scheme = check_scheme(data.scheme)
    check_period(data.start_date, data.end_date)
    employer: Employer | None = None
    base: int | None = None
    if scheme in EMPLOYEE_SCHEMES:
        employer = _employer(session, data.credit_code, by)
        person = session.get(Person, data.person_id)
        # the employer vouches for its employee: its county's staff may enrol them
        if person is None or not (
            by.covers(person.division_code) or by.covers(employer.division_code)
        ):
            raise no_person(data.person_id)
        division = employer.division_code
        if data.wage is None:
            raise invalid(
                "wage",
                "required",
                "职工险种须填写月工资（缴费基数）",
                "employee schemes need the monthly wage (the contribution base)",
                "ཟླ་རེའི་གླ་ཕོགས་དགོས།",
            )
        wage = money.parse(data.wage, "wage")
        if wage < 0:
            raise invalid("wage", "negative", "月工资不能为负数", "the wage cannot be negative")
        base = clamp_base(params(data.start_date, division, tree), wage)
    else:
        person = session.get(Person, data.person_id)
        if person is None or not by.covers(person.division_code):
            raise no_person(data.person_id)
        for name, value in (("credit_code", data.credit_code), ("wage", data.wage)):
            if value is not None:
                raise invalid(
                    name,
                    "not_for_residents",
                    "城乡居民养老保险不填写单位和工资",
                    "the resident scheme takes no employer and no wage",
                )
        division = county(data.division_code or person.division_code).code
        p = params(data.start_date, division, tree)
        least = p.int_("pensions.resident.minimum_age")
        if age_on(person.birth_date, data.start_date) < least:
            raise invalid(
                "start_date",
                "too_young",
                f"城乡居民养老保险参保年龄须满{least}周岁",
                f"the resident scheme starts at age {least}",
                f"ལོ་{least}ལོན་དགོས།",
            )
    if data.start_date < person.birth_date:
        raise invalid(
            "start_date", "before_birth", "参保开始日期早于出生日期", "starts before birth"
        )
    if person.death_date is not None and data.start_date > person.death_date:
        raise invalid(
            "person_id",
            "deceased",
            "该人员已死亡，不能参保",
            "this person has died and cannot be enrolled",
            "མི་འདི་འདས་ཟིན།",
        )
    _check_overlaps(session, person.id, scheme, data.start_date, data.end_date)
    row = PnEnrolment(
        person_id=person.id,
        scheme=scheme,
        employer_id=employer.id if employer else None,
        division_code=division,
        base=base,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        by,
        "create",
        "pn_enrolment",
        row.id,
        division,
        {"person_id": person.id, "scheme": scheme, "base": base},
    )
    return row


def _check_overlaps(
    session: Session, person_id: int, scheme: str, start: dt.date, end: dt.date | None
) -> None:
    existing = session.scalars(select(PnEnrolment).where(PnEnrolment.person_id == person_id))
    for e in existing:
        if not overlaps(e.start_date, e.end_date, start, end):
            continue
        if e.scheme == scheme:
            raise ConflictError(
                "start_date",
                "enrolment_overlap",
                f"与已有{SCHEME_ZH[scheme]}参保期间（{e.start_date}起）重叠",
                f"overlaps the {scheme} enrolment from {e.start_date}",
                "འགན་ལེན་དུས་ཚིགས་གཅིག་ཏུ་ཟླ་འདུག",
            )
        if e.scheme in PENSION_SCHEMES and scheme in PENSION_SCHEMES:
            raise ConflictError(
                "scheme",
                "one_pension_scheme",
                f"已参加{SCHEME_ZH[e.scheme]}（{e.start_date}起）：同一时间只能参加一种基本养老保险",
                f"already in {e.scheme} from {e.start_date}: one pension scheme at a time",
                "དུས་གཅིག་ལ་རྒན་གསོའི་འགན་ལེན་གཅིག་ཁོ་ན།",
            )


def end_enrolment(session: Session, enrolment_id: int, end: dt.date, by: Principal) -> PnEnrolment:
    """Close an enrolment on ``end`` (its last day)."""
    row = load_enrolment(session, enrolment_id, by)
    check_period(row.start_date, end)
    if row.end_date is not None and end > row.end_date:
        raise ConflictError(
            "end_date",
            "already_ended",
            f"该参保已于{row.end_date}终止",
            f"this enrolment already ended on {row.end_date}",
        )
    row.end_date = end
    session.flush()
    audit.record(session, by, "end", "pn_enrolment", row.id, row.division_code, {"end": str(end)})
    return row


def suspend(session: Session, enrolment_id: int, on: dt.date | None, by: Principal) -> PnEnrolment:
    """Suspend contributions from ``on`` (暂停缴费), or resume (``on`` is None)."""
    row = load_enrolment(session, enrolment_id, by)
    if on is not None and (on < row.start_date or (row.end_date and on > row.end_date)):
        raise invalid(
            "on",
            "outside_period",
            "暂停日期不在参保期间内",
            "the suspension date lies outside the enrolment",
        )
    row.suspended_on = on
    session.flush()
    action = "suspend" if on else "resume"
    audit.record(session, by, action, "pn_enrolment", row.id, row.division_code, {"on": str(on)})
    return row


def active_in(e: PnEnrolment, first: dt.date, last: dt.date) -> bool:
    """Whether the enrolment runs, unsuspended, on some day between ``first`` and ``last``."""
    if not overlaps(e.start_date, e.end_date, first, last):
        return False
    return e.suspended_on is None or e.suspended_on > first


def enrolment_for(
    session: Session, person_id: int, scheme: str, first: dt.date, last: dt.date
) -> PnEnrolment:
    rows = session.scalars(
        select(PnEnrolment).where(PnEnrolment.person_id == person_id, PnEnrolment.scheme == scheme)
    ).all()
    for e in rows:
        if active_in(e, first, last):
            return e
    raise ConflictError(
        "person_id",
        "not_enrolled",
        f"该人员在{first}至{last}未参加{SCHEME_ZH.get(scheme, scheme)}（或已暂停）",
        f"not enrolled in {scheme} between {first} and {last} (or suspended)",
        "འགན་ལེན་ལ་ཞུགས་མེད།",
    )


def enrolment_out(e: PnEnrolment) -> dict[str, Any]:
    return {
        "id": e.id,
        "person_id": e.person_id,
        "scheme": e.scheme,
        "employer_id": e.employer_id,
        "division_code": e.division_code,
        "base": None if e.base is None else money.to_str(e.base),
        "start_date": e.start_date.isoformat(),
        "end_date": e.end_date.isoformat() if e.end_date else None,
        "suspended_on": e.suspended_on.isoformat() if e.suspended_on else None,
    }


def enrolments_of(session: Session, person_id: int, by: Principal) -> list[PnEnrolment]:
    visible_person(session, person_id, by)
    return own_enrolments(session, person_id)


def own_enrolments(session: Session, person_id: int) -> list[PnEnrolment]:
    """The person's enrolments (the caller has checked who may see them)."""
    return list(
        session.scalars(
            select(PnEnrolment)
            .where(PnEnrolment.person_id == person_id)
            .order_by(PnEnrolment.start_date, PnEnrolment.id)
        )
    )
