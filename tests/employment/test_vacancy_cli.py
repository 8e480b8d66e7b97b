"""``minsheng employment vacancies …`` / ``hires …`` against a database: a refused publish
prints every reason and exits 1 (kept refused), the sweep closes what is past its closing date,
the overdue list shows masked IDs only, a take-down needs a reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_models import EmVacancy
from tests.employment.vacancy_kit import BY, TODAY, employer, person, vacancy_in

runner = CliRunner()


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_vacancy_commands(db_env: Engine) -> None:
    with make_sessionmaker(db_env)() as s:
        firm = employer(s)
        bad = vacancies.create_vacancy(s, vacancy_in(employer_id=firm, wage_min="2000"), BY, TODAY)
        good = vacancies.create_vacancy(
            s, vacancy_in(employer_id=firm, closing_on="2026-11-30"), BY, TODAY
        )
        _, number = person(s, 81)
        hires.record_hire(s, firm, number, None, "4", dt.date(2026, 9, 1), BY, TODAY, file=False)
        s.commit()
    day = ["--today", TODAY.isoformat()]
    r = runner.invoke(app, ["employment", "vacancies", "publish", str(bad.id), *day])
    assert r.exit_code == 1 and "minimum_wage" in r.output
    with make_sessionmaker(db_env)() as s:
        assert s.get(EmVacancy, bad.id).state == "refused"  # type: ignore[union-attr]
    r = runner.invoke(app, ["employment", "vacancies", "publish", str(good.id), *day])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["state"] == "published"
    r = runner.invoke(app, ["employment", "vacancies", "list", "--state", "refused"])
    assert [v["id"] for v in json.loads(r.output)["vacancies"]] == [bad.id]
    r = runner.invoke(app, ["employment", "vacancies", "take-down", str(good.id), "--reason", "x"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["employment", "vacancies", "close-due", "--today", "2026-12-01"])
    assert json.loads(r.output) == {"closed": 1}
    r = runner.invoke(app, ["employment", "hires", "overdue", *day])
    [late] = json.loads(r.output)["hires"]
    assert late["file_by"] == "2026-10-01" and number not in r.output
