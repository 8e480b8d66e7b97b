"""The match routes over HTTP on both databases: the public search (bounded, rate limited),
recommendations for staff and for the citizen themself, candidates for staff and the
vacancy's own employer, and the pages; the CLI prints the ranked list with reasons."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from minsheng.auth import service as auth
from minsheng.auth.tokens import create_token
from minsheng.db import make_sessionmaker
from minsheng.employment import search
from minsheng.foundation.principals import PERMISSIONS
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client
from tests.employment import match_kit as k


def _world(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        e = k.employer(s, name="拉萨雪域酒店")
        other = k.employer(s, name="日喀则另一家单位", county="540202")
        hotel = k.vacancy(s, e.id, title="客房服务员", skills=["客房清洁"], requirements="会藏语")
        far = k.vacancy(s, other.id, title="牧场管理员", occupation="5", division_code="540202")
        seeker = k.seeker(s, occupations=["4-03"], skills=["客房清洁"], wage_min=450_000)
        shigatse = k.seeker(s, county="540202", occupations=["5"])
        for v in (hotel, far):
            search.index_vacancy(s, v.id)
        rec = k.recruiter(s, e.id)
        raw, _ = create_token(s, k.BY, rec.user_id or 0, "t", sorted(PERMISSIONS["employer"]))
        person = s.get(Person, seeker.person_id)
        cookie = auth.open_session(s, 1, person=person).token
        s.commit()
        return {
            "hotel": hotel.id,
            "far": far.id,
            "seeker": seeker.id,
            "shigatse": shigatse.id,
            "recruiter": raw,
            "cookie": cookie,
        }


def test_public_search_is_bounded_and_rate_limited(app: object, engine: Engine) -> None:
    w = _world(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.get("/api/jobs/search", params={"q": "服务员"})
    assert r.status_code == 200
    got = r.json()["results"]
    assert [h["id"] for h in got] == [w["hotel"]]
    assert got[0]["vacancy"]["employer"] == "拉萨雪域酒店" and got[0]["vacancy"]["wage_min"]
    assert "person" not in r.text and "id_number" not in r.text
    by_county = c.get("/api/jobs/search", params={"county": "540202"}).json()["results"]
    assert [h["id"] for h in by_county] == [w["far"]]
    for bad in ({"q": "x" * 65}, {"limit": 51}, {"offset": -1}, {"county": "54'--"}):
        assert c.get("/api/jobs/search", params=bad).status_code == 422
    codes = [c.get("/api/jobs/search").status_code for _ in range(70)]
    assert 429 in codes


def test_recommendations_for_staff_and_for_the_seeker_themself(app: object, engine: Engine) -> None:
    w = _world(engine)
    lhasa = staff_client(app, engine, "caseworker", "540100")
    r = lhasa.get(f"/api/employment/seekers/{w['seeker']}/recommendations")  # type: ignore[attr-defined]
    assert r.status_code == 200
    first = r.json()["matches"][0]
    assert first["id"] == w["hotel"] and first["reasons"]["skills_matched"] == ["客房清洁"]
    assert 0 <= first["score"] <= 1 and first["card"]["title"] == "客房服务员"
    r = lhasa.get(f"/api/employment/seekers/{w['shigatse']}/recommendations")  # type: ignore[attr-defined]
    assert r.status_code == 404  # another region's seeker: as a missing one
    assert lhasa.get("/api/employment/seekers/999999/recommendations").status_code == 404  # type: ignore[attr-defined]
    me = TestClient(app)  # type: ignore[arg-type]
    me.cookies.set(SESSION_COOKIE, w["cookie"])
    r = me.get("/api/me/jobs/recommendations")
    assert r.status_code == 200 and r.json()["matches"][0]["id"] == w["hotel"]
    page = me.get("/me/jobs/recommendations")
    assert page.status_code == 200 and "客房服务员" in page.text and "客房清洁" in page.text
    anon = TestClient(app)  # type: ignore[arg-type]
    assert anon.get("/api/me/jobs/recommendations").status_code == 401


def test_candidates_for_staff_and_the_own_employer(app: object, engine: Engine) -> None:
    w = _world(engine)
    lhasa = staff_client(app, engine, "caseworker", "540100")
    r = lhasa.get(f"/api/employment/vacancies/{w['hotel']}/candidates")  # type: ignore[attr-defined]
    assert r.status_code == 200
    assert [m["id"] for m in r.json()["matches"]] == [w["seeker"]]
    card = r.json()["matches"][0]["card"]
    assert "*" in card["id_masked"] and "id_number" not in card
    assert lhasa.get(f"/api/employment/vacancies/{w['far']}/candidates").status_code == 404  # type: ignore[attr-defined]
    rec = TestClient(app)  # type: ignore[arg-type]
    rec.headers["Authorization"] = f"Bearer {w['recruiter']}"
    own = rec.get(f"/api/employment/employer/vacancies/{w['hotel']}/candidates")
    assert own.status_code == 200 and own.json()["matches"][0]["id"] == w["seeker"]
    assert rec.get(f"/api/employment/employer/vacancies/{w['far']}/candidates").status_code == 404
    assert rec.get(f"/api/employment/vacancies/{w['hotel']}/candidates").status_code == 403
    page = rec.get(f"/employment/employer/vacancies/{w['hotel']}/candidates")
    assert page.status_code == 200 and "客房清洁" in page.text
    staff_page = lhasa.get(f"/employment/vacancies/{w['hotel']}/candidates")  # type: ignore[attr-defined]
    assert staff_page.status_code == 200 and card["id_masked"] in staff_page.text


def test_profiles_search_in_region(app: object, engine: Engine) -> None:
    w = _world(engine)
    with make_sessionmaker(engine)() as s:
        search.reindex(s)
        s.commit()
    lhasa = staff_client(app, engine, "caseworker", "540100")
    r = lhasa.get("/api/employment/profiles/search", params={"q": "客房清洁"})  # type: ignore[attr-defined]
    assert [h["id"] for h in r.json()["results"]] == [w["seeker"]]


def test_jobs_page_searches_and_pages(app: object, engine: Engine) -> None:
    w = _world(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.get("/jobs", params={"q": "服务员"})
    assert r.status_code == 200 and "客房服务员" in r.text and "牧场管理员" not in r.text
    r = c.get("/jobs", params={"q": "没有这种岗位"})
    assert r.status_code == 200 and 'id="no-jobs"' in r.text
    r = c.get("/jobs", params={"county": "540202"})
    assert "牧场管理员" in r.text and "客房服务员" not in r.text
    assert c.get("/jobs", params={"page": "0"}).status_code == 422
    bo = TestClient(app)  # type: ignore[arg-type]
    bo.cookies.set("lang", "bo")
    assert bo.get("/jobs").status_code == 200
    assert w["hotel"]


def test_cli_recommend_prints_the_ranked_list_with_reasons(
    engine: Engine, monkeypatch: Any
) -> None:
    w = _world(engine)
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    from minsheng.cli import app as cli

    r = CliRunner().invoke(cli, ["employment", "recommend", "--seeker", str(w["seeker"])])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["matches"][0]["id"] == w["hotel"]
    assert any("客房清洁" in line for line in out["matches"][0]["why"])
    r = CliRunner().invoke(cli, ["employment", "recommend", "--seeker", "999999"])
    assert r.exit_code != 0
