"""``minsheng wages deposit …`` and ``minsheng wages blacklist …`` against a database: assess,
lodge, a draw beyond the balance refused (exit 1, nothing changed), overdue, the public list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from tests.wages.deposit_world import site

runner = CliRunner()


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_deposit_commands(db_env: Engine) -> None:
    with make_sessionmaker(db_env)() as s:
        x = site(s, signed=dt.date(2026, 9, 1))
        s.commit()
    p = str(x.project_id)
    r = runner.invoke(app, ["wages", "deposit", "assess", p, "--today", "2026-09-01"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["deposit"]["required"] == 20_000_000
    r = runner.invoke(app, ["wages", "deposit", "overdue", "--today", "2026-09-30"])
    assert json.loads(r.output) == [{"project_id": x.project_id, "cause": "lodge"}]
    r = runner.invoke(
        app, ["wages", "deposit", "lodge", p, "--amount", "200000", "--bank", "中国银行"]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["wages", "deposit", "draw", p, "--amount", "200000.01", "--reference", "TS-1"]
    )
    assert r.exit_code == 1 and "beyond_balance" in r.output
    r = runner.invoke(app, ["wages", "deposit", "show", p])
    out = json.loads(r.output)
    assert out["deposit"]["balance"] == 20_000_000 and len(out["entries"]) == 1
    r = runner.invoke(app, ["wages", "blacklist", "public"])
    assert r.exit_code == 0 and json.loads(r.output) == []
