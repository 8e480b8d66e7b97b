"""Amounts never wrap (issue 10 §5): documented maxima, checked arithmetic, bounded bill lines.

Property tests at the bounds: at a maximum a value is taken exactly; one fen above it is a
clear ``too_large`` naming the field; and every bill line the service accepts goes through the
vectorised int64 rules with the same fen as exact Python arithmetic.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import money
from minsheng.core.errors import MinshengError, ValidationError
from minsheng.medical import rules
from minsheng.medical.schemas import Line
from minsheng.medical.service import parse_lines
from minsheng.policy import load

INT64_MAX = 2**63 - 1
MAXIMA = {
    name: getattr(money, name)
    for name in dir(money)
    if name.startswith("MAX_") and name.endswith("_FEN")
}


def test_every_maximum_is_far_below_2_to_the_53() -> None:
    assert MAXIMA and all(v * 1000 < money.JS_SAFE_FEN for v in MAXIMA.values())
    assert money.MAX_PRICE_FEN * money.MAX_QUANTITY < INT64_MAX // 1000
    assert money.MAX_LINE_FEN <= money.MAX_BILL_FEN <= money.MAX_AMOUNT_FEN


@pytest.mark.parametrize(
    "text",
    [
        "92233720368547758.08",  # 2^63 fen
        "92233720368546858.08",  # the price of the issue
        "184467440737095516.16",  # 2^64 fen
        "-92233720368547758.09",
        "1" + "0" * 30,
        "9" * 400,
        "10000000000.01",  # one fen above MAX_AMOUNT_FEN
    ],
)
def test_parse_refuses_beyond_the_maximum(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        money.parse(text, "unit_price")
    assert err.value.field == "unit_price" and err.value.rule == "too_large"
    assert "unit_price" in err.value.zh and "unit_price" in err.value.en and err.value.bo


def test_parse_takes_the_maximum_exactly() -> None:
    assert money.parse("10000000000.00") == money.MAX_AMOUNT_FEN
    assert money.parse("-10000000000") == -money.MAX_AMOUNT_FEN
    assert money.parse(10_000_000_000) == money.MAX_AMOUNT_FEN
    with pytest.raises(ValidationError):
        money.parse(10_000_000_001)


def test_a_huge_exponent_is_refused_at_once() -> None:
    start = time.perf_counter()
    for text in ("1e999999999", "-1E+999999", "1e-999999999"):
        with pytest.raises(ValidationError):
            money.parse(text)
    assert time.perf_counter() - start < 0.5  # no billion-digit integer was ever built


@given(fen=st.integers(min_value=-money.MAX_AMOUNT_FEN, max_value=money.MAX_AMOUNT_FEN))
def test_round_trip_up_to_the_maximum(fen: int) -> None:
    assert money.parse(money.to_str(fen)) == fen


@given(over=st.integers(min_value=1, max_value=2**80))
def test_one_fen_above_any_maximum_is_refused(over: int) -> None:
    for name, maximum in MAXIMA.items():
        assert money.bounded(maximum, name, maximum) == maximum
        with pytest.raises(ValidationError) as err:
            money.bounded(maximum + over, name, maximum)
        assert err.value.rule == "too_large"
        with pytest.raises(ValidationError):
            money.bounded(-maximum - over, name, maximum)


@given(a=st.integers(min_value=-(2**70), max_value=2**70), b=st.integers(-(2**70), 2**70))
def test_checked_mul_is_exact_or_refused(a: int, b: int) -> None:
    try:
        got = money.checked_mul(a, b, "x")
    except ValidationError as err:
        assert abs(a * b) > money.MAX_AMOUNT_FEN and err.rule == "too_large"
        return
    assert got == a * b and abs(got) <= money.MAX_AMOUNT_FEN


@given(values=st.lists(st.integers(min_value=0, max_value=money.MAX_BILL_FEN), max_size=200))
def test_checked_sum_is_exact_or_refused(values: list[int]) -> None:
    try:
        got = money.checked_sum(values, "lines", money.MAX_BILL_FEN)
    except ValidationError:
        assert sum(values) > money.MAX_BILL_FEN
        return
    assert got == sum(values)


def test_check_array() -> None:
    ok = np.array([0, money.MAX_BILL_FEN, -money.MAX_BILL_FEN], dtype=np.int64)
    assert money.check_array(ok, "x", money.MAX_BILL_FEN) is ok
    with pytest.raises(ValidationError):
        money.check_array(ok + 1, "x", money.MAX_BILL_FEN)
    with pytest.raises(ValidationError):
        money.check_array(np.array([np.iinfo(np.int64).min], dtype=np.int64), "x")


# ------------------------------------------------------------------- bill lines (int64)


def line(price: str, quantity: str = "1", category: str = "甲", **kw: str) -> Line:
    """A line as the service sees it, without the schema's own bound (checked in both)."""
    return Line.model_construct(
        code="A1", category=category, quantity=quantity, unit_price=price, **kw
    )


def test_the_issues_wrapping_line_is_refused_not_stored_as_100_yuan() -> None:
    with pytest.raises(ValidationError) as err:
        parse_lines([line("92233720368546858.08")])
    assert err.value.field == "lines[0].unit_price" and err.value.rule == "too_large"


