"""``minsheng wages complaints …`` on both databases: the queue, a step, maker–checker on the
extension through ``--operator``, the board, the KPIs; a bad step exits 1 and changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from minsheng.wages import complaint_filing as filing
from tests.wages.complaint_kit import complaint_in, counts, staff, world


def test_the_cli_works_the_queue(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        w = world(s)
        cid = filing.file_complaint(
            s, complaint_in(w["lhasa"].id, worker_name="扎西"), staff(1, "540200"), today
        ).complaint.id
        s.commit()
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    listed = runner.invoke(app, ["wages", "complaints", "list"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [cid] and "扎西" not in listed.stdout
    base = ["wages", "complaints", "step", str(cid)]
    with make_sessionmaker(engine)() as s:
        before = counts(s)
    bad = runner.invoke(app, [*base, "close", "--outcome", "recovered"])
    assert bad.exit_code == 1 and "wrong_state" in bad.output
    with make_sessionmaker(engine)() as s:
        assert counts(s) == before
    assert runner.invoke(app, [*base, "accept"]).exit_code == 0
    asked = runner.invoke(
        app, [*base, "request_extension", "--reason", "复杂", "--operator", "amy"]
    )
    assert asked.exit_code == 0, asked.output
    same = runner.invoke(app, [*base, "approve_extension", "--operator", "amy"])
    assert same.exit_code == 1 and "maker_checker" in same.output
    other = runner.invoke(app, [*base, "approve_extension", "--operator", "bob"])
    assert other.exit_code == 0 and json.loads(other.stdout)["extended"] is True
    closed = runner.invoke(
        app, [*base, "close", "--outcome", "recovered", "--recovered", "1200", "--reason", "已发放"]
    )
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["recovered"] == "1200.00"
    shown = runner.invoke(app, ["wages", "complaints", "show", str(cid)])
    assert json.loads(shown.stdout)["worker_name"] == "扎西"
    kpis = runner.invoke(app, ["wages", "complaints", "kpis", today.strftime("%Y-%m")])
    rows = json.loads(kpis.stdout)
    assert [(r["county"], r["received"], r["closed"]) for r in rows] == [("540102", 1, 1)]
    board = runner.invoke(app, ["wages", "complaints", "board"])
    assert board.exit_code == 0 and json.loads(board.stdout) == []  # nothing open
