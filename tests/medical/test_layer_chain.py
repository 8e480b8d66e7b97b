"""Issue 16 item 5: 倾斜救助, the commercial supplementary layer (惠民保-style) and the layer
order as configuration (``medical.layers.order``) — properties on random people with the new
layers on (in Tibet's order, reordered, with a layer off), the order's checks, the explanation
naming the new layers and exactly the figures they read, and Tibet unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.medical import rules
from minsheng.medical.chain import layer_order
from minsheng.medical.rules import BillRow, Bills, MedicalParams, Totals, settle_in_order
from minsheng.policy import load
from minsheng.policy.overlays import parse_overlay
from tests.medical.test_explanation_reads import all_kinds, explained, recorded
from tests.medical.test_properties import SHAPES, person_year

DAY = dt.date(2024, 6, 1)
ORDER = "medical.layers.order"
TA_GROUP = "medical.tilted_assistance.group_threshold"


def _on(value: Any) -> dict[str, Any]:
    return {"values": {"2024-01-01": {"value": value}}}


# the new layers' figures (illustrative), small caps so that they bind
NEW = {
    # a threshold per group, like the ratio (issue 16 item 5): 500 for every group, plus the
    # group's own — 特困 500, 低保 1,000, 边缘 2,000, 返贫 1,500, 重病 3,000 in all
    "medical.tilted_assistance.threshold": _on(500),
    "medical.tilted_assistance.group_threshold.dibao": _on(500),
    "medical.tilted_assistance.group_threshold.dibao_edge": _on(1500),
    "medical.tilted_assistance.group_threshold.poverty_return": _on(1000),
    "medical.tilted_assistance.group_threshold.serious_illness": _on(2500),
    "medical.tilted_assistance.annual_cap": _on(3000),
    "medical.tilted_assistance.ratio.tekun": _on("0.7"),
    "medical.tilted_assistance.ratio.dibao": _on("0.5"),
    "medical.tilted_assistance.ratio.dibao_edge": _on("0.3"),
    "medical.tilted_assistance.ratio.poverty_return": _on("0.45"),
    "medical.tilted_assistance.ratio.serious_illness": _on("0.333"),
    "medical.commercial.deductible": _on(20000),
    "medical.commercial.ratio": _on("0.7"),
    "medical.commercial.annual_cap": _on(50000),
}
ORDERS = {
    "three_then_new": "basic critical_illness assistance tilted_assistance commercial",
    "assistance_first": "basic assistance critical_illness tilted_assistance commercial",
    "no_critical_illness": "basic assistance tilted_assistance commercial",
    "commercial_only": "basic commercial",
}


def _params(order: str, shapes: bool = False, **more: Any) -> MedicalParams:
    changes = {**(SHAPES["changes"] if shapes else {}), **NEW, ORDER: _on(order), **more}
    tree = load().with_overlay(parse_overlay({"changes": changes}, f"chain {order}"))
    return MedicalParams.from_snapshot(tree.at(DAY, "540200"))


CHAINS = {name: _params(order) for name, order in ORDERS.items()}
CHAINS["every_shape"] = _params(
    ORDERS["three_then_new"], shapes=True, **{"medical.commercial.includes_outpatient": _on(True)}
)
TIBET = MedicalParams.from_snapshot(load().at(DAY, "540200"))


@settings(max_examples=100, deadline=None)
@given(rows=person_year(), chain=st.sampled_from(sorted(CHAINS)))
def test_no_layer_pays_more_than_the_self_pay_it_works_on(
    rows: list[dict[str, Any]], chain: str
) -> None:
    p = CHAINS[chain]
    bills = Bills.of(rows)
    r, _ = settle_in_order(bills, p)
    layers = r.basic + r.ci + r.assistance + r.tilted + r.commercial
    assert np.all(layers + r.patient == bills.total) and np.all(r.patient >= 0)
    for amount in (r.basic, r.ci, r.assistance, r.tilted, r.commercial):
        assert np.all(amount >= 0)
    assert np.all(r.ci <= r.ci_base) and np.all(r.ci_base <= r.compliant)
    assert np.all(r.assistance <= r.as_base) and np.all(r.as_base <= r.compliant)
    # 倾斜救助: on what the three layers left of the policy range, above its threshold
    left = r.compliant - r.ci - r.assistance
    assert np.all(np.where(r.ta_eligible, r.ta_base, 0) == np.where(r.ta_eligible, left, 0))
    assert np.all(r.tilted <= r.ta_base - r.ta_threshold)
    # … its own group's threshold: the part of it a stay bears, nothing paid at or below it
    own = p.t.ta_threshold[bills.group]
    assert np.all(r.ta_threshold == np.where(r.ta_eligible, np.minimum(r.ta_base, own), 0))
    assert np.all(r.tilted[r.ta_base <= own] == 0)
    assert np.all(r.tilted[bills.visit == rules.Visit.OUTPATIENT] == 0)
    # the commercial layer: on everything still self-paid, out of the catalogue too
    still = bills.total - r.basic - r.ci - r.assistance - r.tilted
    assert np.all(np.where(r.cm_covered, r.cm_base, still) == still)
    assert np.all(r.commercial <= r.cm_base - r.cm_deductible)
    assert np.all(r.commercial[~r.cm_covered] == 0)
    if "critical_illness" not in p.t.order:
        assert not r.ci.any() and not r.ci_base.any()


@settings(max_examples=100, deadline=None)
@given(rows=person_year(), chain=st.sampled_from(sorted(CHAINS)), data=st.data())
def test_the_new_layers_caps_hold_in_any_order_of_bills(
    rows: list[dict[str, Any]], chain: str, data: Any
) -> None:
    p = CHAINS[chain]
    shuffled = data.draw(st.permutations(rows))
    for seq in (rows, shuffled):
        r, totals = settle_in_order(Bills.of(seq), p)
        assert int(r.tilted.sum()) <= p.t.ta_cap
        assert int(r.commercial.sum()) <= p.t.cm_cap
        assert int(r.cm_deductible.sum()) <= p.t.cm_deductible
        assert int(r.assistance.sum()) <= int(p.t.as_cap.max())
        assert int(totals.ta_paid[0]) == int(r.tilted.sum())
        assert int(totals.cm_paid[0]) == int(r.commercial.sum())


@settings(max_examples=50, deadline=None)
@given(
    people=st.lists(person_year(), min_size=1, max_size=4), chain=st.sampled_from(sorted(CHAINS))
)
def test_replay_equals_one_by_one_with_the_new_layers_on(
    people: list[list[dict[str, Any]]], chain: str
) -> None:
    p = CHAINS[chain]
    rows = [b for person in people for b in person]
    keys = np.array([k for k, person in enumerate(people) for _ in person], dtype=np.int64)
    replayed = rules.replay(keys, Bills.of(rows), p)
    one_by_one = [settle_in_order(Bills.of(person), p)[0] for person in people]
    for name in ("basic", "ci", "assistance", "tilted", "commercial", "patient", "cash"):
        want = np.concatenate([getattr(r, name) for r in one_by_one])
        assert getattr(replayed, name).tolist() == want.tolist(), name


def test_tibets_chain_is_the_three_layers_in_order_and_named_nowhere() -> None:
    """Tibet's order is basic, 大病, 医疗救助 — the new layers off, the order named in no
    explanation (the figures an explanation names are unchanged)."""
    assert TIBET.t.order == ("critical_illness", "assistance")
    assert TIBET.t.sources["order"] == ()
    bills = Bills.of([BillRow(policy=30_000_000, group="dibao", special=True)])
    r = rules.settle(bills, Totals.zeros(1), TIBET)
    assert [s.fund for s in rules.explain(bills, r, TIBET)] == [
        "basic",
        "critical_illness",
        "assistance",
    ]
    assert not r.tilted.any() and not r.commercial.any()


def test_each_group_stays_above_its_own_threshold() -> None:
    """倾斜救助's threshold is a figure per group, like its ratio — every group's (500) plus the
    group's own: the same stay of a 特困 person bears 500, of a 低保边缘 member 2,000, each step
    naming both figures; Tibet's are all 0 (the layer is not in its order)."""
    p = CHAINS["three_then_new"]
    for group, threshold in (("tekun", 50_000), ("dibao_edge", 200_000)):
        bills = Bills.of([BillRow(policy=30_000_000, group=group, level=3)])
        r = rules.settle(bills, Totals.zeros(1), p)
        tilted = next(s for s in rules.explain(bills, r, p) if s.fund == "tilted_assistance")
        assert int(r.ta_base[0]) > threshold and tilted.deductible == threshold
        named = {x.path for x in tilted.parameters}
        assert {"medical.tilted_assistance.threshold", f"{TA_GROUP}.{group}"} <= named
    assert not TIBET.t.ta_threshold.any() and "tilted_assistance" not in TIBET.t.order


