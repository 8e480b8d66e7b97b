"""A small world for the job-fair tests, built directly: Lhasa employers with recruiters bound
to them and published vacancies (rows of ``em_vacancies``), persons with ID numbers, an
organiser, and fairs on a chosen day (written straight to the table for days in the past)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.employment import fair_booths, fairs
from minsheng.employment.fair_models import EmFair
from minsheng.employment.fair_schemas import ApplicationIn, DecisionIn, FairIn
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn

BY = system("test")
NOW = dt.datetime.now(dt.UTC)
TODAY = fairs.local(NOW).date()
DAY = TODAY + dt.timedelta(days=1)  # the kit's fair: tomorrow, 09:00–17:00 Beijing time
_seq = iter(range(1, 100_000))


def n() -> int:
    return next(_seq)


def employer(s: Session, county: str = "540102", name: str = "") -> int:
    k = n()
    code = ids.make_credit_code(county, 800 + k)
    return create_employer(
        s, EmployerIn(credit_code=code, name=name or f"测试参会单位{k}", division_code=county), BY
    ).id


def user(
    s: Session, role: str, region: str = "540100", employer_id: int | None = None
) -> Principal:
    u = create_user(s, BY, f"fair.{role}.{n()}", "correct-horse-1", role, region)
    if employer_id is not None:
        s.add(EmployerUser(user_id=u.id, employer_id=employer_id))
        s.flush()
    return staff(u.id, u.username, role, region)


def organiser(s: Session, region: str = "540100") -> Principal:
    return user(s, "caseworker", region)


def recruiter(s: Session, employer_id: int | None, region: str = "540100") -> Principal:
    return user(s, "employer", region, employer_id)


def person(
    s: Session, county: str = "540102", birth: dt.date = dt.date(1996, 3, 3)
) -> tuple[int, str]:
    number = ids.make_resident_id(county, birth, n() % 1000)
    p = registry.create_person(
        s, PersonIn(id_number=number, name_zh="测试求职者", hukou="urban"), BY
    )
    return p.id, number


def vacancy(s: Session, employer_id: int, occupation: str = "4-03", **over: Any) -> int:
    row = EmVacancy(
        employer_id=employer_id,
        division_code="540102",
        title=over.pop("title", "测试岗位"),
        occupation=occupation,
        count=2,
        filled=0,
        wage_min=350_000,
        wage_max=450_000,
        skills="[]",
        languages="[]",
        requirements="",
        closing_on=TODAY + dt.timedelta(days=60),
        state=over.pop("state", "published"),
        created_by="test",
        **over,
    )
    s.add(row)
    s.flush()
    return row.id


def fair_in(**over: Any) -> FairIn:
    data: dict[str, Any] = {
        "name": "拉萨市城关区春风行动招聘会",
        "division_code": "540102",
        "venue": "城关区人力资源市场",
        "theme": "general",
        "cadence": "once",
        "starts_on": DAY.isoformat(),
        "opens_at": "09:00",
        "closes_at": "17:00",
        "booths": [{"klass": "standard", "count": 4}, {"klass": "large", "count": 2}],
    }
    data.update(over)
    return FairIn.model_validate(data)


def fair(s: Session, by: Principal = BY, **over: Any) -> EmFair:
    f = fairs.create_fair(s, fair_in(**over), by, TODAY)
    return f


def past_fair(s: Session, days_ago: int = 10, state: str = "allocated") -> EmFair:
    day = TODAY - dt.timedelta(days=days_ago)
    f = EmFair(
        name="拉萨往期招聘会",
        division_code="540102",
        venue="城关区人力资源市场",
        theme="general",
        cadence="weekly",
        starts_on=day,
        ends_on=day,
        opens_at=dt.time(10, 0),
        closes_at=dt.time(16, 0),
        state=state,
        created_by="test",
    )
    s.add(f)
    s.flush()
    return f


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on ``day`` at the local (Beijing) time given."""
    return dt.datetime.combine(day, dt.time(hour, minute), fairs.LOCAL)


RUNNING = at(DAY, 12)  # the kit's fair is running


def exhibitor(
    s: Session, f: EmFair, occupations: tuple[str, ...] = ("4-03",), klass: str = "standard"
) -> tuple[int, Principal, int, list[int]]:
    """An employer with a recruiter, its vacancies and an accepted application at ``f``:
    (employer id, recruiter, application id, vacancy ids)."""
    e = employer(s)
    r = recruiter(s, e)
    vids = [vacancy(s, e, occ) for occ in occupations]
    app = fair_booths.apply(s, f.id, ApplicationIn(wanted_class=klass, vacancy_ids=vids), r)
    fair_booths.decide(s, app.id, DecisionIn(accept=True), BY)
    return e, r, app.id, vids


def count(s: Session, model: Any, *where: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)
