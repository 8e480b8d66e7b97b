"""Worked examples, one layer at a time, computed by hand from the figures of 日喀则 (540200)
on 2024-06-01 (see the parameter files; amounts in fen).

基本医保: resident inpatient level 2 — 起付线 ¥200, 85%; employee outpatient — yearly ¥200,
level 1 80%; resident outpatient — 50% up to ¥500 a year; 异地未备案 −10 points.
大病保险: above ¥10,000 of the year's compliant self-pay, 60% to ¥50,000, 70% to ¥100,000, 80%
beyond, cap ¥300,000; special groups: half the deductible, +5 points, no cap. 大额医疗补助
(employees): 90% from the first fen. 医疗救助: 低保 80% no deductible; 低保边缘 70% above ¥2,700;
特困 90%; border residents 90% without deductible; ordinary cap ¥150,000 a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from minsheng.medical import rules
from minsheng.medical.rules import BillRow, Bills, Totals
from minsheng.policy import load

P = rules.MedicalParams.from_snapshot(load().at(dt.date(2024, 6, 1), "540200"))
T = P.t


def one(**kw: Any) -> Bills:
    return Bills.of([BillRow(**kw)])


def before(**kw: int) -> Totals:
    z = Totals.zeros(1)
    return replace(z, **{k: np.array([v], dtype=np.int64) for k, v in kw.items()})


@pytest.mark.parametrize(
    ("bill", "totals", "deductible", "amount"),
    [
        # ¥10,000 in hospital (level 2): (1,000,000 − 20,000) × 85% = 833,000
        ({"policy": 1_000_000}, {}, 20_000, 833_000),
        # a later admission: half the deductible, (1,000,000 − 10,000) × 85%
        ({"policy": 1_000_000, "later_admission": True}, {}, 10_000, 841_500),
        # employee outpatient, ¥50 of the yearly ¥200 used: (30,000 − 15,000) × 80%
        (
            {"scheme": "employee_active", "visit": "outpatient", "level": 1, "policy": 30_000},
            {"op_deductible": 5_000},
            15_000,
            12_000,
        ),
        # resident outpatient: 50% of ¥2,000 would be ¥1,000, but only ¥100 of the cap is left
        ({"visit": "outpatient", "policy": 200_000}, {"op_paid": 40_000}, 0, 10_000),
        # 异地未备案, level 3: (1,000,000 − 40,000) × (80% − 10%)
        ({"level": 3, "area": "unfiled", "policy": 1_000_000}, {}, 40_000, 672_000),
    ],
)
def test_basic_insurance(
    bill: dict[str, Any], totals: dict[str, int], deductible: int, amount: int
) -> None:
    b = rules.basic_insurance(one(**bill), before(**totals), T)
    assert (int(b.deductible[0]), int(b.amount[0])) == (deductible, amount)


@pytest.mark.parametrize(
    ("bill", "totals", "compliant", "amount"),
    [
        # ¥30,000 compliant self-pay: 60% of the ¥20,000 above the deductible
        ({}, {}, 3_000_000, 1_200_000),
        # special group: deductible ¥5,000, 65%: 2,500,000 × 65%
        ({"special": True}, {}, 3_000_000, 1_625_000),
        # running total ¥60,000 → ¥70,000 lies in the 70% segment: 1,000,000 × 70%
        ({}, {"ci_base": 6_000_000}, 1_000_000, 700_000),
        # ¥299,000 already paid: only ¥1,000 of the cap is left
        ({}, {"ci_base": 60_000_000, "ci_paid": 29_900_000}, 1_000_000, 100_000),
        # special group: no cap (80% + 5 points of 1,000,000)
        ({"special": True}, {"ci_base": 60_000_000, "ci_paid": 29_900_000}, 1_000_000, 850_000),
        # employees' 大额医疗补助: 90% from the first fen
        ({"scheme": "employee_active"}, {}, 100_000, 90_000),
        # outpatient bills: the layer does not apply
        ({"visit": "outpatient"}, {}, 100_000, 0),
    ],
)
def test_critical_illness(
    bill: dict[str, Any], totals: dict[str, int], compliant: int, amount: int
) -> None:
    c = rules.critical_illness(
        one(**bill), before(**totals), T, np.array([compliant], dtype=np.int64)
    )
    assert int(c.amount[0]) == amount


@pytest.mark.parametrize(
    ("bill", "totals", "self_paid", "deductible", "amount"),
    [
        ({"group": "dibao"}, {}, 100_000, 0, 80_000),  # 80%, no deductible
        ({"group": "dibao_edge"}, {}, 500_000, 270_000, 161_000),  # (500,000 − 270,000) × 70%
        ({"group": "dibao_edge"}, {"as_deductible": 200_000}, 500_000, 70_000, 301_000),
        ({"border": True}, {}, 100_000, 0, 90_000),  # border residents: 90%, no deductible
        ({"border": True, "group": "dibao_edge"}, {}, 100_000, 0, 90_000),  # the better ratio
        ({"group": "tekun"}, {"as_paid": 14_990_000}, 1_000_000, 0, 10_000),  # cap left ¥100
        ({}, {}, 100_000, 0, 0),  # not in an assistance group
    ],
)
def test_medical_assistance(
    bill: dict[str, Any], totals: dict[str, int], self_paid: int, deductible: int, amount: int
) -> None:
    a = rules.medical_assistance(
        one(**bill), before(**totals), T, np.array([self_paid], dtype=np.int64)
    )
    assert (int(a.deductible[0]), int(a.amount[0])) == (deductible, amount)


@pytest.mark.parametrize(
    ("total", "funds", "balance", "expected"),
    [
        (1_200_000, 900_000, 50_000, (300_000, 50_000, 250_000)),  # account first, then cash
        (1_200_000, 900_000, 500_000, (300_000, 300_000, 0)),  # the account covers it all
        (1_200_000, 900_000, 0, (300_000, 0, 300_000)),  # residents: no account
    ],
)
def test_patient_share(
    total: int, funds: int, balance: int, expected: tuple[int, int, int]
) -> None:
    bills = one(policy=total, account_balance=balance)
    got = rules.patient_share(bills, np.array([funds], dtype=np.int64))
    assert tuple(int(x[0]) for x in got) == expected


def test_the_layers_chain_into_settle() -> None:
    """settle = the four layers in order (resident, 低保, level 2, ¥50,000 in hospital)."""
    bills = one(policy=5_000_000, group="dibao", special=True)
    r = rules.settle(bills, Totals.zeros(1), P)
    basic = (5_000_000 - 20_000) * 85 // 100  # 4,233,000
    compliant = 5_000_000 - basic  # 767,000
    ci = (compliant - 500_000) * 65 // 100  # 173,550
    aid = (compliant - ci) * 80 // 100  # 474,760
    assert (int(r.basic[0]), int(r.ci[0]), int(r.assistance[0])) == (basic, ci, aid)
    assert int(r.patient[0]) == 5_000_000 - basic - ci - aid


def test_groups_and_special_come_from_the_parameters() -> None:
    """Point 7: which status decides the group, and who gets "一降一升一取消", are parameters."""
    assert P.group_of({"dibao_edge", "tekun", "border"}) == "tekun"
    assert P.group_of({"dibao_edge", "poverty_return"}) == "poverty_return"
    assert P.group_of({"border", "disability"}) == "none"
    assert P.special({"poverty_return"}, "resident")
    assert not P.special({"dibao_edge"}, "resident")
    assert not P.special({"dibao"}, "employee_active")
    assert P.medical_statuses() == ("tekun", "dibao", "poverty_return", "dibao_edge", "border")
    info = P.info("medical.assistance.group_precedence")
    assert info.reference and info.start == dt.date(2022, 1, 1)


@pytest.mark.parametrize("shares", ["0.5 half", "0.5 1.5"])
def test_admission_deductible_shares_are_checked_naming_the_parameter(shares: str) -> None:
    from minsheng.core.errors import ValidationError
    from minsheng.policy import load
    from minsheng.policy.overlays import parse_overlay

    path = "medical.employee_inpatient.admission_deductible_factors"
    overlay = {"changes": {path: {"values": {dt.date(2024, 1, 1): {"value": shares}}}}}
    snap = load().with_overlay(parse_overlay(overlay, "bad")).at(dt.date(2024, 6, 1), "540200")
    with pytest.raises(ValidationError) as err:
        rules.MedicalParams.from_snapshot(snap).t  # noqa: B018
    assert err.value.field == path and err.value.rule == "admission_factors"


def test_admission_number_picks_its_own_deductible_and_later_ones_repeat_the_last() -> None:
    """Shares 0.5 then 0.25: the 2nd admission half, the 3rd and every later one a quarter;
    ``later_admission`` without a number still means the 2nd."""
    from minsheng.policy import load
    from minsheng.policy.overlays import parse_overlay

    path = "medical.employee_inpatient.admission_deductible_factors"
    overlay = {"changes": {path: {"values": {dt.date(2024, 1, 1): {"value": "0.5 0.25"}}}}}
    snap = load().with_overlay(parse_overlay(overlay, "n")).at(dt.date(2024, 6, 1), "540200")
    p = rules.MedicalParams.from_snapshot(snap)
    first = p.fen("medical.employee_inpatient.deductible.level_2")
    got = []
    for row in (
        {"admission": 1},
        {"admission": 2},
        {"later_admission": True},
        {"admission": 3},
        {"admission": 9},
    ):
        bill = one(scheme="employee_active", visit="inpatient", level=2, policy=10_000_000, **row)
        got.append(int(rules.basic_insurance(bill, before(), p.t).deductible[0]))
    assert got == [first, first // 2, first // 2, first // 4, first // 4]
