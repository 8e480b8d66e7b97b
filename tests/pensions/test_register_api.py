"""The pensions API and CLI over HTTP and the command line, on both databases: hostile inputs,
a retried POST, another region's person, the citizen's own record, the finance bureau's CSV."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from minsheng.cli import app as cli_app
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.pensions.models import PnContribution
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn, StatusIn
from minsheng.registry.statuses import add_status
from tests.conftest import staff_client

BY = system("test")
YEAR = dt.date.today().year
CODE = ids.make_credit_code("540102", 77)


def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        create_employer(
            s, EmployerIn(credit_code=CODE, name="拉萨单位", division_code="540102"), BY
        )
        out = {}
        for name, born, seq in (("resident", 1970, 11), ("worker", 1990, 12)):
            p = registry.create_person(
                s,
                PersonIn(
                    id_number=ids.make_resident_id("540102", dt.date(born, 1, 1), seq),
                    name_zh=f"测试{name}",
                    hukou="rural",
                ),
                BY,
            )
            out[name] = p.id
        add_status(s, out["resident"], StatusIn(kind="tekun", start_date=dt.date(2023, 1, 1)), BY)
        s.commit()
    return out


def test_enrol_contribute_retry_and_read_over_http(app: Any, engine: Engine, client: Any) -> None:
    w = world(engine)
    r = client.post(
        "/api/pensions/enrolments",
        json={
            "person_id": w["resident"],
            "scheme": "resident_pension",
            "start_date": f"{YEAR}-01-01",
        },
    )
    assert r.status_code == 201, r.text
    body = {"person_id": w["resident"], "year": YEAR, "tier": "500"}
    first = client.post("/api/pensions/contributions/resident", json=body)
    again = client.post("/api/pensions/contributions/resident", json=body)  # a retry
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["contributions"] == again.json()["contributions"]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(PnContribution)) == 1
    for tier in ("1e3", "350", "-100", "10\n0", "1|00", "9" * 40):
        bad = client.post("/api/pensions/contributions/resident", json={**body, "tier": tier})
        assert bad.status_code == 422, (tier, bad.text)
    record = client.get(f"/api/pensions/persons/{w['resident']}").json()
    assert record["contributions"][0]["subsidy"] == "60.00"
    far = staff_client(app, engine, "caseworker", "540200", "far.cw")
    assert far.get(f"/api/pensions/persons/{w['resident']}").status_code == 404  # type: ignore[attr-defined]
    assert far.post("/api/pensions/contributions/resident", json=body).status_code == 404  # type: ignore[attr-defined]


def test_employee_base_bounds_over_http(engine: Engine, client: Any) -> None:
    w = world(engine)
    base = {
        "person_id": w["worker"],
        "scheme": "employee_pension",
        "credit_code": CODE,
        "start_date": f"{YEAR}-01-01",
    }
    for wage in ("1e9", "99999999999999999999", "NaN", "12.345"):
        r = client.post("/api/pensions/enrolments", json={**base, "wage": wage})
        assert r.status_code == 422, (wage, r.text)
    r = client.post("/api/pensions/enrolments", json={**base, "wage": "9999999"})
    assert r.status_code == 201 and r.json()["base"] == "31000.00"
    clash = client.post(
        "/api/pensions/enrolments",
        json={
            "person_id": w["worker"],
            "scheme": "resident_pension",
            "start_date": f"{YEAR}-02-01",
        },
    )
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "scheme"
    assert clash.json()["error"]["message"]["bo"]


def test_government_paid_csv_and_the_citizens_own_record(app: Any, engine: Engine) -> None:
    w = world(engine)
    boss: Any = staff_client(app, engine, "supervisor", "540100", "boss")
    r = boss.post(
        "/api/pensions/enrolments",
        json={
            "person_id": w["resident"],
            "scheme": "resident_pension",
            "start_date": f"{YEAR}-01-01",
        },
    )
    assert r.status_code == 201
    assert boss.post(f"/api/pensions/government-paid/{YEAR}").json()["new"] == 1
    assert boss.post(f"/api/pensions/government-paid/{YEAR}").json()["new"] == 0
    listed = boss.get(f"/api/pensions/government-paid/{YEAR}/list.csv")
    assert listed.headers["content-type"].startswith("text/csv")
    assert listed.content.startswith("\ufeff".encode()) and "测试resident" in listed.text
    far: Any = staff_client(app, engine, "supervisor", "540200", "far.boss")
    assert "测试resident" not in far.get(f"/api/pensions/government-paid/{YEAR}/list.csv").text
    assert boss.post(f"/api/pensions/credit/{YEAR}").json()["accounts"] == 1
    assert boss.post(f"/api/pensions/credit/{YEAR}").json()["accounts"] == 0
    from fastapi.testclient import TestClient

    from minsheng.auth import service as auth
    from minsheng.registry.models import Person
    from minsheng.webkit.guards import SESSION_COOKIE

    with make_sessionmaker(engine)() as s:
        person = s.get(Person, w["resident"])
        token = auth.open_session(s, 1, person=person).token
        s.commit()
    me = TestClient(app)
    me.cookies.set(SESSION_COOKIE, token)
    mine = me.get("/api/me/pensions").json()
    assert mine["contributions"][0]["government_paid"] is True
    assert mine["accounts"][0]["balance"] == "130.00"


def test_cli_enrol_contribute_credit_statement(engine: Engine, monkeypatch: Any) -> None:
    w = world(engine)
    monkeypatch.setattr("minsheng.clikit.engine", lambda: engine)
    run = CliRunner()

    def cli(*args: str) -> Any:
        r = run.invoke(cli_app, ["pensions", *args])
        return r

    r = cli(
        "enrol",
        "--person",
        str(w["worker"]),
        "--scheme",
        "employee_pension",
        "--employer",
        CODE,
        "--wage",
        "8000",
        "--start",
        f"{YEAR}-01-01",
    )
    assert r.exit_code == 0, r.output
    r = cli(
        "contribute",
        "--person",
        str(w["worker"]),
        "--year",
        str(YEAR),
        "--scheme",
        "employee_pension",
        "--months",
        "1-2",
    )
    assert r.exit_code == 0, r.output
    assert [c["individual"] for c in json.loads(r.stdout)["contributions"]] == ["640.00"] * 2
    bad = cli("contribute", "--person", str(w["worker"]), "--year", str(YEAR), "--tier", "1e3")
    assert bad.exit_code == 1 and "tier" in bad.output
    assert cli("credit", str(YEAR)).exit_code == 0
    r = cli("statement", "--person", str(w["worker"]))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["accounts"][0]["statements"][0]["credited"] == "1280.00"
