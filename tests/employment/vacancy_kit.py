"""A small world for the vacancy-area tests: Lhasa and Shigatse employers, recruiters bound to
them, persons, and vacancy inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.employment.vacancy_schemas import VacancyIn
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn

BY = system("test")
TODAY = dt.date(2026, 11, 20)
LHASA_FIRM = ids.make_credit_code("540102", 701)
SHIGATSE_FIRM = ids.make_credit_code("540202", 702)


def employer(s: Session, code: str = LHASA_FIRM, county: str = "540102", name: str = "") -> int:
    e = create_employer(
        s,
        EmployerIn(credit_code=code, name=name or f"测试单位{code[-4:]}", division_code=county),
        BY,
    )
    return e.id


def recruiter(s: Session, employer_id: int | None, region: str = "540100", n: int = 1) -> Principal:
    user = create_user(s, BY, f"recruiter.t{n}.{region}", "correct-horse-1", "employer", region)
    if employer_id is not None:
        s.add(EmployerUser(user_id=user.id, employer_id=employer_id))
        s.flush()
    return staff(user.id, user.username, "employer", region)


def worker(s: Session, role: str, region: str = "540100", n: int = 1) -> Principal:
    user = create_user(s, BY, f"{role}.t{n}.{region}", "correct-horse-1", role, region)
    return staff(user.id, user.username, role, region)


def person(s: Session, seq: int, county: str = "540102") -> tuple[int, str]:
    number = ids.make_resident_id(county, dt.date(1995, 4, 4), seq)
    p = registry.create_person(
        s, PersonIn(id_number=number, name_zh="测试求职者", hukou="urban"), BY
    )
    return p.id, number


def vacancy_in(**over: Any) -> VacancyIn:
    data: dict[str, Any] = {
        "title": "酒店前台接待员",
        "occupation": "4",
        "count": 3,
        "wage_min": "3500.00",
        "wage_max": "4500.00",
        "division_code": "540102",
        "education": "senior",
        "skills": ["普通话", "藏语"],
        "languages": ["zh", "bo"],
        "requirements": "年满18周岁，能倒班。",
        "closing_on": (TODAY + dt.timedelta(days=30)).isoformat(),
    }
    data.update(over)
    return VacancyIn.model_validate(data)


def counts(s: Session, *models: Any) -> tuple[int, ...]:
    return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in models)
