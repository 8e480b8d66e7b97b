"""``minsheng sim population`` and ``minsheng sim run`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from minsheng.cli import app

runner = CliRunner()
REFORM = """\
description: 农村低保标准提高10%
changes:
  assistance.dibao.standard.rural_yearly:
    unit: currency-CNY
    values:
      2026-01-01:
        value: 5184.30
"""


def test_population_then_run_as_table_and_json(tmp_path: Path) -> None:
    pop = tmp_path / "pop"
    r = runner.invoke(
        app,
        [
            "sim",
            "population",
            "--people",
            "8000",
            "--seed",
            "4",
            "--year",
            "2026",
            "--out",
            str(pop),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (pop / "meta.json").exists() and json.loads((pop / "meta.json").read_text())[
        "people"
    ] == 8000
    reform = tmp_path / "rural10.yaml"
    reform.write_text(REFORM, encoding="utf-8")
    r = runner.invoke(
        app, ["sim", "run", "--reform", str(reform), "--population", str(pop), "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout[r.stdout.index("{") :])
    assert out["population"]["people"] == 8000 and out["reform"]["name"] == "rural10"
    assert {p["programme"] for p in out["programmes"]} >= {"dibao", "medical_basic"}
    r = runner.invoke(app, ["sim", "run", "--reform", str(reform), "--population", str(pop)])
    assert r.exit_code == 0 and "低保" in r.stdout and "decile" in r.stdout


def test_a_bad_reform_is_refused_with_the_parameter_named(tmp_path: Path) -> None:
    reform = tmp_path / "bad.yaml"
    reform.write_text(REFORM.replace("rural_yearly", "rural_daily"), encoding="utf-8")
    r = runner.invoke(app, ["sim", "run", "--reform", str(reform), "--population", str(tmp_path)])
    assert r.exit_code == 1
    assert "assistance.dibao.standard.rural_daily" in r.output
