"""Issue 16 in the microsimulation: the two layers a region may add to its order (倾斜救助,
``medical_tilted``; the commercial layer, ``medical_commercial``) are outputs reported only where
they pay, and each bill carries the person's facts the window supplies (age, years of
continuous enrolment, zero-claim years), so the ratios and caps that depend on the person
apply as at the window. Tibet's figures: neither new output reported, every other the same."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from minsheng.core.errors import MinshengError
from minsheng.medical import rules as mrules
from minsheng.policy import load
from minsheng.sim import model, population, runner

DAY = dt.date(2026, 1, 1)


def _on(value: Any) -> dict[str, Any]:
    return {"values": {DAY: {"value": value}}}


CHAIN = {  # illustrative figures (tests/medical/test_layer_chain.py)
    "description": "倾斜救助 and the commercial layer on",
    "changes": {
        "medical.layers.order": _on(
            "basic critical_illness assistance tilted_assistance commercial"
        ),
        "medical.tilted_assistance.threshold": _on(500),
        "medical.tilted_assistance.group_threshold.dibao": _on(500),
        "medical.tilted_assistance.ratio.dibao": _on("0.5"),
        "medical.tilted_assistance.annual_cap": _on(3000),
        "medical.commercial.deductible": _on(20000),
        "medical.commercial.ratio": _on("0.7"),
        "medical.commercial.annual_cap": _on(50000),
    },
}
BY_PERSON = {  # residents: +0.2 point a year of age above 60 (≤ 2), +0.5 a year of enrolment
    "description": "ratios by age and enrolment, a 大病 cap by zero-claim years",
    "changes": {
        "medical.person.schemes": _on("resident"),
        "medical.person.age.from_age": _on(60),
        "medical.person.age.points_per_year": _on("0.002"),
        "medical.person.age.max_points": _on("0.02"),
        "medical.person.enrolment.from_years": _on(4),
        "medical.person.enrolment.points_per_year": _on("0.005"),
        "medical.person.enrolment.max_points": _on("0.02"),
        "medical.critical_illness.person.zero_claim_cap_increase": _on(1000),
        "medical.critical_illness.person.max_cap_increase": _on(60000),
    },
}
NEW = ("medical_tilted", "medical_commercial")


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sim_layers")
    population.write(d, 12_000, seed=7, year=2026, partition_size=6_000)
    return d


def _progs(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["programme"]: p for p in r["programmes"]}


def test_the_new_layers_are_reported_only_where_they_pay(pop: Path) -> None:
    base = runner.run(pop)
    assert not set(NEW) & set(_progs(base))  # Tibet's order: the layers are not settled
    assert set(_progs(base)) == set(model.outputs()) - set(NEW)
    r = runner.run(pop, CHAIN, "chain")
    progs = _progs(r)
    for name in NEW:
        assert progs[name]["baseline"] == 0 < progs[name]["reform"]
        assert progs[name]["beneficiaries_reform"] > 0
    for name in ("medical_basic", "medical_critical", "medical_assistance"):
        assert progs[name]["change"] == 0  # the new layers come after the three
    assert r["total"]["change"] == sum(progs[n]["change"] for n in NEW)
    # the outputs are the live rules' own: the replay of a prefecture's bills
    part = population.read(pop, 0)
    tree = runner.reform_tree(CHAIN, "chain")
    got = model.medical(part, tree, DAY)
    hh, b = part.persons["household"], part.bills
    region = part.households["prefecture"][0]
    sel = np.nonzero(
        (part.households["prefecture"][hh[b["person"]]] == region) & (b["scheme"] >= 0)
    )[0]
    bills = mrules.Bills(**{k: b[k][sel] for k in mrules.Bills.__dataclass_fields__ if k in b})
    rr = mrules.replay(
        b["person"][sel], bills, mrules.MedicalParams.from_snapshot(tree.at(DAY, str(region)))
    )
    mine = part.households["prefecture"] == region
    assert int(got["medical_tilted"][mine].sum()) == int(rr.tilted.sum()) > 0
    assert int(got["medical_commercial"][mine].sum()) == int(rr.commercial.sum()) > 0


def test_each_bill_carries_the_persons_facts_and_they_apply(pop: Path) -> None:
    """The population's bills carry the age, the years of enrolment and the zero-claim years
    (the same on every bill of a person; zero-claim years among the enrolled ones); with the
    person-dependent terms on, basic insurance pays more, as the replay of those bills does —
    and bills without the facts would be refused, not settled on a guess."""
    part = population.read(pop, 0)
    b = part.bills
    person = b["person"]
    assert np.array_equal(b["age"], part.persons["age"][person])
    assert (b["enrolled_years"] >= 0).all() and (b["zero_claim_years"] >= 0).all()
    assert (b["zero_claim_years"] <= b["enrolled_years"]).all()
    assert (b["enrolled_years"] <= np.maximum(b["age"], 0)).all()
    for fact in ("enrolled_years", "zero_claim_years"):
        first = np.r_[True, person[1:] != person[:-1]]
        each = np.maximum.accumulate(np.where(first, np.arange(len(person)), 0))
        assert np.array_equal(b[fact], b[fact][each])  # one value per person-year
    r = runner.run(pop, BY_PERSON, "by person")
    assert r["recomputed"]["medical"]
    progs = _progs(r)
    assert progs["medical_basic"]["change"] > 0
    assert progs["dibao"]["change"] == 0
    tree = runner.reform_tree(BY_PERSON, "by person")
    p = mrules.MedicalParams.from_snapshot(tree.at(DAY, "540100"))
    i = int(np.flatnonzero(b["scheme"] == int(mrules.Scheme.RESIDENT))[0])
    row = mrules.Bills(**{k: b[k][i : i + 1] for k in mrules.Bills.__dataclass_fields__ if k in b})
    mrules.settle(row, mrules.Totals.zeros(1), p)  # with its facts: settled
    bare = dataclasses.replace(row, age=np.array([-1]), enrolled_years=np.array([-1]))
    with pytest.raises(MinshengError):
        mrules.settle(bare, mrules.Totals.zeros(1), p)


def test_tibets_results_are_those_of_the_bills_without_the_facts(pop: Path) -> None:
    """Tibet's figures read none of the facts: the medical outputs of the population's bills
    are exactly those of the same bills with the facts left out."""
    part = population.read(pop, 1)
    tree = load()
    with_facts = model.medical(part, tree, DAY)
    for fact in ("age", "enrolled_years", "zero_claim_years"):
        del part.bills[fact]
    without = model.medical(part, tree, DAY)
    for name in with_facts:
        assert np.array_equal(with_facts[name], without[name]), name
    assert not with_facts["medical_tilted"].any() and not with_facts["medical_commercial"].any()


def test_the_desks_charts_and_table_list_the_new_layers_only_where_they_pay(pop: Path) -> None:
    from minsheng.sim import cli, pages

    base, chain = runner.run(pop), runner.run(pop, CHAIN, "chain")
    for lang, names in (
        ("zh", ("倾斜救助", "商业补充医疗保险")),
        ("bo", ("གསོ་བཅོས་ཀྱི་དམིགས་བསལ་རམ་འདེགས།", "ཚོང་ལས་ཁ་སྣོན་གསོ་བཅོས་འགན་ལེན།")),
        ("en", ("Tilted medical assistance", "Commercial supplementary insurance")),
    ):
        shown = pages.charts_of(chain, lang)["programmes"]
        assert all(n in shown for n in names), (lang, shown)
        assert not set(names) & set(pages.charts_of(base, lang)["programmes"])
    assert all(name in cli.LABELS and name in pages.PROGRAMME_NAMES for name in model.outputs())
