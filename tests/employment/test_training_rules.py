"""The pure training rules, by property (hypothesis): completion is exactly the share,
monotone in the days attended; the placement window is inclusive and months are calendar
months; session days are the working days of the period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import calendar
from minsheng.employment import training_rules as rules

SHARES = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1"), places=2)
DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


def test_the_worked_boundary() -> None:
    assert rules.completes(8, 10, Decimal("0.8"))
    assert not rules.completes(7, 10, Decimal("0.8"))
    assert not rules.completes(0, 0, Decimal("0.8"))
    assert rules.placement_until(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert rules.certificate_no("540102", 2026, 7) == "PX5401022026000007"
    assert rules.percent(Fraction(1, 3)) == "33%" and rules.percent(None) == "—"


@given(st.integers(0, 400), st.integers(1, 400), SHARES)
def test_completion_is_exactly_the_share(attended: int, sessions: int, share: Decimal) -> None:
    attended = min(attended, sessions)
    assert rules.completes(attended, sessions, share) == (attended >= share * sessions)
    if rules.completes(attended, sessions, share) and attended < sessions:
        assert rules.completes(attended + 1, sessions, share)  # monotone


@given(DAYS, st.integers(1, 24), st.lists(DAYS, max_size=6))
def test_the_placement_window(done: dt.date, months: int, hires: list[dt.date]) -> None:
    until = rules.placement_until(done, months)
    assert done < until <= done + dt.timedelta(days=31 * months)
    got = rules.placed_on(done, hires, months)
    inside = [h for h in hires if done <= h <= until]
    assert got == (min(inside) if inside else None)


@given(DAYS, st.integers(0, 60))
def test_session_days_are_the_working_days(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    days = rules.session_days(start, end)
    assert all(calendar.is_working_day(d) and start <= d <= end for d in days)
    assert len(days) == sum(
        calendar.is_working_day(start + dt.timedelta(days=i)) for i in range(length + 1)
    )
