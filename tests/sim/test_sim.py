"""Microsimulation: a deterministic population, baseline and reform with the live rules, the
same answer in process and on a Dask LocalCluster of 2 workers, and bad reforms refused before
any computing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.assistance import rules as arules
from minsheng.core.errors import MinshengError
from minsheng.medical import rules as mrules
from minsheng.policy import load
from minsheng.sim import model, population, runner

RURAL_10 = {
    "description": "rural 低保 standard +10%",
    "changes": {
        "assistance.dibao.standard.rural_yearly": {
            "unit": "currency-CNY",
            "values": {dt.date(2026, 1, 1): {"value": "5184.30"}},
        }
    },
}
CI_5 = {
    "description": "大病保险 ratio +5 points in every bracket",
    "changes": {
        f"medical.critical_illness.scale.brackets[{i}].rate": {
            "values": {dt.date(2026, 1, 1): {"value": r}}
        }
        for i, r in enumerate(["0.65", "0.75", "0.85"])
    },
}


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sim")
    population.write(d, 30_000, seed=5, year=2026, partition_size=10_000)
    return d


def test_population_is_deterministic_and_calibrated(tmp_path: Path, pop: Path) -> None:
    population.write(tmp_path, 30_000, seed=5, year=2026, partition_size=10_000)
    for k in range(3):
        a, b = population.read(pop, k), population.read(tmp_path, k)
        for name in ("households", "persons", "bills"):
            for col, values in a.tables()[name].items():
                assert np.array_equal(values, b.tables()[name][col]), (name, col)
    parts = list(population.iter_partitions(pop))
    people = sum(len(p.persons["age"]) for p in parts)
    assert people == population.meta(pop)["people"] == 30_000
    group = np.concatenate([p.persons["group"] for p in parts])
    dibao_share = float((group == 2).mean())
    assert 0.03 < dibao_share < 0.09  # POLICY.md §2: 4% urban / 7% rural households
    # the rules themselves find the published shares below each prefecture's own standard
    eligible = {0: [0, 0], 1: [0, 0]}
    for part in parts:
        h = part.households
        for region in np.unique(h["prefecture"]):
            sel = h["prefecture"] == region
            p = arules.AssistanceParams.from_snapshot(load().at(dt.date(2026, 6, 30), str(region)))
            d = arules.determine(
                p,
                arules.Households(
                    h["area"][sel], h["members"][sel], h["income"][sel], h["assets"][sel],
                    np.zeros(int(sel.sum()), dtype=np.int64),
                ),
            )  # fmt: skip
            for area in (0, 1):
                m = h["area"][sel] == area
                eligible[area][0] += int(d.dibao[m].sum())
                eligible[area][1] += int(m.sum())
    assert abs(eligible[0][0] / eligible[0][1] - 0.04) < 0.015
    assert abs(eligible[1][0] / eligible[1][1] - 0.07) < 0.015
    insured = np.concatenate([p.persons["scheme"] for p in parts]) >= 0
    assert 0.95 < insured.mean() < 0.98  # insured rate ≈ 96.5%


def test_no_reform_means_no_change(pop: Path) -> None:
    r = runner.run(pop)
    assert r["total"]["change"] == 0 and r["winners"]["households"] == 0
    assert r["recomputed"] == {"medical": False, "assistance": False, "pensions": False}


def test_the_run_uses_the_live_rules(pop: Path) -> None:
    """Partition 0's 低保 and medical totals, computed here straight from the rules."""
    part = population.read(pop, 0)
    tree = load()
    day = dt.date(2026, 1, 1)
    got = model.assistance(part, tree, day)["dibao"]
    h = part.households
    expect = np.zeros(len(h["area"]), dtype=np.int64)
    for region in np.unique(h["prefecture"]):
        sel = h["prefecture"] == region
        p = arules.AssistanceParams.from_snapshot(tree.at(day, str(region)))
        d = arules.determine(
            p,
            arules.Households(
                h["area"][sel],
                h["members"][sel],
                h["income"][sel],
                h["assets"][sel],
                np.zeros(int(sel.sum()), dtype=np.int64),
            ),
        )
        expect[sel] = d.dibao_amount * 12
    assert np.array_equal(got, expect)
    b = part.bills
    region = "540100"
    sel = (h["prefecture"][part.persons["household"][b["person"]]] == region) & (b["scheme"] >= 0)
    bills = mrules.Bills(**{k: b[k][sel] for k in mrules.Bills.__dataclass_fields__ if k in b})
    p = mrules.MedicalParams.from_snapshot(tree.at(day, region))
    r = mrules.replay(b["person"][sel], bills, p)
    lhasa = h["prefecture"] == region
    assert int(model.medical(part, tree, day)["medical_basic"][lhasa].sum()) == int(r.basic.sum())


