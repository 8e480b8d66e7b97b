"""Properties of the pension rules, and the explanation naming exactly what was read."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.pensions import rules
from minsheng.policy import load

P = rules.PensionParams.from_snapshot(load().at(dt.date(2026, 12, 1)))
births = st.integers(rules.month_index(1940, 1), rules.month_index(2026, 11))
groups = st.sampled_from([rules.MALE, rules.FEMALE_55, rules.FEMALE_50])


@given(births, groups)
def test_retirement_is_monotone_in_the_birth_month(birth: int, group: int) -> None:
    both = rules.retirement_index(P, np.array([birth, birth + 1]), np.array([group, group]))
    assert both[1] >= both[0] + 1  # a month younger never retires earlier (nor the same month)


@given(births, groups)
def test_the_delay_is_bounded(birth: int, group: int) -> None:
    at = int(rules.retirement_index(P, np.array([birth]), np.array([group]))[0])
    original = [720, 660, 600][group]
    most = [36, 36, 60][group]
    assert original <= at - birth <= original + most


@given(st.integers(rules.month_index(2000, 1), rules.month_index(2100, 12)))
def test_minimum_contribution_rises_from_15_to_20_years(retire: int) -> None:
    m = int(rules.minimum_contribution_months(P, np.array([retire]))[0])
    year = retire // 12
    assert m == (180 if year < 2030 else min(240, 180 + 6 * (year - 2029)))


def test_before_the_decision_there_is_no_delay() -> None:
    old = rules.PensionParams.from_snapshot(load().at(dt.date(2024, 1, 1)))
    birth = rules.month_index(1980, 1)
    at = rules.retirement(old, birth, "male", "worker")
    assert at.age_months == 720
    assert at.minimum_contribution_months == 180
    assert all(not i.path.startswith("pensions.retirement.delay") for i in at.parameters)


amounts = st.integers(0, rules.MAX_ACCOUNT_FEN)
rates = st.fractions(Fraction(0), Fraction(1, 5), max_denominator=100_000)


@settings(max_examples=300)
@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=20), rates, st.booleans())
def test_interest_never_makes_an_account_negative_and_is_exact(
    rows: list[tuple[int, int]], rate: Fraction, monthly: bool
) -> None:
    opening = np.array([r[0] for r in rows], dtype=np.int64)
    credited = np.array([r[1] for r in rows], dtype=np.int64)
    interest, closing = rules.credit_interest(opening, credited, rate, monthly)
    for (o, c), i, z in zip(rows, interest, closing, strict=True):
        exact = Fraction(o) * rate + (Fraction(c) * rate * Fraction(13, 24) if monthly else 0)
        parts = [Fraction(o) * rate] + ([Fraction(c) * rate * Fraction(13, 24)] if monthly else [])
        want = sum(int(x + Fraction(1, 2)) for x in parts)  # each part half up
        assert int(i) == want and abs(int(i) - exact) <= len(parts)
        assert int(z) == o + c + int(i) >= o + c >= 0


class Recording(rules.PensionParams):
    """The parameters, writing down every path a rule reads."""

    def __init__(self, base: rules.PensionParams) -> None:
        object.__setattr__(self, "infos", base.infos)
        object.__setattr__(self, "read", set())

    def info(self, path: str) -> rules.ValueInfo:
        self.read.add(path)  # type: ignore[attr-defined]
        return super().info(path)


def _named(parts: list[rules.Part]) -> set[str]:
    return {i.path for part in parts for i in part.parameters}


@pytest.mark.parametrize("years", [15, 16, 30])
@pytest.mark.parametrize("account", [0, 1_234_567, 99_999_999])
def test_resident_pension_names_exactly_what_it_read(years: int, account: int) -> None:
    rec = Recording(P)
    parts = rules.resident_pension(rec, account, years)
    assert _named(parts) == rec.read  # type: ignore[attr-defined]


@pytest.mark.parametrize("age", [50 * 12, 55 * 12 + 5, 60 * 12 + 11, 63 * 12])
@pytest.mark.parametrize("index", [Fraction(6, 10), Fraction(1), Fraction(3)])
def test_employee_pension_names_exactly_what_it_read(age: int, index: Fraction) -> None:
    rec = Recording(P)
    parts = rules.employee_pension(rec, 12_345_678, 300, index, age)
    assert _named(parts) == rec.read  # type: ignore[attr-defined]
    assert rules.total(parts) == sum(p.amount for p in parts)


@pytest.mark.parametrize("years", [1, 5, 10])
def test_unemployment_names_exactly_what_it_read(years: int) -> None:
    rec = Recording(P)
    parts = rules.unemployment_benefit(rec, years)
    assert _named(parts) == rec.read  # type: ignore[attr-defined]


@pytest.mark.parametrize(("difficult", "babies"), [(False, 1), (True, 1), (False, 3)])
def test_maternity_names_exactly_what_it_read(difficult: bool, babies: int) -> None:
    rec = Recording(P)
    parts = rules.maternity_allowance(rec, 600_000, difficult, babies)
    assert _named(parts) == rec.read  # type: ignore[attr-defined]


def test_rounding_is_a_parameter(tmp_path: Path) -> None:
    overlay = tmp_path / "by_yuan.yaml"
    overlay.write_text(
        "description: 到元截尾\nreference: [{title: t, href: internal}]\nchanges:\n"
        "  pensions.rounding.unit_fen: {values: {2020-01-01: {value: 100}}}\n"
        "  pensions.rounding.truncate: {values: {2020-01-01: {value: true}}}\n",
        encoding="utf-8",
    )
    by_yuan = load().with_overlay(overlay)
    p = rules.PensionParams.from_snapshot(by_yuan.at(dt.date(2026, 12, 1)))
    (basic, account) = rules.resident_pension(p, 1_237_593, 15)
    assert account.amount == 8900  # 89.0355 yuan truncated to the yuan
    assert basic.amount == 29500


@pytest.mark.parametrize(
    ("sex", "category", "rule"),
    [
        ("male", "female-worker-50", "category_sex"),
        ("other", "worker", "sex"),
        ("male", "boss", "category"),
    ],
)
def test_bad_groups_name_the_field(sex: str, category: str, rule: str) -> None:
    with pytest.raises(MinshengError) as err:
        rules.group_of(sex, category)
    assert err.value.rule == rule


def test_unemployment_needs_a_year() -> None:
    with pytest.raises(MinshengError) as err:
        rules.unemployment_benefit(P, 0)
    assert err.value.field == "contribution_years"
