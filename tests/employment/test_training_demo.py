"""The training demo on a few Lhasa people: a finished electricians' course with certificates
and placements, and an order-based railway course enrolling now; the CLI reads them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from minsheng.db import make_sessionmaker
from minsheng.employment import training_views
from minsheng.employment.training_demo import seed_training
from minsheng.employment.training_models import EmCourse
from tests.employment.training_kit import BY, site

TODAY = dt.date(2026, 12, 2)


def test_the_demo_courses(session: Session) -> None:
    site(session, 30, people=14)
    counts = seed_training(session, BY, TODAY)
    assert counts["em_courses"] == 2 and counts["em_hires"] == 5
    finished = training_views.courses(session, BY, "finished")
    assert len(finished) == 1
    pay = training_views.subsidy_list(session, finished[0]["id"], BY)
    assert pay["completions"] == 8  # the two who missed half do not complete
    placed = training_views.placement(session, finished[0]["id"], BY, TODAY)
    assert placed["placed"] == 5 and placed["rate_text"] == "62%"
    order = training_views.courses(session, BY, "enrolling")
    assert order[0]["kind"] == "order" and order[0]["enrolled"] == 3
    assert order[0]["hire_promised"] == 30 and "铁路" in (order[0]["employer_name"] or "")


def test_the_cli_reads_the_courses(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from minsheng.employment.cli import app

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with make_sessionmaker(engine)() as s:
        site(s, 31, people=14)
        seed_training(s, BY, TODAY)
        s.commit()
        done = s.scalar(select(EmCourse.id).where(EmCourse.state == "finished"))
    runner = CliRunner()
    listed = runner.invoke(app, ["training", "courses", "--state", "enrolling"])
    assert listed.exit_code == 0, listed.output
    assert [c["kind"] for c in json.loads(listed.output)] == ["order"]
    pay = runner.invoke(app, ["training", "subsidy", str(done)])
    assert pay.exit_code == 0 and json.loads(pay.output)["total"] == 8 * 150_000
    placed = runner.invoke(app, ["training", "placement", str(done)])
    assert placed.exit_code == 0 and json.loads(placed.output)["placed"] == 5
    missing = runner.invoke(app, ["training", "subsidy", "999999"])
    assert missing.exit_code == 1  # a course that is not there: a clear message, exit 1