def test_reform_costs_and_winners(pop: Path) -> None:
    r = runner.run(pop, RURAL_10, "rural10")
    assert r["recomputed"] == {"medical": False, "assistance": True, "pensions": False}
    progs = {p["programme"]: p for p in r["programmes"]}
    assert progs["dibao"]["change"] > 0 and progs["medical_basic"]["change"] == 0
    assert progs["dibao"]["beneficiaries_reform"] >= progs["dibao"]["beneficiaries_baseline"]
    assert r["losers"]["households"] == 0 and r["winners"]["gain"] == r["total"]["change"]
    assert sum(d["households"] for d in r["deciles"]) == r["population"]["households"]
    assert sum(d["reform"] - d["baseline"] for d in r["deciles"]) == r["total"]["change"]
    by_pref = sum(
        v["reform"] - v["baseline"] for p in r["programmes"] for v in p["by_prefecture"].values()
    )
    assert by_pref == r["total"]["change"]
    assert sum(v["reform"] - v["baseline"] for v in r["by_prefecture"].values()) == by_pref
    ci = runner.run(pop, CI_5, "ci5")
    assert ci["recomputed"] == {"medical": True, "assistance": False, "pensions": False}
    progs = {p["programme"]: p for p in ci["programmes"]}
    assert progs["medical_critical"]["change"] > 0


def test_a_reform_reorders_the_medical_chain(pop: Path) -> None:
    """The layer order is a reform like any figure (a codes value): 医疗救助 before 大病 —
    assistance pays more, 大病 less, basic insurance the same; a layer the order cannot settle
    is refused before any computing, naming the parameter."""
    order = "medical.layers.order"
    reform = {
        "description": "医疗救助 before 大病",
        "changes": {
            order: {"values": {dt.date(2026, 1, 1): {"value": "basic assistance critical_illness"}}}
        },
    }
    r = runner.run(pop, reform, "reordered")
    assert r["recomputed"] == {"medical": True, "assistance": False, "pensions": False}
    progs = {p["programme"]: p for p in r["programmes"]}
    assert progs["medical_basic"]["change"] == 0
    assert progs["medical_assistance"]["change"] > 0 > progs["medical_critical"]["change"]
    bad = {"changes": {order: {"values": {dt.date(2026, 1, 1): {"value": "basic dabing"}}}}}
    with pytest.raises(MinshengError) as err:
        runner.run(pop, bad, "bad order")
    assert order in str(err.value.to_dict())


@pytest.mark.parametrize(
    ("reform", "rule"),
    [
        (
            {"changes": {"assistance.dibao.no_such": {"values": {"2026-01-01": {"value": 1}}}}},
            "unknown_parameter",
        ),
        (
            {
                "changes": {
                    "assistance.dibao.standard.rural_yearly": {
                        "unit": "/1",
                        "values": {"2026-01-01": {"value": 1}},
                    }
                }
            },
            "unit_mismatch",
        ),
        (
            {
                "changes": {
                    "assistance.dibao.standard.rural_yearly": {
                        "values": {"1990-01-01": {"value": 1}}
                    }
                }
            },
            "before_first_value",
        ),
        (
            {
                "changes": {
                    "assistance.dibao_edge.income_factor": {"values": {"2026-01-01": {"value": 9}}}
                }
            },
            "out_of_range",
        ),
    ],
)
def test_bad_reforms_are_refused_before_computing(
    pop: Path, reform: dict[str, Any], rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("computing started")

    monkeypatch.setattr(runner, "run_partition", boom)
    with pytest.raises(MinshengError) as err:
        runner.run(pop, reform, "bad")
    assert err.value.rule == rule and err.value.zh and err.value.en


def test_dask_gives_the_same_fen(pop: Path) -> None:
    local = runner.run(pop, RURAL_10, "rural10")
    cluster, client = runner.local_cluster(2)
    try:
        remote = runner.run(pop, RURAL_10, "rural10", client=client)
    finally:
        client.close()
        cluster.close()
    assert remote["workers"] == 2
    for key in ("programmes", "total", "winners", "losers", "deciles", "population"):
        assert remote[key] == local[key], key


@pytest.fixture(scope="module")
def partials() -> list[model.Aggregates]:
    tree, day = load(), dt.date(2026, 1, 1)
    reform = runner.reform_tree(RURAL_10, "rural10")
    edges = np.arange(20_000, 200_001, 22_500, dtype=np.int64)  # 9 integer edges (fen)
    out = []
    for k in range(5):
        part = population.generate(
            3_000, seed=9, index=k, year=2026, first_household=0, first_person=0
        )
        base, new = model.simulate(part, tree, day), model.simulate(part, reform, day)
        out.append(model.aggregate(part, base, new, runner.PREFECTURES, edges))
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.permutations(range(5)))
def test_partitions_add_up_the_same_in_any_order(
    partials: list[model.Aggregates], order: list[int]
) -> None:
    def total(seq: list[int]) -> model.Aggregates:
        acc = partials[seq[0]]
        for i in seq[1:]:
            acc = acc.add(partials[i])
        return acc

    a, b = total(list(range(5))), total(order)
    assert a.households == b.households and a.people == b.people
    assert np.array_equal(a.by_decile, b.by_decile)
    assert np.array_equal(a.winners, b.winners) and np.array_equal(a.losers, b.losers)
    for key in a.cost:
        assert np.array_equal(a.cost[key], b.cost[key]) and np.array_equal(
            a.beneficiaries[key], b.beneficiaries[key]
        )
