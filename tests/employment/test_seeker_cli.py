"""``minsheng employment seekers …`` against a database: register by ID number (the number
masked in the output, a second run shows the same record), show, the lapse sweep, refusals
(exit 1, nothing written)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from minsheng.employment.seeker_models import EmSeeker
from tests.employment.seeker_kit import new_id, stored_person

runner = CliRunner()


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_register_show_and_lapse(db_env: Engine) -> None:
    _, number = stored_person(db_env, "540102", name="格桑")
    r = runner.invoke(
        app, ["employment", "seekers", "register", "--id-number", number, "--today", "2026-01-05"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["opened"] and out["name"] == "格桑" and number not in r.output
    assert out["reconfirm_by"] == "2026-04-05"
    r = runner.invoke(app, ["employment", "seekers", "register", "--id-number", "-"], input=number)
    assert r.exit_code == 0 and json.loads(r.output)["opened"] is False
    r = runner.invoke(app, ["employment", "seekers", "show", str(out["id"])])
    assert json.loads(r.output)["history"][0]["status"] == "unemployed"
    r = runner.invoke(app, ["employment", "seekers", "lapse", "--today", "2026-04-05"])
    assert json.loads(r.output)["lapsed"] == 0
    r = runner.invoke(app, ["employment", "seekers", "lapse", "--today", "2026-04-06"])
    assert json.loads(r.output)["lapsed"] == 1
    r = runner.invoke(app, ["employment", "seekers", "show", str(out["id"])])
    assert json.loads(r.output)["state"] == "lapsed"


def test_refusals_exit_1_and_write_nothing(db_env: Engine) -> None:
    for bad in (new_id(), "540102199001011234", "not-a-number"):
        r = runner.invoke(app, ["employment", "seekers", "register", "--id-number", bad])
        assert r.exit_code == 1, r.output
        assert bad not in r.output or bad == "not-a-number"
    r = runner.invoke(app, ["employment", "seekers", "lapse", "--today", "2026-13-01"])
    assert r.exit_code == 1
    with make_sessionmaker(db_env)() as s:
        assert s.scalar(select(func.count()).select_from(EmSeeker)) == 0
