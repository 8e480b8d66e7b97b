import datetime as dt
import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.core import ids
from minsheng.db import alembic_config

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

runner = CliRunner()
A = ids.make_resident_id("540102", dt.date(1970, 3, 1), 11)


@pytest.fixture
def db_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_id_check_valid_prints_fields() -> None:
    r = runner.invoke(app, ["id", "check", "11010519491231002X"])
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["valid"] and out["kind"] == "resident_id" and out["birth_date"] == "1949-12-31"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("110105194912310021", "id_checksum"),
        ("91350100M000100Y44", "credit_checksum"),
        ("H540102", "facility_format"),
    ],
)
def test_id_check_invalid_prints_rule_and_exits_1(value: str, rule: str) -> None:
    r = runner.invoke(app, ["id", "check", value])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out == {
        "valid": False,
        "field": out["field"],
        "rule": rule,
        "zh": out["zh"],
        "en": out["en"],
    }


def test_person_add_show_import(db_env: Engine, tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "person",
            "add",
            "--id",
            A,
            "--name",
            "次仁",
            "--hukou",
            "rural",
            "--phone",
            "13908901234",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["division_code"] == "540102"
    r = runner.invoke(app, ["person", "show", A])
    assert r.exit_code == 0 and json.loads(r.stdout)["name_zh"] == "次仁"
    r = runner.invoke(app, ["person", "add", "--id", A, "--name", "again", "--hukou", "rural"])
    assert r.exit_code == 1 and "[duplicate] id_number" in r.stderr
    r = runner.invoke(
        app, ["person", "add", "--id", A[:-1] + "0", "--name", "x", "--hukou", "rural"]
    )
    assert r.exit_code == 1 and "[id_checksum]" in r.stderr and "check character" in r.stderr
    csv = tmp_path / "p.csv"
    b = ids.make_resident_id("540202", dt.date(1980, 1, 1), 22)
    csv.write_text(f"id_number,name_zh,hukou\n{b},卓玛,urban\nbad,坏,rural\n", encoding="utf-8")
    r = runner.invoke(app, ["person", "import", str(csv)])
    assert r.exit_code == 1  # one row rejected
    report = json.loads(r.stdout)
    assert (report["imported"], report["problems"][0]["line"]) == (1, 3)
    assert json.loads(runner.invoke(app, ["person", "show", b]).stdout)["division_code"] == "540202"


def test_show_unknown_person(db_env: Engine) -> None:
    r = runner.invoke(app, ["person", "show", A])
    assert r.exit_code == 1 and "not_found" in r.stderr


def test_db_and_demo_commands(db_env: Engine) -> None:
    r = runner.invoke(app, ["db", "current"])
    assert r.stdout.strip() == HEAD
    r = runner.invoke(app, ["demo", "seed", "--people", "300", "--seed", "3"])
    assert r.exit_code == 0, r.output
    assert '"people": 300' in r.stdout
    r = runner.invoke(app, ["demo", "seed", "--people", "300", "--if-empty"])
    assert r.exit_code == 0 and "skipped" in r.stdout
    r = runner.invoke(app, ["demo", "seed", "--people", "300"])
    assert r.exit_code == 1 and "not_empty" in r.stderr


def test_params_show_and_overlay(tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "params",
            "show",
            "medical.assistance.annual_cap.ordinary",
            "--date",
            "2024-01-01",
            "--region",
            "540100",
        ],
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["value"] == 10_000_000
    r = runner.invoke(app, ["params", "show", "medical.nope"])
    assert r.exit_code == 1 and "unknown_parameter" in r.stderr
    overlay = tmp_path / "r.yaml"
    overlay.write_text(
        "changes:\n  medical.assistance.ratio.dibao:\n    values:\n      2025-01-01: {value: 70}\n"
    )
    r = runner.invoke(
        app, ["params", "show", "medical.assistance.ratio.dibao", "--params", str(overlay)]
    )
    assert r.exit_code == 1 and "out_of_range" in r.stderr
    r = runner.invoke(app, ["params", "list", "--assumed"])
    assert "medical.critical_illness.deductible" in r.stdout
