"""Helpers of the gig-market tests: workers of several ages and statuses, an employer with a
bound recruiter, a caseworker and a supervisor of Lhasa, a gig."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.employment import gig_applications as apps
from minsheng.employment import gigs
from minsheng.employment.gig_models import EmGig
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn, StatusIn
from minsheng.registry.statuses import add_status

BY = system("test")
TODAY = dt.date(2026, 6, 1)  # a Monday
CHENGGUAN, SAMZHUBZE = "540102", "540202"
LHASA, SHIGATSE = "540100", "540200"
_n = iter(range(1, 100_000))


def staff(user_id: int, region: str, role: str = "caseworker") -> Principal:
    return Principal(
        kind="staff",
        name=f"u{user_id}",
        role=role,
        region=region,
        permissions=PERMISSIONS[role],
        user_id=user_id,
    )


def citizen(person_id: int) -> Principal:
    return Principal(
        kind="citizen",
        name=f"p{person_id}",
        role="citizen",
        permissions=PERMISSIONS["citizen"],
        person_id=person_id,
    )


def person(
    s: Session,
    birth: dt.date = dt.date(1995, 3, 3),
    county: str = CHENGGUAN,
    female: bool = False,
    statuses: tuple[str, ...] = (),
    name: str = "",
) -> Person:
    n = next(_n)
    seq = (n * 2 + (0 if female else 1)) % 1000
    p = registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(county, birth, seq),
            name_zh=name or f"零工{n}",
            hukou="rural",
        ),
        BY,
    )
    for kind in statuses:
        grade = 3 if kind == "disability" else None
        add_status(
            s, p.id, StatusIn(kind=kind, start_date=dt.date(2020, 1, 1), disability_grade=grade), BY
        )
    return p


def recruiter(s: Session, region: str = LHASA, county: str = CHENGGUAN) -> Principal:
    """A recruiter bound to a new employer of ``county``."""
    n = next(_n)
    e = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code(county, 500 + n),
            name=f"零工测试单位{n}",
            division_code=county,
        ),
        BY,
    )
    u = create_user(s, BY, f"recruiter{n}", "correct-horse-1", "employer", region)
    employers.bind(s, u.id, e.id, BY)
    return staff(u.id, region, "employer")


def gig_in(**over: Any) -> gigs.GigIn:
    base: dict[str, Any] = {
        "title": "搬运工（临时）",
        "occupation": "6",
        "day_pay": "200",
        "county": CHENGGUAN,
        "address": "城关区北京中路1号",
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=2),
        "slots": 2,
        "requirements": "身体健康",
    }
    base.update(over)
    return gigs.GigIn(**base)


def post(s: Session, by: Principal, **over: Any) -> EmGig:
    return gigs.post(s, gig_in(**over), by, TODAY)


def apply(s: Session, gig: EmGig, p: Person) -> int:
    return apps.apply(s, gig.id, citizen(p.id), TODAY).id
