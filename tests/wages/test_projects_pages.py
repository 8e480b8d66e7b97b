"""The project desk's pages (issue 13 point 9): the list with search and pages, a project's
page (firms, teams, schedule, masked workers), the entry form refusing a worker without a
labour contract with the form as typed (nothing stored), entry and exit by post–redirect–get,
and another region's project answering 404 through every page door."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.wages import projects
from minsheng.wages.models import WgTeam, WgWorker
from minsheng.wages.schemas import TeamIn
from tests.conftest import make_app, staff_client
from tests.wages.project_kit import BY, SUB, person, project_in


def _world(engine: Engine) -> dict[str, Any]:
    with make_sessionmaker(engine)() as s:
        project = projects.file_project(s, project_in(), BY, today=dt.date(2026, 11, 20))
        team = projects.add_team(s, project.id, TeamIn(name="钢筋班组", credit_code=SUB), BY)
        _, number = person(s, 51, name="扎西")
        s.commit()
        return {"project": project.id, "team": team.id, "number": number}


def _workers(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(WgWorker)) or 0)


def test_desk_list_page_entry_exit(engine: Engine) -> None:
    w = _world(engine)
    app = make_app(engine)
    c: Any = staff_client(app, engine, "caseworker", "540100")
    r = c.get("/wages/projects", params={"q": "保障房"})
    assert r.status_code == 200 and "拉萨市城关区保障房二期" in r.text
    assert "拉萨市城关区保障房二期" not in c.get("/wages/projects", params={"q": "无此"}).text
    page = c.get(f"/wages/projects/{w['project']}")
    assert page.status_code == 200
    assert "四川测试劳务公司" in page.text and "2026-04-01" in page.text and "钢筋班组" in page.text
    form = {
        "id_number": w["number"],
        "team_id": str(w["team"]),
        "contract_no": "",
        "contract_signed_on": "2026-03-01",
        "rate_kind": "day",
        "rate": "300",
        "entry_on": "2026-03-02",
        "work_injury": "on",
    }
    refused = c.post(f"/wages/projects/{w['project']}/workers", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="worker-contract_no"' in refused.text and "autofocus" in refused.text
    assert "第二十八条" in refused.text
    assert f'value="{w["number"]}"' in refused.text  # kept as typed, in the POST's answer only
    assert _workers(engine) == 0
    form["contract_no"] = "LD-9"
    done = c.post(f"/wages/projects/{w['project']}/workers", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = c.get(done.headers["location"])
    assert "扎西" in page.text and w["number"] not in page.text  # masked in the list
    assert w["number"][:4] + "*" * 14 in page.text
    with make_sessionmaker(engine)() as s:
        worker = s.scalars(select(WgWorker)).one().id
    bad = c.post(f"/wages/workers/{worker}/exit", data={"exit_on": "2026-02-01"})
    assert bad.status_code == 422 and 'id="exit-' in bad.text
    left = c.post(
        f"/wages/workers/{worker}/exit", data={"exit_on": "2026-04-30"}, follow_redirects=False
    )
    assert left.status_code == 303
    with make_sessionmaker(engine)() as s:
        assert s.scalars(select(WgWorker)).one().exit_on == dt.date(2026, 4, 30)
        assert s.scalar(select(func.count()).select_from(WgTeam)) == 1


def test_page_doors_answer_another_region_as_missing(engine: Engine) -> None:
    w = _world(engine)
    app = make_app(engine)
    outside: Any = staff_client(app, engine, "caseworker", "540200")
    assert "拉萨市城关区保障房二期" not in outside.get("/wages/projects").text
    for path, data in (
        (f"/wages/projects/{w['project']}", None),
        (f"/wages/projects/{w['project']}/workers", {"id_number": w["number"]}),
    ):
        r = outside.post(path, data=data) if data else outside.get(path)
        missing = (
            outside.post(path.replace(str(w["project"]), "999999"), data=data)
            if data
            else outside.get(path.replace(str(w["project"]), "999999"))
        )
        assert r.status_code == 404 == missing.status_code, (path, r.status_code)
    assert _workers(engine) == 0
