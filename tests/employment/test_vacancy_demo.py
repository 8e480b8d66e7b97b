"""The demo's vacancies and hires on top of the demo population: about 200 published across
the prefectures, the refused ones with their reasons, hires filed on time, late and still due,
and the demo recruiter bound to an employer that has vacancies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from minsheng.auth.models import EmployerUser, User
from minsheng.db import make_sessionmaker
from minsheng.demo.population import seed
from minsheng.employment import vacancies
from minsheng.employment.vacancy_demo import seed_vacancy
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.foundation.principals import system

TODAY = dt.date(2026, 12, 2)


def test_demo_vacancies_and_hires(engine: Engine) -> None:
    seed(engine, people=600, seed=3)
    with make_sessionmaker(engine)() as s:
        out = seed_vacancy(s, system("demo"), TODAY)
        s.commit()
    assert out["vacancies"] == 200 and out["refused"] == 6
    assert out["hires"] > 50 and out["late"] > 0 and out["due"] > 0
    with make_sessionmaker(engine)() as s:
        open_now = s.scalars(vacancies.published(s, TODAY)).all()
        assert len(open_now) >= 150
        assert len({v.division_code[:4] for v in open_now}) >= 4  # across the prefectures
        refused = s.scalars(select(EmVacancy).where(EmVacancy.state == "refused")).all()
        assert {r["rule"] for v in refused for r in vacancies.refusal(v)} >= {
            "minimum_wage",
            "banned_word",
        }
        assert all(v.filled <= v.count for v in s.scalars(select(EmVacancy)))
        overdue = s.scalar(
            select(func.count()).where(EmHire.state == "due", EmHire.file_by < TODAY)
        )
        late = s.scalar(select(func.count()).where(EmHire.filed_on > EmHire.file_by))
        assert overdue and late
        user = s.scalar(select(User.id).where(User.username == "lhasa.recruiter"))
        bound = s.scalar(select(EmployerUser.employer_id).where(EmployerUser.user_id == user))
        assert s.scalar(
            select(func.count()).where(
                EmVacancy.employer_id == bound, EmVacancy.division_code.like("5401%")
            )
        )
