"""Issue 16 item 11 for item 4: the 大病 / 大额 step of an explanation names the segments
(brackets) of the segmented scale the bill's compliant self-pay fell in, and how the scale's
thresholds are measured (``threshold_basis``) — in either convention, for a special group whose
deductible is reduced, for employees' 大额 — and the receipt says so in three languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from minsheng.db import make_sessionmaker
from minsheng.medical import rules, service
from minsheng.medical.examples import settle_example
from minsheng.medical.schemas import BillIn
from minsheng.medical.segments import segments_used
from minsheng.policy import load
from minsheng.policy.examples import read_examples
from minsheng.policy.scale import ScaleAt
from tests.medical.test_settlement_api import BY, bill, world

__all__ = ["world"]  # the fixture, used by name

CASES = Path(__file__).parent / "cases"


def _ci_step(steps: list[rules.Step]) -> rules.Step:
    return next(s for s in steps if s.fund in ("critical_illness", "supplementary"))


def test_each_convention_names_the_segments_it_measured() -> None:
    """The same year (a special-group resident: deductible 5,000) read in both conventions:
    52,000 of compliant self-pay is 47,000 above the deductible — the first segment only — but
    reaches 52,000 of the absolute thresholds: the first and the second."""
    (example,) = read_examples([CASES / "shape_ci_absolute_thresholds_special.yaml"])
    p_abs = rules.MedicalParams.from_snapshot(example.tree().at(example.date, example.region))
    p_above = rules.MedicalParams.from_snapshot(load().at(example.date, example.region))
    row = rules.BillRow(scheme="resident", visit="inpatient", level=2, special=True)
    for p, basis, want in ((p_abs, "absolute", (1, 2)), (p_above, "above_deductible", (1, 1))):
        before = rules.Totals.zeros(1)
        bills = rules.Bills.of([dataclasses.replace(row, policy=5_200_000)])
        r = rules.settle(bills, before, p)
        # a compliant self-pay of 52,000 straight into 大病 (basic on its own ratio first)
        before.ci_base[:] = 5_200_000 - int(r.ci_base[0])
        r = rules.settle(bills, before, p)
        step = _ci_step(rules.explain(bills, r, p))
        assert int(r.ci_deductible[0]) == 500_000
        assert step.threshold_basis == basis and step.segments == want, (basis, step)


def test_a_worked_example_names_its_segments() -> None:
    """shape_ci_absolute_thresholds_special: 5,000–50,000 at 65 %, 50,000–60,000 at 75 % —
    segments 1–2, absolute; a bill below the deductible names no segment."""
    (example,) = read_examples([CASES / "shape_ci_absolute_thresholds_special.yaml"])
    bills, r = settle_example(example)
    p = rules.MedicalParams.from_snapshot(example.tree().at(example.date, example.region))
    step = _ci_step(rules.explain(bills, r, p, 0))
    assert (step.segments, step.threshold_basis, step.amount) == ((1, 2), "absolute", 3_675_000)
    small = rules.Bills.of([rules.BillRow(visit="inpatient", level=2, policy=100_000)])
    r = rules.settle(small, rules.Totals.zeros(1), p)
    step = _ci_step(rules.explain(small, r, p))
    assert step.amount == 0 and step.segments is None and step.threshold_basis == "absolute"


def test_employees_supplementary_names_its_one_segment() -> None:
    """Employees' 大额 is a scale too: Tibet's one bracket, measured above the deductible."""
    p = rules.MedicalParams.from_snapshot(load().at(dt.date(2024, 6, 1), "540102"))
    bills = rules.Bills.of(
        [rules.BillRow(scheme="employee_active", visit="inpatient", level=3, policy=80_000_000)]
    )
    r = rules.settle(bills, rules.Totals.zeros(1), p)
    step = _ci_step(rules.explain(bills, r, p))
    assert step.fund == "supplementary" and step.amount > 0
    assert step.segments == (1, 1) and step.threshold_basis == "above_deductible"


THRESHOLDS = st.lists(st.integers(1, 20_000_000), min_size=0, max_size=4).map(
    lambda xs: (0, *sorted(xs))
)


@settings(max_examples=100, deadline=None)
@given(
    thresholds=THRESHOLDS,
    before=st.integers(0, 30_000_000),
    base=st.integers(0, 30_000_000),
    deductible=st.integers(0, 5_000_000),
    absolute=st.booleans(),
)
def test_the_segments_named_are_exactly_those_the_bill_paid_in(
    thresholds: tuple[int, ...], before: int, base: int, deductible: int, absolute: bool
) -> None:
    """Property: a bracket of positive width is named if and only if the bill's part of the
    year's total (in the scale's own measure) reaches into it; nothing is named when none."""
    scale = ScaleAt("s", thresholds, tuple(Decimal("0.5") for _ in thresholds))
    used = segments_used(scale, before, base, deductible, absolute)
    if absolute:
        lo, hi = max(before, deductible), max(before + base, deductible)
    else:
        lo, hi = max(before - deductible, 0), max(before + base - deductible, 0)
    tops = [*thresholds[1:], np.iinfo(np.int64).max]
    touched = [
        k + 1
        for k, (a, b) in enumerate(zip(thresholds, tops, strict=True))
        if b > a and min(hi, b) > max(lo, a)
    ]
    assert (used is None) == (not touched) == (hi <= lo)
    if used is not None:
        assert used == (touched[0], touched[-1])


def test_the_receipt_names_the_segments_in_three_languages(
    world: dict[str, int], engine: Engine, app: object
) -> None:
    from tests.medical.test_hardening import _signed_in_cashier, receipt_says

    factory = make_sessionmaker(engine)
    with factory() as s:
        sid = service.settle(s, BillIn.model_validate(bill("300000.00")), BY).id
        s.commit()
    c: Any = _signed_in_cashier(app, engine, "cashier.segments")
    said = {
        "zh": ("分段比例所在段: 1–", "各段门槛自起付线起算"),
        "bo": ("དུམ་རིམ་གྱི་ཆ་ཚད་ཀྱི་དུམ་བུ།: 1–", "དུམ་མཚམས་ནི་འགོ་འཛུགས་ཚད་ནས་རྩིས་པ་ཡིན།"),
        "en": ("segment of the scale: 1–", "thresholds are measured above the deductible"),
    }
    receipt_says(c, sid, said)
