"""The route matrix's samples for employment's match routes (see tests/route_kit.py): a
published Lhasa vacancy of the matrix's Lhasa employer and a consenting Lhasa seeker (a fresh
person, never the matrix's citizen), both indexed for search."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.employment import search
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.route_kit import BY, Samples, World

MARKER = "拉萨匹配测试技能"
COLLECTIONS: set[tuple[str, str]] = {("GET", "/api/employment/profiles/search")}
REGION_FREE: set[tuple[str, str]] = {  # the citizen's own: no regional record involved
    ("GET", "/api/me/jobs/recommendations"),
    ("GET", "/me/jobs/recommendations"),
}


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside the sample region."""
    today = dt.date.today()
    number = ids.make_resident_id("540102", dt.date(1992, 3, 3), 871)
    p = registry.create_person(
        s, PersonIn(id_number=number, name_zh="匹配测试人", hukou="rural"), BY
    )
    seeker = EmSeeker(
        person_id=p.id,
        division_code="540102",
        education="senior",
        skills=json.dumps([MARKER, "客房清洁"], ensure_ascii=False),
        occupations=json.dumps(["4-03"]),
        languages=json.dumps(["bo", "zh"]),
        consent=True,
        confirmed_on=today,
        state="active",
    )
    vacancy = EmVacancy(
        employer_id=w.ids["employer"],
        division_code="540102",
        title="匹配测试客房服务员",
        occupation="4-03",
        count=2,
        wage_min=400_000,
        wage_max=500_000,
        skills=json.dumps(["客房清洁"], ensure_ascii=False),
        closing_on=today + dt.timedelta(days=30),
        state="published",
        created_by="matrix",
    )
    s.add_all([seeker, vacancy])
    s.flush()
    search.index_seeker(s, seeker.id)
    search.index_vacancy(s, vacancy.id)
    w.ids.update(em_match_seeker=seeker.id, em_match_vacancy=vacancy.id)


def samples(w: World) -> Samples:
    seeker = {"seeker_id": w.ids["em_match_seeker"]}
    vacancy = {"vacancy_id": w.ids["em_match_vacancy"]}
    return {
        ("GET", "/api/jobs/search"): {},
        ("GET", "/api/employment/seekers/{seeker_id}/recommendations"): {"path": seeker},
        ("GET", "/api/me/jobs/recommendations"): {},
        ("GET", "/api/employment/vacancies/{vacancy_id}/candidates"): {"path": vacancy},
        ("GET", "/api/employment/employer/vacancies/{vacancy_id}/candidates"): {"path": vacancy},
        ("GET", "/api/employment/profiles/search"): {"marker": MARKER},
        ("GET", "/jobs"): {},
        ("GET", "/me/jobs/recommendations"): {},
        ("GET", "/employment/vacancies/{vacancy_id}/candidates"): {"path": vacancy},
        ("GET", "/employment/employer/vacancies/{vacancy_id}/candidates"): {"path": vacancy},
    }
