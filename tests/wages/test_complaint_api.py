"""The complaints API on both databases: an anonymous report from the public door answers its
follow-up code and PIN once; a follow-up with a wrong PIN answers exactly as a missing code and
is rate-limited; a Shigatse office takes a complaint for a Lhasa project and it lands in Lhasa's
queue; Shigatse reads its state but not the worker's name or phone; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng.auth import service as auth
from minsheng.db import make_sessionmaker
from minsheng.registry.models import Person
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client
from tests.wages.complaint_kit import counts, person, world


def _setup(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        w = world(s)
        pid = person(s, 5, name="格桑")
        token = auth.open_session(s, 1, person=s.get(Person, pid)).token
        s.commit()
        return {"lhasa": w["lhasa"].id, "bayi": w["nyingchi"].id, "cookie": token}


def _csrf(c: TestClient) -> None:
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]


def test_anonymous_report_and_follow_up(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    _csrf(c)
    found = c.get("/api/wages/report/projects", params={"q": "安居园"}).json()["projects"]
    assert [p["id"] for p in found] == [ids["lhasa"]] and set(found[0]) == {
        "id",
        "name",
        "code",
        "county",
    }
    r = c.post(
        "/api/wages/report",
        json={"facts": "ཟླ་བ་གསུམ་གྱི་གླ་ཕོགས་མ་སྤྲད།", "lang": "bo", "project_id": ids["lhasa"]},
    )
    assert r.status_code == 201, r.text
    out = r.json()
    code, pin = out["follow_up"]["code"], out["follow_up"]["pin"]
    assert out["county"] == "540102" and out["state"] == "received"
    r = c.post("/api/wages/report/follow-up", json={"code": code, "pin": pin})
    assert r.status_code == 200 and r.json()["id"] == out["id"]
    assert [e["action"] for e in r.json()["events"]] == ["file"]
    assert "by" not in r.json()["events"][0]  # who at the office acted is not the worker's
    wrong = "000000" if pin != "000000" else "111111"
    bad = c.post("/api/wages/report/follow-up", json={"code": code, "pin": wrong})
    missing = c.post("/api/wages/report/follow-up", json={"code": "ZZZZZ-ZZZZZ", "pin": pin})
    assert bad.status_code == missing.status_code == 404 and bad.json() == missing.json()
    for _ in range(4):
        c.post("/api/wages/report/follow-up", json={"code": code, "pin": wrong})
    limited = c.post("/api/wages/report/follow-up", json={"code": code, "pin": pin})
    assert limited.status_code == 429


def test_any_office_takes_it_only_the_county_reads_it_whole(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    r = shigatse.post(
        "/api/wages/complaints",
        json={
            "facts": "工资拖欠",
            "project_id": ids["lhasa"],
            "worker_name": "扎西次仁",
            "phone": "13800002222",
        },
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["county"] == "540102" and r.json()["received_division"] == "540200"
    assert "扎西次仁" not in r.text  # the taking office is answered with the state only
    assert [x["id"] for x in lhasa.get("/api/wages/complaints").json()["complaints"]] == [cid]
    assert shigatse.get("/api/wages/complaints").json()["complaints"] == []
    whole = lhasa.get(f"/api/wages/complaints/{cid}")
    assert whole.status_code == 200 and whole.json()["worker_name"] == "扎西次仁"
    assert "accept" in whole.json()["offered"]
    gone = shigatse.get(f"/api/wages/complaints/{cid}")
    none = shigatse.get("/api/wages/complaints/999999")
    assert gone.status_code == none.status_code == 404 and gone.json() == none.json()
    state = shigatse.get(f"/api/wages/complaints/{cid}/state")
    assert state.status_code == 200 and state.json()["state"] == "received"
    assert "扎西次仁" not in state.text and "13800002222" not in state.text
    board = shigatse.get("/api/wages/complaints/board").json()["complaints"]
    assert [b["id"] for b in board] == [cid] and "扎西次仁" not in repr(board)
    refused = shigatse.post(f"/api/wages/complaints/{cid}/steps", json={"action": "accept"})
    assert refused.status_code == 404
    ok = lhasa.post(f"/api/wages/complaints/{cid}/steps", json={"action": "accept"})
    assert ok.status_code == 200 and ok.json()["state"] == "investigating"
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = lhasa.post(
        f"/api/wages/complaints/{cid}/steps",
        json={"action": "close", "reason": "x", "outcome": "not_founded", "day": future},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "day"
    kpis = lhasa.get("/api/wages/complaints/kpis").json()["counties"]
    assert [(k["county"], k["received"], k["closed"]) for k in kpis] == [("540102", 1, 0)]
    assert shigatse.get("/api/wages/complaints/kpis").json()["counties"] == []


def test_bad_input_changes_nothing(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    c = TestClient(app)  # type: ignore[arg-type]
    _csrf(c)
    with make_sessionmaker(engine)() as s:
        before = counts(s)
    for body in (
        {"facts": "", "project_id": ids["lhasa"]},
        {"facts": "x", "project_text": "某工地"},  # no county
        {"facts": "x", "project_id": ids["lhasa"], "amount_claimed": "abc"},
        {"facts": "x", "project_id": ids["lhasa"], "worker_name": "冒名"},  # not a public field
        {"facts": "x", "project_id": 0},
    ):
        r = c.post("/api/wages/report", json=body)
        assert r.status_code == 422, (body, r.text)
    with make_sessionmaker(engine)() as s:
        assert counts(s) == before


def test_the_workers_own_complaints(app: object, engine: Engine) -> None:
    ids = _setup(engine)
    me = TestClient(app)  # type: ignore[arg-type]
    me.cookies.set(SESSION_COOKIE, ids["cookie"])
    _csrf(me)
    r = me.post("/api/wages/report", json={"facts": "工资拖欠", "project_id": ids["bayi"]})
    assert r.status_code == 201 and "follow_up" not in r.json()  # named: no code needed
    mine = me.get("/api/me/wages/complaints").json()["complaints"]
    assert [m["id"] for m in mine] == [r.json()["id"]] and mine[0]["county"] == "540402"
    one = me.get(f"/api/me/wages/complaints/{r.json()['id']}")
    assert one.status_code == 200 and one.json()["facts"] == "工资拖欠"
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    other = lhasa.post(
        "/api/wages/complaints",
        json={"facts": "别人的投诉", "project_id": ids["lhasa"], "worker_name": "扎西"},
    ).json()["id"]
    assert me.get(f"/api/me/wages/complaints/{other}").status_code == 404
