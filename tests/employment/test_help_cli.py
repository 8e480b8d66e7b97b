"""``minsheng employment help refresh | plans`` against a database: the nightly refresh opens a
plan, running it again changes nothing, a bad date is refused (exit 1), the open plans list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from tests.employment import help_kit as k

runner = CliRunner()


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_refresh_and_plans(db_env: Engine) -> None:
    with make_sessionmaker(db_env)() as s:
        pid = k.person(s, 1, sex="F", birth=dt.date(1980, 1, 1))
        k.seeker(s, pid, dt.date(2026, 5, 1))
        s.commit()
    r = runner.invoke(app, ["employment", "help", "refresh", "--date", "2026-06-01"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["opened"] == 1
    again = json.loads(
        runner.invoke(app, ["employment", "help", "refresh", "--date", "2026-06-01"]).output
    )
    assert (again["opened"], again["ended"], again["updated"]) == (0, 0, 0)
    assert runner.invoke(app, ["employment", "help", "refresh", "--date", "June"]).exit_code == 1
    out = runner.invoke(app, ["employment", "help", "plans", "--region", "540100"])
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)
    assert listed["total"] == 1 and listed["plans"][0]["person_id"] == pid
    none = json.loads(
        runner.invoke(app, ["employment", "help", "plans", "--region", "540200"]).output
    )
    assert none["total"] == 0
