from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import money
from minsheng.core.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.34", 1234), ("0", 0), ("0.5", 50), ("1,234.56", 123456), ("¥7", 700), ("-3.01", -301)],
)
def test_parse_decimal_strings(text: str, fen: int) -> None:
    assert money.parse(text) == fen


def test_parse_decimal_and_int() -> None:
    assert money.parse(Decimal("99.99")) == 9999
    assert money.parse(15) == 1500


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (1.5, "no_float"),
        ("1.234", "two_decimals"),
        ("abc", "decimal"),
        ("NaN", "decimal"),  # as text, not an amount a person writes
        (Decimal("NaN"), "finite"),
        (Decimal("Infinity"), "finite"),
    ],
)
def test_parse_rejects_with_field_and_rule(value: object, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        money.parse(value, field="unit_price")  # type: ignore[arg-type]
    assert err.value.field == "unit_price"
    assert err.value.rule == rule
    assert err.value.zh and err.value.en


def test_trailing_zeros_beyond_two_places_are_fine() -> None:
    assert money.parse("1.2300") == 123


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123456, "¥1,234.56"),
        (5, "¥0.05"),
        (-5, "-¥0.05"),
        (0, "¥0.00"),
        (100000000, "¥1,000,000.00"),
    ],
)
def test_fmt(fen: int, text: str) -> None:
    assert money.fmt(fen) == text


def test_to_str_round_trips_parse() -> None:
    assert money.to_str(123405) == "1234.05"
    assert money.parse(money.to_str(-7)) == -7


@pytest.mark.parametrize(
    ("amount", "ratio", "expected"),
    [(15, "0.5", 8), (14, "0.5", 7), (-15, "0.5", -8), (1001, "0.7", 701), (333, "0.333", 111)],
)
def test_apply_ratio_half_up(amount: int, ratio: str, expected: int) -> None:
    assert money.apply_ratio(amount, Decimal(ratio)) == expected


def test_apply_ratio_refuses_float() -> None:
    with pytest.raises(TypeError):
        money.apply_ratio(100, 0.7)  # type: ignore[arg-type]


ratios = st.decimals(min_value=0, max_value=2, places=4, allow_nan=False, allow_infinity=False)
amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(amount=amounts, ratio=ratios)
def test_apply_ratio_matches_decimal_half_up(amount: int, ratio: Decimal) -> None:
    exact = (Decimal(amount) * ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert money.apply_ratio(amount, ratio) == int(exact)


@given(values=st.lists(amounts, min_size=1, max_size=50), ratio=ratios)
def test_apply_ratio_vector_equals_scalar(values: list[int], ratio: Decimal) -> None:
    vec = money.apply_ratio(np.array(values, dtype=np.int64), ratio)
    assert vec.dtype == np.int64
    assert vec.tolist() == [money.apply_ratio(v, ratio) for v in values]


@given(fen=st.integers(min_value=-money.MAX_AMOUNT_FEN, max_value=money.MAX_AMOUNT_FEN))
def test_parse_inverts_to_str(fen: int) -> None:
    assert money.parse(money.to_str(fen)) == fen


def _by_decimal(text: str) -> int | str:
    """What the general path (Decimal, every check) makes of ``text``: fen, or the rule."""
    try:
        return money.parse(Decimal(text), "amount")
    except ValidationError as err:
        return err.rule


@given(
    st.from_regex(r"\A[0-9]{1,22}(\.[0-9]{1,3})?\Z")
    | st.integers(0, 10**12).map(lambda n: f"{n // 100}.{n % 100:02d}")
)
def test_the_plain_form_reads_as_the_general_path_does(text: str) -> None:
    # "1234.56" is read without Decimal: the same fen, the same refusal past the maximum
    try:
        got: int | str = money.parse(text, "amount")
    except ValidationError as err:
        got = err.rule
    assert got == _by_decimal(text)
