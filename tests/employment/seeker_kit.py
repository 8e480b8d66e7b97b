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


def citizen_client(app: object, engine: object, person_id: int) -> object:
    """A client signed in as the citizen ``person_id`` (a session cookie and its CSRF token)."""
    from fastapi.testclient import TestClient

    from minsheng.auth import service as auth
    from minsheng.db import make_sessionmaker, unit_of_work
    from minsheng.webkit.guards import SESSION_COOKIE

    with unit_of_work(make_sessionmaker(engine)) as s:  # type: ignore[arg-type]
        token = auth.open_session(s, 1, person=s.get(Person, person_id)).token
    c = TestClient(app)  # type: ignore[arg-type]
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def stored_person(engine: object, county: str = "540102", **kw: object) -> tuple[int, str]:
    """A committed registry person: (id, ID number)."""
    from minsheng.db import make_sessionmaker, unit_of_work

    with unit_of_work(make_sessionmaker(engine)) as s:  # type: ignore[arg-type]
        p, number = person(s, county, **kw)  # type: ignore[arg-type]
        return p.id, number


def bound_recruiter(s: Session, region: str = "540100") -> Principal:
    """A recruiter (role ``employer``) of a Lhasa employer, bound in ``employer_users``."""
    from minsheng.auth import employers
    from minsheng.auth.users import create_user
    from minsheng.registry.organisations import create_employer
    from minsheng.registry.schemas import EmployerIn

    n = next(_seq)
    firm = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code("540102", 5000 + n),
            name=f"求职测试单位{n}",
            division_code="540102",
        ),
        BY,
    )
    user = create_user(s, BY, f"recruiter.{n}", "correct-horse-1", "employer", region)
    employers.bind(s, user.id, firm.id, BY)
    s.flush()
    return staff(user.id, user.username, "employer", region)
