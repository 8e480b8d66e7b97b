"""Scales with any number of brackets: an overlay adds one or removes one (issue 16 item 4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.policy import load, parse_overlay
from minsheng.policy.parameters import ParameterTree, load_tree

SCALE = "medical.critical_illness.scale"
D = dt.date
DAY = D(2027, 6, 1)


def _change(value: Any, start: str = "2027-01-01") -> dict[str, Any]:
    return {"values": {start: {"value": value}}}


def reform(changes: dict[str, Any], region: str | None = None) -> ParameterTree:
    data = {"description": "t", "reference": "test", "region": region, "changes": changes}
    return load().with_overlay(parse_overlay(data, "brackets-test"))


def _exact(amount: int, brackets: list[tuple[int, str]]) -> int:
    """The payout by hand: each bracket's rate on the part of the amount inside it, as an
    exact fraction, rounded half up once."""
    total = Fraction(0)
    for i, (lo, rate) in enumerate(brackets):
        hi = brackets[i + 1][0] if i + 1 < len(brackets) else None
        part = max(amount - lo, 0) if hi is None else min(max(amount - lo, 0), hi - lo)
        total += part * Fraction(rate)
    return int(total + Fraction(1, 2)) if total >= 0 else 0


ADDED = reform(  # a fourth bracket, region-wide: 90 % above 20万
    {
        f"{SCALE}.brackets[3].threshold": _change(200000),
        f"{SCALE}.brackets[3].rate": _change(Decimal("0.9")),
    }
)
REMOVED = reform(  # the first bracket gone: nothing is paid on the first 5万
    {f"{SCALE}.brackets[0].threshold": _change(None), f"{SCALE}.brackets[0].rate": _change(None)}
)
BASE = [(0, "0.6"), (5_000_000, "0.7"), (10_000_000, "0.8")]


def test_added_and_removed_brackets_on_one_amount() -> None:
    amount = 30_000_000  # 300,000 yuan
    assert load().at(DAY).scale(SCALE).calc(amount) == 22_500_000  # 3万 + 3.5万 + 16万
    added = ADDED.at(DAY).scale(SCALE)
    assert added.thresholds == (0, 5_000_000, 10_000_000, 20_000_000)
    assert added.calc(amount) == 23_500_000  # 3万 + 3.5万 + 8万 + 9万
    removed = REMOVED.at(DAY).scale(SCALE)
    assert removed.thresholds == (5_000_000, 10_000_000)
    assert removed.calc(amount) == 19_500_000  # 3.5万 + 16万
    assert ADDED.at(D(2026, 12, 31)).scale(SCALE) == load().at(D(2026, 12, 31)).scale(SCALE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=20))
def test_changed_scales_pay_exactly_and_vector_equals_scalar(amounts: list[int]) -> None:
    cases = [
        (load(), BASE),
        (ADDED, [*BASE, (20_000_000, "0.9")]),
        (REMOVED, BASE[1:]),
    ]
    for tree, brackets in cases:
        scale = tree.at(DAY).scale(SCALE)
        vector = scale.calc(np.array(amounts, dtype=np.int64))
        for amount, got in zip(amounts, vector.tolist(), strict=True):
            assert got == scale.calc(amount) == _exact(amount, brackets)


def test_a_bracket_added_for_a_region_stays_there() -> None:
    tree = reform(
        {
            f"{SCALE}.brackets[3].threshold": _change(200000),
            f"{SCALE}.brackets[3].rate": _change(Decimal("0.95")),
        },
        region="540300",
    )
    assert len(tree.at(DAY, "540300").scale(SCALE).thresholds) == 4
    assert len(tree.at(DAY, "540100").scale(SCALE).thresholds) == 3
    assert len(tree.at(DAY).scale(SCALE).thresholds) == 3
    with pytest.raises(MinshengError) as err:
        tree.at(DAY)[f"{SCALE}.brackets[3].rate"]  # no value outside 540300
    assert err.value.rule == "not_in_force"
    # a later overlay for 540300 changes the new bracket; the same change region-wide would
    # leave a rate without a threshold everywhere else, and is refused
    later = {f"{SCALE}.brackets[3].rate": _change(Decimal("0.9"), "2028-01-01")}
    on_top = tree.with_overlay(
        parse_overlay({"reference": "t", "region": "540300", "changes": later}, "later")
    )
    assert on_top.at(D(2028, 6, 1), "540300").scale(SCALE).rates[-1] == Decimal("0.9")
    with pytest.raises(MinshengError) as err:
        tree.with_overlay(parse_overlay({"reference": "t", "changes": later}, "everywhere"))
    assert err.value.rule == "bracket_incomplete"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({f"{SCALE}.brackets[1].threshold": _change(150000)}, "thresholds_not_ascending"),
        ({f"{SCALE}.brackets[3].threshold": _change(200000)}, "bracket_incomplete"),
        ({f"{SCALE}.brackets[1].rate": _change(None)}, "bracket_incomplete"),
        ({f"{SCALE}.brackets[4].rate": _change(0.9)}, "bracket_gap"),
        ({f"{SCALE}.brackets[1].rate": _change(Decimal("1.5"))}, "out_of_range"),
        ({f"{SCALE}.brackets[1].rate": _change(Decimal("-0.1"))}, "out_of_range"),
        ({"medical.critical_illness.deductible": _change(None)}, "value_type"),
    ],
)
def test_bad_bracket_changes_are_refused(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(MinshengError) as err:
        reform(changes)
    assert rule in [p.rule for p in err.value.problems]
    assert SCALE in err.value.field or "deductible" in err.value.field


CODES = (
    "description: x\nreference: [{title: t}]\n"
    "metadata: {unit: codes, status: official, allowed: [exact, per_capita]}\n"
    "values: {2024-01-01: {value: %s}}\n"
)


def test_a_codes_leaf_takes_only_its_allowed_codes(tmp_path: Path) -> None:
    (tmp_path / "gap.yaml").write_text(CODES % "exact", encoding="utf-8")
    tree = load_tree(tmp_path, None)
    good = parse_overlay({"reference": "t", "changes": {"gap": _change("per_capita")}}, "ok")
    assert tree.with_overlay(good).at(DAY)["gap"] == "per_capita"
    bad = parse_overlay({"reference": "t", "changes": {"gap": _change("per_capta")}}, "typo")
    with pytest.raises(MinshengError) as err:
        tree.with_overlay(bad)
    assert err.value.rule == "code_not_allowed" and err.value.field == "gap"
    assert "per_capta" in err.value.en and "exact" in err.value.zh
    (tmp_path / "gap.yaml").write_text(CODES % "rounded", encoding="utf-8")
    with pytest.raises(MinshengError) as err:
        load_tree(tmp_path, None)
    assert err.value.rule == "code_not_allowed"