@pytest.mark.parametrize(
    ("order", "rule"),
    [
        ("critical_illness basic assistance", "layer_basic_first"),
        ("basic assistance assistance", "layer_twice"),
        ("basic tilted_assistance critical_illness assistance", "layer_tilted_after"),
        ("basic assistance tilted_assistance critical_illness", "layer_tilted_after"),
        ("basic commercial assistance", "layer_commercial_last"),
        ("basic dabing", "layer_unknown"),
        ("", "layer_basic_first"),
    ],
)
def test_an_order_the_rules_cannot_settle_names_the_parameter(order: str, rule: str) -> None:
    with pytest.raises(MinshengError) as err:
        layer_order(tuple(order.split()))
    assert err.value.rule == rule and err.value.field == ORDER
    assert ORDER in err.value.zh and ORDER in err.value.en and ORDER in err.value.bo


def test_an_overlay_with_a_code_not_allowed_is_refused_on_load() -> None:
    with pytest.raises(MinshengError) as err:
        load().with_overlay(parse_overlay({"changes": {ORDER: _on("basic dabing")}}, "x"))
    assert "code_not_allowed" in str(err.value.to_dict()) or err.value.rule == "code_not_allowed"


def test_the_explanation_names_the_new_layers_and_their_figures() -> None:
    """A 低保 stay under the full chain: a step for 倾斜救助 (threshold, the group's ratio, the
    yearly limit) and one for the commercial layer (deductible, ratio, cap), each naming the
    order, in the chain's order; their amounts are the rules' own."""
    p = CHAINS["assistance_first"]
    bills = Bills.of([BillRow(policy=30_000_000, full_self=2_000_000, group="dibao", level=3)])
    r = rules.settle(bills, Totals.zeros(1), p)
    steps = rules.explain(bills, r, p)
    funds = [s.fund for s in steps]
    assert funds == ["basic", "assistance", "critical_illness", "tilted_assistance", "commercial"]
    tilted, cm = steps[3], steps[4]
    assert tilted.amount == int(r.tilted[0]) > 0 and cm.amount == int(r.commercial[0]) > 0
    assert tilted.ratio == "0.5" and tilted.deductible == 100_000  # the 1,000 threshold
    assert cm.ratio == "0.7" and cm.deductible == 2_000_000  # the 20,000 deductible
    assert {x.path for x in tilted.parameters} == {
        "medical.tilted_assistance.threshold",
        "medical.tilted_assistance.group_threshold.dibao",
        "medical.tilted_assistance.ratio.dibao",
        "medical.tilted_assistance.annual_cap",
        ORDER,
    }
    assert {x.path for x in cm.parameters} == {
        "medical.commercial.deductible",
        "medical.commercial.ratio",
        "medical.commercial.annual_cap",
        ORDER,
    }
    assert all(ORDER in {x.path for x in s.parameters} for s in steps)
    assert next(x for x in tilted.parameters if x.path.endswith("dibao")).start == dt.date(
        2024, 1, 1
    )


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_with_the_new_layers_on_the_explanation_names_exactly_what_was_read(chain: str) -> None:
    p = CHAINS[chain]
    before = Totals.zeros(1)
    before.cm_deductible[:] = 1_000_000  # half the commercial deductible already used
    wrong = []
    for row in all_kinds()[::11]:
        kind = dataclasses.replace(row, full_self=3_000_000, admission=2)
        bills = Bills.of([kind])
        read, r = recorded(bills, before, p)
        if read != explained(bills, r, p):
            wrong.append((kind, sorted(read ^ explained(bills, r, p))))
    assert not wrong, wrong[:3]


def test_the_fund_names_are_translated() -> None:
    from minsheng.webkit import i18n

    names = {
        code: [i18n.gettext_for(c).gettext(code) for c in ("zh", "bo", "en")]
        for code in ("tilted_assistance", "commercial")
    }
    assert names["tilted_assistance"][0] == "倾斜救助"
    assert names["commercial"][0].startswith("商业补充医疗保险")
    for code, (zh, bo, en) in names.items():
        assert bo not in (code, zh) and en == code
