"""Helpers of the one-to-one help tests: people, households, statuses and seekers built from the
registry, an employer with a published vacancy and a filed hire, staff principals."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.registry import service as registry
from minsheng.registry.models import Employer, Enrolment, Household, SpecialStatus
from minsheng.registry.schemas import PersonIn

BY = system("test")
TODAY = dt.date(2026, 6, 1)  # a Monday
CHENGGUAN, SAMZHUBZE = "540102", "540202"  # Lhasa, Shigatse


def staff(user_id: int, region: str, role: str = "caseworker") -> Principal:
    return Principal(
        kind="staff",
        name=f"u{user_id}",
        role=role,
        region=region,
        permissions=PERMISSIONS[role],
        user_id=user_id,
    )


def person(
    s: Session,
    seq: int,
    *,
    sex: str = "M",
    birth: dt.date = dt.date(1990, 3, 3),
    county: str = CHENGGUAN,
    household: Household | None = None,
    name: str = "次仁多吉",
) -> int:
    """A person of the registry; ``seq`` odd for a man, even for a woman (GB 11643)."""
    n = seq * 2 + (1 if sex == "M" else 0)
    p = registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(county, birth, n % 1000),
            name_zh=name,
            hukou="urban",
            division_code=county,
        ),
        BY,
    )
    if household is not None:
        p.household_id = household.id
    s.flush()
    return p.id


def household(s: Session, code: str, county: str = CHENGGUAN) -> Household:
    h = Household(code=code, division_code=county, area="urban")
    s.add(h)
    s.flush()
    return h


def status(s: Session, person_id: int, kind: str, start: dt.date = dt.date(2025, 1, 1)) -> None:
    grade = 2 if kind == "disability" else None
    s.add(SpecialStatus(person_id=person_id, kind=kind, start_date=start, disability_grade=grade))
    s.flush()


def seeker(
    s: Session,
    person_id: int,
    since: dt.date,
    *,
    county: str = CHENGGUAN,
    status: str = "unemployed",
    graduate_year: int | None = None,
) -> EmSeeker:
    row = EmSeeker(
        person_id=person_id,
        division_code=county,
        status=status,
        graduate_year=graduate_year,
        confirmed_on=since,
        state="active",
    )
    s.add(row)
    s.flush()
    s.add(EmSeekerStatus(seeker_id=row.id, status=status, from_day=since, by="test"))
    s.flush()
    return row


def set_status(s: Session, sk: EmSeeker, status: str, day: dt.date) -> None:
    sk.status = status
    s.add(EmSeekerStatus(seeker_id=sk.id, status=status, from_day=day, by="test"))
    s.flush()


def employer(s: Session, serial: int = 1, county: str = CHENGGUAN) -> Employer:
    e = Employer(
        credit_code=ids.make_credit_code(county, serial),
        name=f"拉萨测试单位{serial}",
        division_code=county,
    )
    s.add(e)
    s.flush()
    return e


def vacancy(s: Session, e: Employer, state: str = "published") -> EmVacancy:
    v = EmVacancy(
        employer_id=e.id,
        division_code=e.division_code,
        title="保洁员",
        occupation="4",
        count=3,
        wage_min=300_000,
        wage_max=400_000,
        closing_on=TODAY + dt.timedelta(days=60),
        state=state,
        created_by="test",
    )
    s.add(v)
    s.flush()
    return v


def hire(s: Session, e: Employer, person_id: int, day: dt.date, state: str = "filed") -> EmHire:
    h = EmHire(
        employer_id=e.id,
        person_id=person_id,
        division_code=e.division_code,
        occupation="4",
        hired_on=day,
        file_by=day + dt.timedelta(days=30),
        filed_on=day if state == "filed" else None,
        state=state,
        by="test",
    )
    s.add(h)
    s.flush()
    return h


def employed_enrolment(s: Session, person_id: int, e: Employer) -> None:
    s.add(
        Enrolment(
            person_id=person_id,
            scheme="employee_active",
            start_date=dt.date(2020, 1, 1),
            employer_id=e.id,
            pooling_region="540100",
        )
    )
    s.flush()
