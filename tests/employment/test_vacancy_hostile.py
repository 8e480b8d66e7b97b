"""Hostile inputs to the recruiter's API: each refused naming its field, nothing stored; another
employer's vacancy and a hire against it answer 404; a retried publish is a conflict."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from minsheng.db import make_sessionmaker
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from tests.conftest import staff_client
from tests.employment.test_vacancy_api import bind, body, world


def _count(engine: Engine, model: Any) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


BAD = [
    ({"wage_min": "abc"}, "wage_min"),
    ({"wage_min": "-1"}, "wage_min"),
    ({"wage_max": "1e12"}, "wage_max"),
    ({"wage_max": "10000000.01"}, "wage_max"),  # above the documented monthly maximum
    ({"wage_min": "5000", "wage_max": "4000"}, "wage_max"),
    ({"wage_min": "2100.001"}, "wage_min"),
    ({"count": 0}, "count"),
    ({"count": 10_001}, "count"),
    ({"title": "x" * 101}, "title"),
    ({"division_code": "540100"}, "division_code"),  # a city, not a county
    ({"division_code": "' OR 1=1 --"}, "division_code"),
    ({"education": "phd_of_everything"}, "education"),
    ({"closing_on": "2026-02-30"}, "closing_on"),
    ({"surprise": 1}, "surprise"),
]


def test_bad_postings_name_their_field(app: object, engine: Engine) -> None:
    w = world(engine)
    me: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    for over, field in BAD:
        r = me.post("/api/employment/employer/vacancies", json=body(**over))
        assert r.status_code == 422, (over, r.text)
        fields = {p["field"].split(".")[-1] for p in r.json()["error"]["problems"]}
        assert field in fields, (over, r.text)
    assert _count(engine, EmVacancy) == 0


def test_another_employers_records_and_a_retry(app: object, engine: Engine) -> None:
    w = world(engine)
    me: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    rival: Any = staff_client(app, engine, "employer", "540100", "rec.rival")
    from tests.employment.vacancy_kit import employer

    with make_sessionmaker(engine)() as s:
        other = employer(s, _code(), name="对手单位")
        s.commit()
    bind(engine, "rec.rival", other)
    v = me.post("/api/employment/employer/vacancies", json=body()).json()
    assert me.post(f"/api/employment/employer/vacancies/{v['id']}/publish").status_code == 200
    assert me.post(f"/api/employment/employer/vacancies/{v['id']}/publish").status_code == 409
    for method, url in (
        ("GET", f"/api/employment/employer/vacancies/{v['id']}"),
        ("POST", f"/api/employment/employer/vacancies/{v['id']}/close"),
        ("PATCH", f"/api/employment/employer/vacancies/{v['id']}"),
    ):
        kw = {"json": {"title": "改"}} if method == "PATCH" else {}
        assert rival.request(method, url, **kw).status_code == 404
    from minsheng.core import ids

    number = ids.make_resident_id("540102", dt.date(1996, 3, 3), 51)
    hire = {"id_number": number, "vacancy_id": v["id"], "hired_on": dt.date.today().isoformat()}
    assert rival.post("/api/employment/employer/hires", json=hire).status_code == 404
    wrong = {**hire, "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")}
    r = me.post("/api/employment/employer/hires", json=wrong)
    assert r.status_code == 422 and number[:-1] not in r.text
    assert _count(engine, EmHire) == 0


def _code() -> str:
    from minsheng.core import ids

    return ids.make_credit_code("540102", 799)
