"""The projects API over HTTP on both databases: filing, the desk's worker entry and exit, a
contractor seeing only its employer's projects, and every door answering another region's or
another firm's project as missing (404, the body of a truly missing one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select

from minsheng.auth.models import EmployerUser, User
from minsheng.db import make_sessionmaker
from minsheng.registry.models import Employer
from minsheng.wages.models import WgWorker
from tests.conftest import make_app, staff_client
from tests.wages.project_kit import BY, GENERAL, SUB, person, project_in


def _body(**over: Any) -> dict[str, Any]:
    return project_in(**over).model_dump(mode="json")


def _setup(engine: Engine) -> tuple[Any, dict[str, Any]]:
    app = make_app(engine)
    c = staff_client(app, engine, "caseworker", "540100")
    r = c.post("/api/wages/projects", json=_body())  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    project = r.json()
    with make_sessionmaker(engine)() as s:
        _, number = person(s, 41)
        s.commit()
    team = c.post(  # type: ignore[attr-defined]
        f"/api/wages/projects/{project['id']}/teams", json={"name": "钢筋班组", "credit_code": SUB}
    )
    assert team.status_code == 201, team.text
    worker = c.post(  # type: ignore[attr-defined]
        f"/api/wages/projects/{project['id']}/workers",
        json={
            "id_number": number,
            "team_id": team.json()["id"],
            "contract_no": "LD-1",
            "contract_signed_on": "2026-03-01",
            "rate_kind": "day",
            "rate": "300",
            "entry_on": "2026-03-02",
        },
    )
    assert worker.status_code == 201, worker.text
    assert number not in worker.text and worker.json()["id_masked"].startswith("5401")
    return app, {"c": c, "project": project, "team": team.json(), "worker": worker.json()}


def _bind(engine: Engine, username: str, credit_code: str) -> None:
    with make_sessionmaker(engine)() as s:
        user = s.scalar(select(User.id).where(User.username == username))
        employer = s.scalar(select(Employer.id).where(Employer.credit_code == credit_code))
        assert user and employer
        s.add(EmployerUser(user_id=user, employer_id=employer))
        s.commit()


def test_file_list_show(engine: Engine) -> None:
    _, w = _setup(engine)
    c, project = w["c"], w["project"]
    assert project["contract_value"] == "12000000.00" and len(project["schedule"]) == 3
    listed = c.get("/api/wages/projects", params={"q": "保障房"}).json()["projects"]
    assert [p["id"] for p in listed] == [project["id"]]
    assert c.get("/api/wages/projects", params={"q": "没有"}).json()["projects"] == []
    shown = c.get(f"/api/wages/projects/{project['id']}").json()
    assert [t["name"] for t in shown["teams"]] == ["钢筋班组"]
    bad = c.post("/api/wages/projects", json=_body(contract_value="abc"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "contract_value"
    gap = c.post(
        "/api/wages/projects", json=_body(schedule=[{"due_on": "2026-05-01", "amount": "1"}])
    )
    assert gap.status_code == 422 and gap.json()["error"]["rule"] == "gap"
    assert len(c.get("/api/wages/projects").json()["projects"]) == 1


def test_no_contract_no_entry_over_http(engine: Engine) -> None:
    _, w = _setup(engine)
    c = w["c"]
    with make_sessionmaker(engine)() as s:
        _, number = person(s, 42)
        before = len(s.scalars(select(WgWorker)).all())
        s.commit()
    r = c.post(
        f"/api/wages/projects/{w['project']['id']}/workers",
        json={
            "id_number": number,
            "team_id": w["team"]["id"],
            "rate_kind": "day",
            "rate": "300",
            "entry_on": "2026-03-02",
        },
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert (err["field"], err["rule"]) == ("contract_no", "contract_required")
    assert "第二十八条" in err["message"]["zh"] and err["message"]["bo"]
    with make_sessionmaker(engine)() as s:
        assert len(s.scalars(select(WgWorker)).all()) == before
    out = c.post(f"/api/wages/workers/{w['worker']['id']}/exit", json={"exit_on": "2026-04-30"})
    assert out.status_code == 200 and out.json()["on_site"] is False


def test_a_contractor_sees_only_its_employers_projects(engine: Engine) -> None:
    app, w = _setup(engine)
    c = w["c"]
    other = c.post(
        "/api/wages/projects",
        json=_body(
            name="别家工程",
            general={"credit_code": ids_code(9100), "name": "别家建工"},
            subcontractors=[],
        ),
    )
    assert other.status_code == 201, other.text
    mine = staff_client(app, engine, "contractor", "540100", "contractor.mine")
    _bind(engine, "contractor.mine", GENERAL)
    seen = mine.get("/api/wages/projects").json()["projects"]  # type: ignore[attr-defined]
    assert [p["id"] for p in seen] == [w["project"]["id"]]
    assert mine.get(f"/api/wages/projects/{other.json()['id']}").status_code == 404  # type: ignore[attr-defined]
    # a contractor may not file a project (the labour bureau's)
    assert mine.post("/api/wages/projects", json=_body()).status_code == 403  # type: ignore[attr-defined]


def ids_code(n: int) -> str:
    from minsheng.core import ids

    return ids.make_credit_code("540102", n)


def test_every_door_answers_another_region_as_missing(engine: Engine) -> None:
    app, w = _setup(engine)
    pid, wid, tid = w["project"]["id"], w["worker"]["id"], w["team"]["id"]
    shigatse = staff_client(app, engine, "supervisor", "540200")
    stranger = staff_client(app, engine, "contractor", "540100", "contractor.stranger")
    today = dt.date.today().isoformat()
    doors = [
        ("GET", "/api/wages/projects/{p}", None),
        ("PATCH", "/api/wages/projects/{p}", {"name": "改名"}),
        ("POST", "/api/wages/projects/{p}/complete", {"completed_on": today}),
        ("POST", "/api/wages/projects/{p}/close", None),
        ("POST", "/api/wages/projects/{p}/firms", {"credit_code": GENERAL}),
        ("PUT", "/api/wages/projects/{p}/schedule", {"items": []}),
        ("POST", "/api/wages/projects/{p}/teams", {"name": "新班组", "credit_code": GENERAL}),
        ("GET", "/api/wages/projects/{p}/workers", None),
        (
            "POST",
            "/api/wages/projects/{p}/workers",
            {
                "id_number": "540102198804040043",
                "team_id": tid,
                "contract_no": "X",
                "contract_signed_on": "2026-03-01",
                "rate_kind": "day",
                "rate": "1",
                "entry_on": "2026-03-02",
            },
        ),
        ("POST", "/api/wages/workers/{w}/exit", {"exit_on": today}),
        ("POST", "/api/wages/workers/{w}/team", {"team_id": tid}),
    ]
    for method, path, body in doors:
        for who in (shigatse, stranger):
            if (who is stranger and method in ("PATCH", "PUT")) or (
                who is stranger and path.endswith(("complete", "close", "firms"))
            ):
                continue  # a contractor lacks wages:write: 403 before any record is read
            kw = {"json": body} if body is not None else {}
            there = who.request(method, path.format(p=pid, w=wid), **kw)  # type: ignore[attr-defined]
            missing = who.request(method, path.format(p=999_999, w=999_999), **kw)  # type: ignore[attr-defined]
            assert there.status_code == 404, (method, path, there.text)
            assert there.json() == missing.json(), (method, path)
    # nothing changed: the worker is still on site, the project still active
    c = w["c"]
    assert c.get(f"/api/wages/projects/{pid}").json()["state"] == "active"
    assert c.get(f"/api/wages/projects/{pid}/workers").json()["workers"][0]["on_site"] is True
    assert BY.kind == "system"
