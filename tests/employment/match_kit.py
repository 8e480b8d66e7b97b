"""A small world for the match-area tests: seekers and vacancies written straight into the
lead's tables (the seeker and vacancy services are built in parallel)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry.models import Employer
from minsheng.registry.schemas import PersonIn
from minsheng.registry.service import create_person

BY = system("test")
TODAY = dt.date(2026, 11, 20)
_seq = iter(range(1, 10**6))


def employer(s: Session, name: str = "拉萨测试酒店有限公司", county: str = "540102") -> Employer:
    n = next(_seq)
    e = Employer(credit_code=ids.make_credit_code(county, 700 + n), name=name, division_code=county)
    s.add(e)
    s.flush()
    return e


def seeker(s: Session, county: str = "540102", **over: Any) -> EmSeeker:
    n = next(_seq)
    number = ids.make_resident_id(county, dt.date(1995, 5, 5), n)
    p = create_person(s, PersonIn(id_number=number, name_zh=f"测试求职者{n}", hukou="rural"), BY)
    data: dict[str, Any] = {
        "person_id": p.id,
        "division_code": county,
        "education": "senior",
        "skills": [],
        "certificates": [],
        "occupations": [],
        "counties": [],
        "languages": ["bo", "zh"],
        "consent": True,
        "confirmed_on": TODAY,
        "state": "active",
    }
    data.update(over)
    for k in ("skills", "certificates", "occupations", "counties", "languages"):
        data[k] = json.dumps(data[k], ensure_ascii=False)
    row = EmSeeker(**data)
    s.add(row)
    s.flush()
    return row


def vacancy(s: Session, employer_id: int, **over: Any) -> EmVacancy:
    data: dict[str, Any] = {
        "employer_id": employer_id,
        "division_code": "540102",
        "title": "客房服务员",
        "occupation": "4-03",
        "count": 3,
        "filled": 0,
        "wage_min": 400_000,
        "wage_max": 550_000,
        "education": None,
        "skills": [],
        "languages": [],
        "requirements": "",
        "closing_on": TODAY + dt.timedelta(days=30),
        "state": "published",
        "created_by": "test",
    }
    data.update(over)
    for k in ("skills", "languages"):
        data[k] = json.dumps(data[k], ensure_ascii=False)
    row = EmVacancy(**data)
    s.add(row)
    s.flush()
    return row


def recruiter(s: Session, employer_id: int | None, region: str = "540100") -> Principal:
    n = next(_seq)
    user = create_user(s, BY, f"recruiter.m{n}", "correct-horse-1", "employer", region)
    if employer_id is not None:
        s.add(EmployerUser(user_id=user.id, employer_id=employer_id))
        s.flush()
    return staff(user.id, user.username, "employer", region)


def worker(s: Session, role: str = "caseworker", region: str = "540100") -> Principal:
    n = next(_seq)
    user = create_user(s, BY, f"{role}.m{n}", "correct-horse-1", role, region)
    return staff(user.id, user.username, role, region)
