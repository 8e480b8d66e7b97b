"""The training demo on a few Lhasa people: a finished electricians' course with certificates
and placements, and an order-based railway course enrolling now; the CLI reads them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session
from typer.testing import CliRunner

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


def test_the_cli_offers_the_training_commands(session: Session) -> None:
    from minsheng.employment.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["training", "--help"])
    assert r.exit_code == 0 and "subsidy" in r.output
    assert session.query(EmCourse).count() == 0
    r = runner.invoke(app, ["training", "subsidy", "x"])
    assert r.exit_code != 0
