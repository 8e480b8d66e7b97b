"""``minsheng employment gigs``, ``gig-disputes`` and ``gig-take-down`` against a database: the
open gigs of a county, the open disputes with overdue marked, a take-down without a reason
refused (exit 1, nothing changed), with one done."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from minsheng.employment import gig_applications as apps
from tests.employment import gig_kit as k

runner = CliRunner()


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_gig_commands(db_env: Engine) -> None:
    with make_sessionmaker(db_env)() as s:
        r = k.recruiter(s)
        gig = k.post(s, r)
        w = k.person(s)
        me = k.citizen(w.id)
        aid = k.apply(s, gig, w)
        for action, by in (("accept", r), ("check_in", me), ("complete", r)):
            apps.step(s, aid, action, by, k.TODAY)
        apps.step(s, aid, "dispute", me, k.TODAY, reason="没有付工资")
        gid = gig.id
        s.commit()
    day = k.TODAY.isoformat()
    out = runner.invoke(app, ["employment", "gigs", "--county", "540102", "--today", day])
    assert out.exit_code == 0, out.output
    assert [g["id"] for g in json.loads(out.output)["gigs"]] == [gid]
    late = (k.TODAY + dt.timedelta(days=30)).isoformat()
    out = runner.invoke(app, ["employment", "gig-disputes", "--today", late])
    rows = json.loads(out.output)["disputes"]
    assert [(x["application_id"], x["overdue"]) for x in rows] == [(aid, True)]
    out = runner.invoke(app, ["employment", "gig-take-down", str(gid), "--reason", " "])
    assert out.exit_code == 1 and "reason" in out.output
    out = runner.invoke(app, ["employment", "gig-take-down", str(gid), "--reason", "虚假信息"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["state"] == "taken_down"
