"""Helpers for the training tests: a Lhasa site with people, an employer, and courses in any
state (dates chosen around a fixed week so session days are known: 2026-11-02 is a Monday)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.employment import training
from minsheng.employment.training_models import EmCourse
from minsheng.employment.vacancy_models import EmHire
from minsheng.foundation.principals import Principal, system
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn

BY = system("test")
MONDAY = dt.date(2026, 11, 2)
FRIDAY_NEXT = dt.date(2026, 11, 13)  # two working weeks: 10 session days


@dataclass
class Site:
    employer_id: int
    persons: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


def citizen(person_id: int) -> Principal:
    return Principal(
        kind="citizen",
        name=f"p{person_id}",
        permissions=frozenset({"self:jobs"}),
        person_id=person_id,
    )


def site(s: Session, tag: int = 0, people: int = 3, county: str = "540102") -> Site:
    e = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code(county, 6100 + tag),
            name=f"川藏铁路测试单位{tag}",
            division_code=county,
        ),
        BY,
    )
    k = Site(employer_id=e.id)
    for i in range(people):
        number = ids.make_resident_id(county, dt.date(1995, 3, 3), (tag * 40 + i) % 999 + 1)
        p = registry.create_person(
            s, PersonIn(id_number=number, name_zh=f"学员{tag}-{i}", hukou="rural"), BY
        )
        k.persons.append(p.id)
        k.numbers.append(number)
    s.flush()
    return k


def course(
    s: Session,
    state: str = "enrolling",
    *,
    county: str = "540102",
    capacity: int = 10,
    kind: str = "employment",
    employer_id: int | None = None,
    starts_on: dt.date = MONDAY,
    ends_on: dt.date = FRIDAY_NEXT,
    name: str = "电工培训班",
    **kw: Any,
) -> EmCourse:
    c = training.create_course(
        s,
        BY,
        starts_on,
        name=name,
        occupation="6",
        kind=kind,
        division_code=county,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=80,
        capacity=capacity,
        provider_name="拉萨市职业技能培训学校",
        employer_id=employer_id,
        hire_promised=kw.pop("hire_promised", 0),
        **kw,
    )
    for step in ("enrolling", "running", "finished")[
        : ("planned", "enrolling", "running", "finished").index(state)
    ]:
        training.advance(s, c.id, step, BY, ends_on if step == "finished" else starts_on)
    return c


def attend(s: Session, course_id: int, enrolment_ids: list[int], days: list[dt.date]) -> None:
    for d in days:
        training.record_attendance(s, course_id, d, enrolment_ids, BY, d)


def hire(s: Session, employer_id: int, person_id: int, on: dt.date) -> None:
    s.add(
        EmHire(
            employer_id=employer_id,
            person_id=person_id,
            division_code="540102",
            occupation="6",
            hired_on=on,
            file_by=on + dt.timedelta(days=30),
            state="due",
            by="test",
        )
    )
    s.flush()
