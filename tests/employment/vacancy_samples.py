"""The route matrix's samples for employment's vacancy routes (see tests/route_kit.py).

The matrix's recruiters (role ``employer``) are bound here: ``employer.540100`` to the world's
Lhasa employer, ``employer.540200`` to a Shigatse firm — so the Shigatse recruiter, outside the
sample region, sees none of the Lhasa vacancies and hires (404) and cannot post in Lhasa (403).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser, User
from minsheng.core import ids
from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_schemas import VacancyIn
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn
from tests.route_kit import BY, INSIDE, OUTSIDE, P1_ID, Samples, World

MARKER = "拉萨测试招聘岗位"
SHIGATSE_RECRUITING_FIRM = ids.make_credit_code("540202", 88)
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/employer/vacancies"),
    ("GET", "/api/employment/employer/hires"),
    ("GET", "/api/employment/vacancies"),
    ("GET", "/api/employment/hires/overdue"),
    ("GET", "/employment/employer"),
    ("GET", "/employment/vacancies"),
}
REGION_FREE: set[tuple[str, str]] = set()


def _bind(s: Session, username: str, employer_id: int) -> None:
    user = s.scalar(select(User.id).where(User.username == username))
    assert user is not None, username
    if s.scalar(select(EmployerUser.id).where(EmployerUser.user_id == user)) is None:
        s.add(EmployerUser(user_id=user, employer_id=employer_id))
        s.flush()


def _vacancy(s: Session, w: World, title: str, count: int = 5, publish: bool = True) -> int:
    today = dt.date.today()
    data = VacancyIn(
        employer_id=w.ids["employer"],
        title=title,
        occupation="4",
        count=count,
        wage_min="3000.00",
        wage_max="5000.00",
        division_code="540102",
        closing_on=today + dt.timedelta(days=60),
    )
    v = vacancies.create_vacancy(s, data, BY, today)
    if publish:
        vacancies.publish(s, v.id, BY, today)
    return v.id


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside and outside the sample region."""
    shigatse = create_employer(
        s,
        EmployerIn(
            credit_code=SHIGATSE_RECRUITING_FIRM, name="日喀则测试招聘单位", division_code="540202"
        ),
        BY,
    )
    _bind(s, f"employer.{INSIDE}", w.ids["employer"])
    _bind(s, f"employer.{OUTSIDE}", shigatse.id)
    today = dt.date.today()
    hired = registry.create_person(
        s, PersonIn(id_number=w.new_id(), name_zh="测试待备案人", hukou="urban"), BY
    )
    due = hires.record_hire(
        s,
        w.ids["employer"],
        hired.id_number,
        None,
        "4",
        today - dt.timedelta(days=60),
        BY,
        today,
        file=False,
    )
    w.ids.update(
        em_vacancy=_vacancy(s, w, MARKER),
        em_vacancy_draft=_vacancy(s, w, "拉萨测试草稿岗位", publish=False),
        em_vacancy_to_publish=_vacancy(s, w, "拉萨测试待发布岗位", publish=False),
        em_vacancy_to_close=_vacancy(s, w, "拉萨测试待关闭岗位"),
        em_vacancy_to_take_down=_vacancy(s, w, "拉萨测试待下架岗位"),
        em_vacancy_page_close=_vacancy(s, w, "拉萨测试页面关闭岗位"),
        em_vacancy_page_down=_vacancy(s, w, "拉萨测试页面下架岗位"),
        em_vacancy_big=_vacancy(s, w, "拉萨测试大量招聘岗位", count=10_000),
        em_hire_due=due.id,
    )


def samples(w: World) -> Samples:
    today = dt.date.today()

    def new_vacancy() -> dict[str, object]:
        return {
            "title": f"拉萨测试新岗位{w.n()}",
            "occupation": "4",
            "count": 2,
            "wage_min": "2500.00",
            "wage_max": "3500.00",
            "division_code": "540102",
            "closing_on": (today + dt.timedelta(days=30)).isoformat(),
        }

    def one(key: str) -> dict[str, int]:
        return {"vacancy_id": w.ids[key]}

    return {
        ("GET", "/api/employment/employer/vacancies"): {"marker": MARKER},
        ("POST", "/api/employment/employer/vacancies"): {"json": new_vacancy},
        ("GET", "/api/employment/employer/vacancies/{vacancy_id}"): {"path": one("em_vacancy")},
        ("PATCH", "/api/employment/employer/vacancies/{vacancy_id}"): {
            "path": one("em_vacancy_draft"),
            "json": {"requirements": "能倒班"},
        },
        ("POST", "/api/employment/employer/vacancies/{vacancy_id}/publish"): {
            "path": one("em_vacancy_to_publish")
        },
        ("POST", "/api/employment/employer/vacancies/{vacancy_id}/close"): {
            "path": one("em_vacancy_to_close")
        },
        ("GET", "/api/employment/employer/hires"): {},
        ("POST", "/api/employment/employer/hires"): {
            "json": lambda: {
                "id_number": P1_ID,
                "vacancy_id": w.ids["em_vacancy_big"],
                "hired_on": (today - dt.timedelta(days=w.n() % 20)).isoformat(),
            }
        },
        ("POST", "/api/employment/employer/hires/{hire_id}/file"): {
            "path": {"hire_id": w.ids["em_hire_due"]}
        },
        ("GET", "/api/employment/vacancies"): {"marker": MARKER},
        ("GET", "/api/employment/vacancies/{vacancy_id}"): {"path": one("em_vacancy")},
        ("POST", "/api/employment/vacancies/{vacancy_id}/take-down"): {
            "path": one("em_vacancy_to_take_down"),
            "json": {"reason": "测试：虚假招聘信息"},
        },
        ("GET", "/api/employment/hires/overdue"): {},
        ("GET", "/employment/employer"): {"marker": MARKER},
        ("POST", "/employment/employer"): {
            "data": {"action": "close", "vacancy_id": str(w.ids["em_vacancy_page_close"])}
        },
        ("GET", "/employment/vacancies"): {"marker": MARKER},
        ("GET", "/employment/vacancies/{vacancy_id}"): {"path": one("em_vacancy")},
        ("POST", "/employment/vacancies/{vacancy_id}"): {
            "path": one("em_vacancy_page_down"),
            "data": {"reason": "测试：虚假招聘信息"},
        },
    }
