"""The vacancy API on both databases: the recruiter's desk end to end, a refused publish with
every reason, the review list's filters and scope, the take-down, and a retried filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from minsheng.auth.models import EmployerUser, User
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.conftest import staff_client
from tests.employment.vacancy_kit import BY, SHIGATSE_FIRM, employer

TODAY = dt.date.today()


def body(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "藏餐厨师",
        "occupation": "4",
        "count": 2,
        "wage_min": "4000.00",
        "wage_max": "6000.00",
        "division_code": "540102",
        "skills": ["藏餐"],
        "requirements": "有两年以上经验",
        "closing_on": (TODAY + dt.timedelta(days=45)).isoformat(),
    }
    data.update(over)
    return data


def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        lhasa = employer(s, name="拉萨测试酒店")
        shigatse = employer(s, SHIGATSE_FIRM, "540202")
        number = ids.make_resident_id("540102", dt.date(1996, 3, 3), 51)
        p = registry.create_person(s, PersonIn(id_number=number, name_zh="次仁", hukou="urban"), BY)
        s.commit()
        return {"lhasa": lhasa, "shigatse": shigatse, "person": p.id}


def bind(engine: Engine, username: str, employer_id: int) -> None:
    with make_sessionmaker(engine)() as s:
        user = s.scalar(select(User.id).where(User.username == username))
        s.add(EmployerUser(user_id=user, employer_id=employer_id))
        s.commit()


def test_the_recruiters_desk(app: object, engine: Engine) -> None:
    w = world(engine)
    me: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    r = me.post("/api/employment/employer/vacancies", json=body())
    assert r.status_code == 201, r.text
    v = r.json()
    assert (v["state"], v["places_left"], v["employer"]) == ("draft", 2, "拉萨测试酒店")
    r = me.post(f"/api/employment/employer/vacancies/{v['id']}/publish")
    assert r.status_code == 200 and r.json()["state"] == "published"
    number = ids.make_resident_id("540102", dt.date(1996, 3, 3), 51)
    hire = {"id_number": number, "vacancy_id": v["id"], "hired_on": TODAY.isoformat()}
    r = me.post("/api/employment/employer/hires", json=hire)
    assert r.status_code == 201, r.text
    assert r.json()["id_masked"] != number and number not in r.text
    assert r.json()["state"] == "filed"
    again = me.post("/api/employment/employer/hires", json=hire)  # a retried request
    assert again.status_code == 409
    got = me.get(f"/api/employment/employer/vacancies/{v['id']}").json()
    assert (got["filled"], got["places_left"]) == (1, 1)
    assert len(me.get("/api/employment/employer/hires").json()["hires"]) == 1


def test_a_refused_publish_answers_every_reason(app: object, engine: Engine) -> None:
    w = world(engine)
    me: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    bad = body(
        title="服务员（收取服装费）",
        wage_min="2099.99",
        occupation="8-99",
        closing_on=(TODAY + dt.timedelta(days=400)).isoformat(),
    )
    v = me.post("/api/employment/employer/vacancies", json=bad).json()
    r = me.post(f"/api/employment/employer/vacancies/{v['id']}/publish")
    assert r.status_code == 422
    rules = {(p["field"], p["rule"]) for p in r.json()["error"]["problems"]}
    assert rules == {
        ("title", "banned_word"),
        ("wage_min", "minimum_wage"),
        ("occupation", "occupation"),
        ("closing_on", "too_far"),
    }
    after = me.get(f"/api/employment/employer/vacancies/{v['id']}").json()
    assert after["state"] == "refused" and len(after["reasons"]) == 4
    with make_sessionmaker(engine)() as s:
        assert s.get(EmVacancy, v["id"]).published_at is None
    fixed = {
        "title": "服务员",
        "wage_min": "2100.00",
        "occupation": "4",
        "closing_on": body()["closing_on"],
    }
    r = me.patch(f"/api/employment/employer/vacancies/{v['id']}", json=fixed)
    assert r.status_code == 200 and r.json()["state"] == "draft"
    assert (
        me.post(f"/api/employment/employer/vacancies/{v['id']}/publish").json()["state"]
        == "published"
    )


def test_review_scope_filters_and_take_down(app: object, engine: Engine) -> None:
    w = world(engine)
    rec: Any = staff_client(app, engine, "employer", "540100", "rec.lhasa")
    bind(engine, "rec.lhasa", w["lhasa"])
    far: Any = staff_client(app, engine, "employer", "540200", "rec.shigatse")
    bind(engine, "rec.shigatse", w["shigatse"])
    unbound: Any = staff_client(app, engine, "employer", "540100", "rec.none")
    ids_ = []
    for kw in ({}, {"division_code": "540103", "occupation": "6"}):
        v = rec.post("/api/employment/employer/vacancies", json=body(**kw)).json()
        rec.post(f"/api/employment/employer/vacancies/{v['id']}/publish")
        ids_.append(v["id"])
    theirs = far.post("/api/employment/employer/vacancies", json=body(division_code="540202"))
    assert theirs.status_code == 201
    assert far.post("/api/employment/employer/vacancies", json=body()).status_code == 403
    assert far.get(f"/api/employment/employer/vacancies/{ids_[0]}").status_code == 404
    assert unbound.get("/api/employment/employer/vacancies").json() == {"vacancies": []}
    assert unbound.post("/api/employment/employer/vacancies", json=body()).status_code == 403
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    listed = cw.get("/api/employment/vacancies").json()["vacancies"]
    assert {v["id"] for v in listed} == set(ids_)
    by_county = cw.get("/api/employment/vacancies", params={"county": "540103"}).json()
    assert [v["id"] for v in by_county["vacancies"]] == [ids_[1]]
    by_occ = cw.get("/api/employment/vacancies", params={"occupation": "4"}).json()
    assert [v["id"] for v in by_occ["vacancies"]] == [ids_[0]]
    drafts = cw.get("/api/employment/vacancies", params={"state": "draft"}).json()
    assert drafts["vacancies"] == []
    down = f"/api/employment/vacancies/{ids_[0]}/take-down"
    assert cw.post(down, json={"reason": "虚假招聘"}).status_code == 403
    boss: Any = staff_client(app, engine, "supervisor", "540100")
    far_boss: Any = staff_client(app, engine, "supervisor", "540200")
    assert far_boss.post(down, json={"reason": "虚假招聘"}).status_code == 404
    r = boss.post(down, json={"reason": "虚假招聘信息"})
    assert r.status_code == 200 and r.json()["state"] == "taken_down"
    assert boss.post(down, json={"reason": "虚假招聘信息"}).status_code == 409
    assert rec.post(f"/api/employment/employer/vacancies/{ids_[0]}/close").status_code == 409