def test_price_times_quantity_is_checked_before_int64() -> None:
    with pytest.raises(ValidationError) as err:
        parse_lines([line("50000000", "100000")])  # both at their maximum: ¥5 trillion
    assert err.value.field == "lines[0]" and err.value.rule == "too_large"
    with pytest.raises(ValidationError) as err:
        parse_lines([line("10000000", "10")] * 2)  # two lines of ¥100 million
    assert err.value.field == "lines" and err.value.rule == "too_large"
    assert parse_lines([line("10000000", "10")]).unit_price[0] == 10_000_000_00
    assert parse_lines([line("50000000", "2")]).unit_price[0] == money.MAX_PRICE_FEN
    with pytest.raises(ValidationError) as err:
        parse_lines([line("50000000.01")])
    assert err.value.field == "lines[0].unit_price" and "50,000,000" in err.value.en


@pytest.mark.parametrize(
    ("quantity", "rule"), [("0.00001", "decimals"), ("100000.0001", "range"), ("1e30", "range")]
)
def test_quantity_bounds(quantity: str, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_lines([line("1", quantity)])
    assert err.value.field == "lines[0].quantity" and err.value.rule == rule


prices = st.integers(min_value=0, max_value=money.MAX_PRICE_FEN)
quantities = st.builds(
    lambda units, frac: Decimal(units) + Decimal(frac) / 10**money.MAX_QUANTITY_DECIMALS,
    st.integers(min_value=0, max_value=money.MAX_QUANTITY - 1),
    st.integers(min_value=0, max_value=10**money.MAX_QUANTITY_DECIMALS - 1),
)
shares = st.integers(min_value=0, max_value=10**6).map(lambda n: Decimal(n) / 10**6)


@given(
    price=st.one_of(prices, st.just(money.MAX_PRICE_FEN)),
    quantity=st.one_of(quantities, st.just(Decimal(money.MAX_QUANTITY))),
    limit=st.one_of(st.none(), prices),
    share=shares,
)
def test_every_accepted_line_splits_exactly(
    price: int, quantity: Decimal, limit: int | None, share: Decimal
) -> None:
    """Property at the bounds: the int64 split equals exact arithmetic, or the line is refused."""
    ln = line(
        money.to_str(price),
        str(quantity),
        "乙",
        self_pay_first=str(share),
        **({} if limit is None else {"price_limit": money.to_str(limit)}),
    )
    q = Fraction(quantity)
    exact = Fraction(price) * q
    try:
        lines = parse_lines([ln])
    except ValidationError as err:
        assert err.rule == "too_large" and exact > money.MAX_LINE_FEN
        return
    split = rules.split_lines(lines)

    def half_up(x: Fraction) -> int:
        return int((2 * x.numerator + x.denominator) // (2 * x.denominator))

    amount = half_up(exact)
    allowed = amount if limit is None or price <= limit else half_up(Fraction(limit) * q)
    allowed = min(allowed, amount)
    first = half_up(allowed * Fraction(share))
    assert int(split.amount[0]) == amount
    assert int(split.over_limit[0]) == amount - allowed
    assert int(split.self_first[0]) == first
    assert int(split.policy[0]) == allowed - first
    assert 0 <= int(split.policy[0]) <= money.MAX_LINE_FEN


def test_a_years_ledger_cannot_wrap() -> None:
    """The yearly running totals are sums of bills; the rules multiply them by ratio
    numerators over a small common denominator. Bills a person could have in a year (one every
    minute, day and night) at the bill maximum stay inside int64 with that factor, and inside
    2^53 for the yearly sums themselves shown to clients up to 900,000 maximal bills."""
    params = rules.MedicalParams.from_snapshot(load().at(dt.date(2026, 1, 2), "540100"))
    bills_a_year = 366 * 24 * 60
    assert money.MAX_BILL_FEN * bills_a_year * 2 * params.t.den < INT64_MAX
    assert money.MAX_BILL_FEN * 900_000 < money.JS_SAFE_FEN


@pytest.mark.parametrize(
    "text",
    [
        "1,5",
        "1,2345",
        "12,34.5",
        "1_000",
        "1e3",
        "1E5",
        "１２３",
        "٣",
        "१२",
        "12.",
        ".5",
        "0x10",
        "1 000",
        "--5",
    ],
)
def test_only_amounts_people_write_are_read(text: str) -> None:
    """Found by probing: "1,5" was read as ¥15 (a decimal-comma typo ten times the amount),
    and exponents, underscores and non-ASCII digits were all taken as amounts."""
    with pytest.raises(MinshengError) as err:
        money.parse(text, "unit_price")
    assert err.value.rule == "decimal" and err.value.field == "unit_price" and err.value.bo


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.34", 1234),
        ("1,234.56", 123456),
        ("¥1,234,567", 123456700),
        ("-0", 0),
        ("+5", 500),
        ("12.340", 1234),
    ],
)
def test_the_ordinary_forms_still_read(text: str, fen: int) -> None:
    assert money.parse(text) == fen
