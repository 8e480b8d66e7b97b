"""Job seekers over HTTP: the caseworker registers a walk-in by ID number (retried: one record),
searches, edits, changes the status, re-confirms; another region's seeker is missing; the
citizen registers themselves and edits their own profile at /api/me/jobs/seeker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.conftest import make_app, staff_client
from tests.employment.seeker_kit import citizen_client, new_id, stored_person


def test_the_caseworker_registers_edits_and_finds_a_walk_in(engine: Engine) -> None:
    app = make_app(engine)
    _, number = stored_person(engine, "540102", name="扎西次仁")
    c: Any = staff_client(app, engine, "caseworker", "540100")
    made = c.post("/api/employment/seekers", json={"id_number": number})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "扎西次仁" and body["county"] == "城关区" and body["state"] == "active"
    assert number not in made.text and body["id_masked"].startswith("5401**")
    again = c.post("/api/employment/seekers", json={"id_number": number})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    sid = body["id"]
    patched = c.patch(
        f"/api/employment/seekers/{sid}",
        json={"occupations": ["6-29"], "wage_min": "5000", "languages": ["bo", "zh"]},
    )
    assert patched.status_code == 200 and patched.json()["wage_min"] == "5000.00"
    bad = c.patch(f"/api/employment/seekers/{sid}", json={"occupations": ["6-77"]})
    assert bad.status_code == 422
    problem = bad.json()["problems"][0] if "problems" in bad.json() else bad.json()
    assert "occupations" in str(problem)
    assert c.get(f"/api/employment/seekers/{sid}").json()["occupations"] == ["6-29"]
    status = c.post(
        f"/api/employment/seekers/{sid}/status", json={"status": "graduate", "graduate_year": 2026}
    )
    assert status.status_code == 200
    assert [h["status"] for h in status.json()["history"]] == ["unemployed", "graduate"]
    listed = c.get("/api/employment/seekers", params={"q": "扎西"}).json()
    assert [s["id"] for s in listed["seekers"]] == [sid] and listed["total"] == 1
    assert c.get("/api/employment/seekers", params={"q": "5401**"}).json()["total"] == 1
    assert c.post("/api/employment/seekers/find", json={"id_number": number}).json()["id"] == sid
    assert c.post(f"/api/employment/seekers/{sid}/confirm").status_code == 200


def test_another_region_sees_nothing_and_an_unknown_id_is_404(engine: Engine) -> None:
    app = make_app(engine)
    _, number = stored_person(engine, "540102")
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    sid = lhasa.post("/api/employment/seekers", json={"id_number": number}).json()["id"]
    hidden = shigatse.get(f"/api/employment/seekers/{sid}")
    missing = shigatse.get("/api/employment/seekers/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert shigatse.get("/api/employment/seekers").json()["total"] == 0
    assert shigatse.patch(f"/api/employment/seekers/{sid}", json={"major": "x"}).status_code == 404
    found = shigatse.post("/api/employment/seekers/find", json={"id_number": number})
    nobody = shigatse.post("/api/employment/seekers/find", json={"id_number": new_id()})
    assert found.status_code == nobody.status_code == 404 and found.json() == nobody.json()
    walk_in = shigatse.post("/api/employment/seekers", json={"id_number": number})
    unknown = shigatse.post("/api/employment/seekers", json={"id_number": new_id()})
    assert walk_in.status_code == unknown.status_code == 404
    assert walk_in.json() == unknown.json()
    auditor: Any = staff_client(app, engine, "auditor", "540100")
    assert auditor.get(f"/api/employment/seekers/{sid}").status_code == 200
    assert auditor.post(f"/api/employment/seekers/{sid}/confirm").status_code == 403


def test_the_citizen_registers_themselves_and_edits_their_profile(engine: Engine) -> None:
    app = make_app(engine)
    pid, number = stored_person(engine, "540102")
    _, other_number = stored_person(engine, "540102")
    me: Any = citizen_client(app, engine, pid)
    assert me.get("/api/me/jobs/seeker").json() == {"seeker": None}
    assert me.post("/api/me/jobs/seeker/confirm").status_code == 404
    put = me.put("/api/me/jobs/seeker", json={"consent": True, "counties": ["540402"]})
    assert put.status_code == 201, put.text
    mine = put.json()["seeker"]
    assert mine["person_id"] == pid and mine["consent"] and mine["counties"] == ["540402"]
    assert number not in put.text
    again = me.put("/api/me/jobs/seeker", json={"consent": False})
    assert again.status_code == 200 and again.json()["seeker"]["id"] == mine["id"]
    assert again.json()["seeker"]["consent"] is False
    assert me.post("/api/me/jobs/seeker/confirm").status_code == 200
    assert me.get("/api/employment/seekers").status_code == 403
    assert me.post("/api/employment/seekers", json={"id_number": other_number}).status_code == 403
