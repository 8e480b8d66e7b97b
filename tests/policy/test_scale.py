from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from minsheng.policy.scale import ScaleAt

SCALE = ScaleAt("t", (0, 5_000_000, 10_000_000), (Decimal("0.6"), Decimal("0.7"), Decimal("0.8")))


def exact(amount: int, scale: ScaleAt) -> int:
    total = Decimal(0)
    bounds = [*scale.thresholds[1:], None]
    for lo, hi, rate in zip(scale.thresholds, bounds, scale.rates, strict=True):
        part = max(amount - lo, 0)
        if hi is not None:
            part = min(part, hi - lo)
        total += Decimal(part) * rate
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_worked_example() -> None:
    # 123,456.78 yuan above the deductible: 50,000 × 60% + 50,000 × 70% + 23,456.78 × 80%
    # = 30,000 + 35,000 + 18,765.424 = 83,765.42 yuan
    assert SCALE.calc(12_345_678) == 8_376_542


def test_edges() -> None:
    assert SCALE.calc(0) == 0
    assert SCALE.calc(-100) == 0
    assert SCALE.calc(5_000_000) == 3_000_000  # exactly at a threshold
    assert SCALE.calc(5_000_001) == 3_000_001  # 0.7 fen rounds up


amounts = st.integers(min_value=-(10**6), max_value=10**11)


@given(amount=amounts)
def test_matches_exact_decimal(amount: int) -> None:
    assert SCALE.calc(amount) == exact(amount, SCALE)


@given(values=st.lists(amounts, min_size=1, max_size=40))
def test_vector_equals_scalar(values: list[int]) -> None:
    assert SCALE.calc(np.array(values, dtype=np.int64)).tolist() == [SCALE.calc(v) for v in values]


@given(a=st.integers(0, 10**10), b=st.integers(0, 10**10))
def test_monotonic_and_bounded(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert SCALE.calc(lo) <= SCALE.calc(hi)
    assert SCALE.calc(hi) - SCALE.calc(lo) <= hi - lo  # no bracket pays more than it works on


def test_marginal_rate() -> None:
    assert SCALE.marginal_rate(-1) == 0
    assert SCALE.marginal_rate(7_000_000) == Decimal("0.7")
