"""Stored transfers over HTTP and the CLI (issue 12 point 8): open (a retried key answers the
same transfer), the queue of each side, a step of the other side refused (403), a third
region's 404; ``minsheng pensions transfer-case open|step|show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from minsheng.cli import app as cli
from minsheng.db import make_sessionmaker, unit_of_work
from tests.conftest import make_app, staff_client
from tests.pensions.transfer_kit import balance, chongqing, employee_history, person


def test_open_queue_and_steps_over_http_by_side(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 11)
        employee_history(s, pid, "540202", 12, 500_000)
        balance(s, pid, "employee_pension", 100_000)
    app = make_app(engine)
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    shigatse: Any = staff_client(app, engine, "caseworker", "540200")
    nyingchi: Any = staff_client(app, engine, "caseworker", "540400")
    req = {**chongqing(), "from": "540202", "to": "540102", "hukou": "540102"}
    body = {"key": "api-open-0001", "transfer": req}
    r = lhasa.post(f"/api/pensions/persons/{pid}/transfers", json=body)
    assert r.status_code == 200, r.text
    t = r.json()
    assert (t["state"], t["pooled"], t["due"]) == ("applied", "7200.00", "2026-03-23")
    assert lhasa.post(f"/api/pensions/persons/{pid}/transfers", json=body).json()["id"] == t["id"]
    for c in (lhasa, shigatse):
        q = c.get("/api/pensions/transfers").json()
        assert [x["id"] for x in q["transfers"]] == [t["id"]] and q["transfers"][0]["overdue"]
    assert nyingchi.get("/api/pensions/transfers").json()["transfers"] == []
    assert nyingchi.get(f"/api/pensions/transfers/{t['id']}").status_code == 404
    step = f"/api/pensions/transfers/{t['id']}/steps"
    assert nyingchi.post(step, json={"action": "confirm"}).status_code == 404
    mine = lhasa.post(step, json={"action": "confirm"})
    assert mine.status_code == 403 and mine.json()["error"]["rule"] == "other_side"
    assert lhasa.get(f"/api/pensions/transfers/{t['id']}").json()["offered"] == ["refuse"]
    assert shigatse.get(f"/api/pensions/transfers/{t['id']}").json()["offered"] == [
        "confirm",
        "refuse",
    ]
    assert shigatse.post(step, json={"action": "confirm"}).json()["state"] == "confirmed"
    early = shigatse.post(step, json={"action": "receive"})
    assert early.status_code == 409 and early.json()["error"]["rule"] == "wrong_state"
    no_reason = shigatse.post(step, json={"action": "refuse"})
    assert no_reason.status_code == 422
    refused = shigatse.post(step, json={"action": "refuse", "reason": "本人撤回申请"})
    assert refused.json()["state"] == "refused" and refused.json()["reason"] == "本人撤回申请"
    shown = lhasa.get(f"/api/pensions/transfers/{t['id']}").json()
    assert [e["action"] for e in shown["events"]] == ["open", "confirm", "refuse"]


def test_the_cli_opens_steps_and_shows(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 12)
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    f = tmp_path / "t.json"
    f.write_text(json.dumps(chongqing()), encoding="utf-8")
    runner = CliRunner()
    args = ["pensions", "transfer-case", "open", str(pid), str(f), "--key", "cli-open-0001"]
    opened = runner.invoke(cli, args)
    assert opened.exit_code == 0, opened.output
    t = json.loads(opened.output)
    assert (t["total"], t["claim_place"]) == ("251405.43", "500000")
    assert json.loads(runner.invoke(cli, args).output)["id"] == t["id"]
    base = ["pensions", "transfer-case", "step", str(t["id"])]
    bad = runner.invoke(cli, [*base, "send"])
    assert bad.exit_code != 0
    assert "applied" in bad.output
    for action, day in (("confirm", "2026-03-20"), ("send", "2026-04-10"), ("receive", "")):
        extra = ["--day", day] if day else []
        done = runner.invoke(cli, [*base, action, *extra])
        assert done.exit_code == 0, done.output
    shown = json.loads(
        runner.invoke(cli, ["pensions", "transfer-case", "show", str(t["id"])]).output
    )
    assert shown["state"] == "done" and shown["credited"] == "98765.43"
    assert shown["steps"][2]["by"] == "2026-05-06"
    assert [e["action"] for e in shown["events"]] == ["open", "confirm", "send", "receive"]
