"""Pensions in the microsimulation: the vectorised columns equal the rules person by person;
a reform of the basic pension or of a tier's subsidy reruns only pensions and costs exactly
what is counted here by hand; the claimant share is plausible; a population written without
the pensions columns gives the same figures."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.pensions import columns, microsim, rules
from minsheng.pensions.population import EMPLOYEE, RESIDENT
from minsheng.policy import load, parse_overlay
from minsheng.population.generator import Partition
from minsheng.sim import population, runner
from tests.test_architecture import SRC, check

DAY = dt.date(2026, 1, 1)


def reform(path: str, value: str, unit: str = "currency-CNY") -> dict[str, object]:
    return {"changes": {path: {"unit": unit, "values": {DAY: {"value": value}}}}}


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pnsim")
    population.write(d, 24_000, seed=11, year=2026, partition_size=12_000)
    return d


def persons(pop: Path) -> list[Partition]:
    """The written partitions generated again with every generator column (the household
    statuses, who is a retired employee), to count from independently of the model."""
    out = []
    for k in range(2):
        part = population.read(pop, k)
        first_h, first_p = part.households["household_id"][0], part.persons["person_id"][0]
        full = population.generate(12_000, 11, k, 2026, int(first_h), int(first_p))
        assert np.array_equal(full.persons["pension_tier"], part.persons["pension_tier"])
        out.append(full)
    return out


@pytest.mark.parametrize("overlay", [None, "yuan_truncated"])
def test_columns_equal_the_rules_person_by_person(overlay: str | None) -> None:
    tree = load()
    if overlay:
        tree = tree.with_overlay(
            parse_overlay(
                {
                    "changes": {
                        "pensions.rounding.unit_fen": {"values": {DAY: {"value": 100}}},
                        "pensions.rounding.truncate": {"values": {DAY: {"value": True}}},
                    }
                },
                overlay,
            )
        )
    p = rules.PensionParams.from_snapshot(tree.at(DAY, "540100"))
    rng = np.random.default_rng(4)
    n = 300
    account = rng.integers(0, 60_000_000, n).astype(np.int64)
    years = rng.integers(0, 45, n).astype(np.int64)
    index = rng.integers(600, 3001, n).astype(np.int64)
    age = rng.choice(np.array([50 * 12, 55 * 12, 60 * 12, 63 * 12 + 4]), n).astype(np.int64)
    res = columns.resident_monthly(p, account, years)
    emp = columns.employee_monthly(p, account, years * 12, index, age)
    for i in range(n):
        a, y = int(account[i]), int(years[i])
        assert res[i] == rules.total(rules.resident_pension(p, a, y))
        one = rules.employee_pension(p, a, y * 12, Fraction(int(index[i]), 1000), int(age[i]))
        assert emp[i] == rules.total(one)


def test_a_30_yuan_basic_pension_rise_costs_30_x_12_per_resident_claimant(pop: Path) -> None:
    base = runner.run(pop)
    assert base["recomputed"]["pensions"] is False
    r = runner.run(pop, reform("pensions.resident.basic_monthly", "325"), "basic+30")
    assert r["as_of"] == "2026-01-01"
    assert r["recomputed"] == {"medical": False, "assistance": False, "pensions": True}
    # counted here from the columns, independently of the model: resident scheme, aged 60+
    claimants = sum(
        int(np.count_nonzero((q.persons["pension_scheme"] == 2) & (q.persons["age"] >= 60)))
        for q in persons(pop)
    )
    assert claimants > 1000
    progs = {x["programme"]: x for x in r["programmes"]}
    assert progs["resident_pension"]["change"] == 30 * 12 * 100 * claimants
    assert r["total"]["change"] == 30 * 12 * 100 * claimants  # nothing else moves
    for name in ("employee_pension", "government_paid_premiums", "tier_subsidies", "dibao"):
        assert progs[name]["change"] == 0
    by_pref = progs["resident_pension"]["by_prefecture"]
    assert (
        sum(v["reform"] - v["baseline"] for v in by_pref.values())
        == progs["resident_pension"]["change"]
    )
    assert all(v["reform"] > v["baseline"] for v in by_pref.values())
    assert sum(d["reform"] - d["baseline"] for d in r["deciles"]) == r["total"]["change"]
    assert r["winners"]["gain"] == r["total"]["change"] and r["losers"]["households"] == 0


def test_a_tier_subsidy_change_costs_exactly_its_contributors(pop: Path) -> None:
    """Tier 1's subsidy 30 → 45 元: +15 元 for every contributor at tier 1, and for everyone
    the government pays for (the government-paid tier is tier 1)."""
    r = runner.run(pop, reform("pensions.resident.tier_subsidies.tier_01", "45"), "tier1")
    assert r["recomputed"]["pensions"] and not r["recomputed"]["assistance"]
    counted = 0
    for q in persons(pop):
        ps, h = q.persons, q.households
        hh = ps["household"]
        contributing = (ps["pension_scheme"] == RESIDENT) & (ps["age"] >= 16) & (ps["age"] < 60)
        difficult = (
            h["dibao"][hh]
            | h["tekun"][hh]
            | h["poverty_return"][hh]
            | ((ps["grade"] >= 1) & (ps["grade"] <= 2))
        )
        counted += int(np.count_nonzero(contributing & ((ps["pension_tier"] == 1) | difficult)))
    progs = {x["programme"]: x for x in r["programmes"]}
    assert counted > 1000
    assert progs["tier_subsidies"]["change"] == 15 * 100 * counted
    assert progs["resident_pension"]["change"] == 0  # accounts already built do not move
    assert r["total"]["change"] == 15 * 100 * counted


def test_claimant_share_is_plausible(pop: Path) -> None:
    parts = persons(pop)
    people = sum(len(q.persons["age"]) for q in parts)
    old = sum(
        int(np.count_nonzero((q.persons["age"] >= 60) & ~q.persons["employee_retired"]))
        for q in parts
    )
    res = sum(
        int(np.count_nonzero((q.persons["pension_scheme"] == RESIDENT) & (q.persons["age"] >= 60)))
        for q in parts
    )
    retired = sum(
        int(
            np.count_nonzero(
                (q.persons["pension_scheme"] == EMPLOYEE) & q.persons["employee_retired"]
            )
        )
        for q in parts
    )
    # seed 000: basic-pension coverage 96.5 %: nearly every 60+ non-employee draws a pension
    assert 0.92 <= res / old <= 0.99
    assert 0.05 <= (res + retired) / people <= 0.15  # Tibet is young (≈ 9 % aged 60+)
    base = runner.run(pop)
    progs = {x["programme"]: x for x in base["programmes"]}
    per_month = progs["resident_pension"]["baseline"] / res / 12
    assert 295_00 <= per_month <= 400_00  # the basic 295 元 and a small account part


def test_a_population_without_the_pensions_columns_gives_the_same_figures(pop: Path) -> None:
    part = population.read(pop, 0)
    bare = Partition(
        {
            "households": part.households,
            "persons": {k: v for k, v in part.persons.items() if k not in microsim.COLUMNS},
        },
        part.index,
        part.seed,
        part.today,
    )
    tree = load()
    a = microsim.simulate(part, tree, DAY)
    b = microsim.simulate(bare, tree, DAY)
    assert all(np.array_equal(a[k], b[k]) for k in microsim.OUTPUTS)
    assert "pension_scheme" not in bare.persons  # the caller's partition is left alone


def test_sim_run_prints_the_pensions_rows(pop: Path, tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text(
        json.dumps(
            {
                "changes": {
                    "pensions.resident.basic_monthly": {
                        "unit": "currency-CNY",
                        "values": {"2026-01-01": {"value": 325}},
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, ["sim", "run", "--population", str(pop), "--reform", str(f)])
    assert out.exit_code == 0, out.output
    assert "职工养老金" in out.output and "政府代缴保费" in out.output and "缴费补贴" in out.output


def test_the_vectorised_pension_modules_are_pure() -> None:
    paths = [SRC / "pensions" / "columns.py", SRC / "pensions" / "transfers.py"]
    assert check(paths, {"core", "policy", "pensions"}, {"numpy"}) == []
    siblings = {
        n.split(".")[2] for p in paths for n in _imports(p) if n.startswith("minsheng.pensions.")
    }
    assert siblings <= {"rules", "columns", "transfers"}


def _imports(path: Path) -> list[str]:
    from tests.test_architecture import imports

    return imports(path)


def test_sim_population_writes_the_pensions_columns(tmp_path: Path) -> None:
    """A fresh process (nothing of pensions imported): ``minsheng sim population`` loads the
    microsimulated programmes through the seam, so their extensions' columns are written."""
    import subprocess
    import sys

    code = (
        "import sys, pyarrow.parquet as pq\n"
        "from minsheng.cli import app\n"
        "from typer.testing import CliRunner\n"
        "assert 'minsheng.pensions.population' not in sys.modules\n"
        f"r = CliRunner().invoke(app, ['sim', 'population', '--people', '3000', '--seed', '2',"
        f" '--out', {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        f"print(pq.read_schema({str(tmp_path / 'part-00000.persons.parquet')!r}).names)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert all(c in out.stdout for c in microsim.COLUMNS)


def test_the_analysis_page_and_the_cli_name_every_output_and_edit_pensions() -> None:
    from minsheng.sim import cli as sim_cli
    from minsheng.sim import model, pages

    assert set(model.outputs()) <= set(pages.PROGRAMME_NAMES)
    assert set(model.outputs()) <= set(sim_cli.LABELS)
    rows = {r["path"]: r for r in pages.rows_for(dt.date.today(), "zh")}
    for path in ("pensions.resident.basic_monthly", "pensions.resident.tier_subsidies.tier_01"):
        assert rows[path]["unit"] == "元" and rows[path]["areas"][0]["current"]
