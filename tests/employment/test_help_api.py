"""One-to-one help over HTTP: a supervisor runs the refresh, a caseworker works a plan (contact,
service, answer, outcome, assignment), an auditor reads only, another region sees 404; the
statistics answer by prefecture and month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from minsheng.db import make_sessionmaker
from minsheng.employment.help_models import EmHelpPlan
from tests.conftest import staff_client
from tests.employment import help_kit as k


def seed(engine: Engine) -> dict[str, int]:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        pid = k.person(s, 1)
        k.status(s, pid, "disability")
        k.seeker(s, pid, today - dt.timedelta(days=30))
        far = k.person(s, 2, county=k.SAMZHUBZE)
        k.status(s, far, "disability")
        k.seeker(s, far, today - dt.timedelta(days=30), county=k.SAMZHUBZE)
        e = k.employer(s)
        v = k.vacancy(s, e)
        s.commit()
        return {"person": pid, "far": far, "vacancy": v.id, "employer": e.id}


def test_the_help_plan_over_http(app: Any, engine: Engine) -> None:
    ids = seed(engine)
    boss = staff_client(app, engine, "supervisor", "540000")
    r = boss.post("/api/employment/help/refresh", json={})
    assert r.status_code == 200, r.text
    assert r.json()["opened"] == 2
    again = boss.post("/api/employment/help/refresh", json={}).json()
    assert (again["opened"], again["ended"], again["updated"]) == (0, 0, 0)
    worker = staff_client(app, engine, "caseworker", "540100", "helper.lhasa")
    listing = worker.get("/api/employment/help/plans").json()
    assert listing["total"] == 1
    plan = listing["plans"][0]
    assert plan["person_id"] == ids["person"] and plan["owed"] == {
        "job_lead": 3,
        "training_offer": 1,
    }
    assert "*" in plan["id_masked"]
    pid = plan["id"]
    with make_sessionmaker(engine)() as s:
        far_plan = s.scalar(select(EmHelpPlan.id).where(EmHelpPlan.person_id == ids["far"]))
    assert worker.get(f"/api/employment/help/plans/{far_plan}").status_code == 404
    assert (
        worker.post(
            f"/api/employment/help/plans/{far_plan}/contacts",
            json={"channel": "phone", "note": "x"},
        ).status_code
        == 404
    )
    r = worker.post(
        f"/api/employment/help/plans/{pid}/contacts",
        json={"channel": "visit", "note": "入户走访", "next_step": "推荐岗位"},
    )
    assert r.status_code == 200, r.text
    bad = worker.post(
        f"/api/employment/help/plans/{pid}/contacts", json={"channel": "fax", "note": "x"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "channel"
    svc = worker.post(
        f"/api/employment/help/plans/{pid}/services",
        json={"kind": "job_lead", "vacancy_id": ids["vacancy"]},
    ).json()
    r = worker.post(
        f"/api/employment/help/plans/{pid}/services/{svc['id']}/response",
        json={"response": "accepted"},
    )
    assert r.status_code == 200 and r.json()["services"]["job_lead"] == 0  # out() of the plan
    r = worker.post(f"/api/employment/help/plans/{pid}/assignee", json={"username": "helper.lhasa"})
    assert r.status_code == 200 and r.json()["assignee"].startswith("user:")
    mine = worker.get("/api/employment/help/plans?mine=true").json()
    assert mine["total"] == 1
    auditor = staff_client(app, engine, "auditor", "540100")
    assert auditor.get(f"/api/employment/help/plans/{pid}").json()["offered"] == []
    assert (
        auditor.post(
            f"/api/employment/help/plans/{pid}/outcome",
            json={"outcome": "moved", "reason": "x"},
        ).status_code
        == 403
    )
    assert worker.post("/api/employment/help/refresh", json={}).status_code == 403
    with make_sessionmaker(engine)() as s:
        from minsheng.registry.models import Employer

        employer = s.get(Employer, ids["employer"])
        assert employer is not None
        ids["hire"] = k.hire(s, employer, ids["person"], dt.date.today()).id
        s.commit()
    r = worker.post(
        f"/api/employment/help/plans/{pid}/outcome",
        json={"outcome": "employed", "reason": "保洁员入职", "hire_id": ids["hire"]},
    )
    assert r.status_code == 200 and r.json()["state"] == "employed"
    detail = worker.get(f"/api/employment/help/plans/{pid}").json()
    assert [e["action"] for e in detail["events"]] == [
        "open",
        "contact",
        "offer",
        "respond",
        "assign",
        "close",
    ]
    stats = worker.get("/api/employment/statistics").json()
    assert stats["totals"]["placed"] == 1 and stats["totals"]["new_jobs"] == 1
    assert stats["prefectures"] == ["540100"]
