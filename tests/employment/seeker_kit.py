"""Helpers of the job seekers' tests: registry persons by ID number, staff principals."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from minsheng.auth.service import citizen_principal
from minsheng.core import ids
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import PersonIn

BY = system("test")
TODAY = dt.date(2026, 6, 1)
_seq = itertools.count(101)


def new_id(county: str = "540102", birth: dt.date = dt.date(1995, 3, 4)) -> str:
    return ids.make_resident_id(county, birth, next(_seq) % 999 + 1)


def person(
    s: Session,
    county: str = "540102",
    birth: dt.date = dt.date(1995, 3, 4),
    name: str = "次仁卓玛",
    id_number: str | None = None,
) -> tuple[Person, str]:
    """A registry person and their ID number."""
    number = id_number or new_id(county, birth)
    p = registry.create_person(
        s, PersonIn(id_number=number, name_zh=name, division_code=county, hukou="urban"), BY
    )
    s.flush()
    return p, number


def caseworker(region: str = "540100", user_id: int = 9001) -> Principal:
    return staff(user_id, f"caseworker.{region}", "caseworker", region)


def citizen(p: Person) -> Principal:
    return citizen_principal(p)


def recruiter(region: str = "540100", user_id: int = 9002) -> Principal:
    return staff(user_id, f"employer.{region}", "employer", region)
