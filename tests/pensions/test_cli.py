"""``minsheng pensions retirement`` and ``minsheng pensions estimate`` as an operator types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minsheng.cli import app

runner = CliRunner()
CASES = Path(__file__).parent / "cases"


def test_retirement_prints_date_age_and_minimum() -> None:
    r = runner.invoke(
        app,
        ["pensions", "retirement", "--birth", "1970-01", "--sex", "male", "--category", "worker"],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["retirement_date"] == "2031-05"
    assert out["age"] == {"years": 61, "months": 4}
    assert out["minimum_contribution_months"] == 192
    assert {p["path"] for p in out["parameters"]} >= {
        "pensions.retirement.delay.step_months.male",
        "pensions.retirement.minimum_contribution.rise_from_year",
    }


def test_retirement_as_of_before_the_decision_has_no_delay() -> None:
    r = runner.invoke(
        app,
        ["pensions", "retirement", "--birth", "1970-01", "--sex", "male", "--as-of", "2024-01-01"],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["retirement_date"] == "2030-01"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--birth", "2999-01", "--sex", "male"], "birth"),
        (["--birth", "1970-13", "--sex", "male"], "birth"),
        (["--birth", "1970-1\n", "--sex", "male"], "birth"),
        (["--birth", "１９７０-01", "--sex", "male"], "birth"),
        (["--birth", "1970-01", "--sex", "m"], "sex"),
        (["--birth", "1970-01", "--sex", "male", "--category", "female-worker-50"], "category"),
        (["--birth", "1970-01", "--sex", "male", "--as-of", "2024-1-1"], "as_of"),
    ],
)
def test_retirement_bad_input_names_the_field(args: list[str], field: str) -> None:
    r = runner.invoke(app, ["pensions", "retirement", *args])
    assert r.exit_code == 1
    assert f"{field}:" in r.output and "Traceback" not in r.output


def test_estimate_prints_the_pension_and_its_parts(tmp_path: Path) -> None:
    case = yaml.safe_load((CASES / "resident_pension.yaml").read_text(encoding="utf-8"))
    # the same history paid in the past only (today's date does not matter then)
    f = tmp_path / "history.json"
    f.write_text(json.dumps(case["file"]), encoding="utf-8")
    r = runner.invoke(app, ["pensions", "estimate", str(f)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["scheme"] == "resident" and out["retirement_date"] == "2028-05"
    assert [p["name"] for p in out["parts"]] == ["basic", "account"]
    assert sum(int(p["amount"].replace(".", "")) for p in out["parts"]) == int(
        out["monthly_pension"].replace(".", "")
    )


@pytest.mark.parametrize(
    ("history", "field"),
    [
        ([{"year": 2014, "tier": "450"}], "history[0].tier"),
        ([{"year": 2014, "tier": "-100"}], "history[0].tier"),
        ([{"year": 2014, "tier": "1e3"}], "history[0].tier"),
        ([{"year": 2015, "tier": "500"}, {"year": 2014, "tier": "500"}], "history[1].year"),
        ([{"year": 2040, "tier": "500"}], "history[0].year"),
        ([{"year": 1970, "tier": "500"}], "history[0].year"),
        ([{"year": 2014, "tier": "500"}], "history"),  # one year: fewer than 15
        ("nope", "history"),
    ],
)
def test_estimate_bad_history_names_the_field(tmp_path: Path, history: object, field: str) -> None:
    f = tmp_path / "h.json"
    data = {"scheme": "resident", "birth": "1968-05", "sex": "female", "history": history}
    f.write_text(json.dumps(data), encoding="utf-8")
    r = runner.invoke(app, ["pensions", "estimate", str(f)])
    assert r.exit_code == 1, r.output
    assert f"{field}:" in r.output and "Traceback" not in r.output


def test_estimate_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    f = tmp_path / "h.json"
    f.write_bytes('{"scheme": "员工"'.encode("gb18030"))
    r = runner.invoke(app, ["pensions", "estimate", str(f)])
    assert r.exit_code == 1 and "file:" in r.output
