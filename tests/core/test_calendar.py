import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import calendar as cal

D = dt.date


def test_national_day_week_2025() -> None:
    for day in range(1, 9):
        assert not cal.is_working_day(D(2025, 10, day))
    assert cal.is_working_day(D(2025, 9, 28))  # Sunday, adjusted working day
    assert cal.is_working_day(D(2025, 10, 11))  # Saturday, adjusted working day
    assert cal.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)


def test_spring_festival_2026_and_adjusted_saturday() -> None:
    assert not cal.is_working_day(D(2026, 2, 16))
    assert cal.is_working_day(D(2026, 2, 14))  # Saturday worked


def test_losar_is_a_regional_holiday() -> None:
    losar = D(2025, 2, 28)  # a Friday
    assert not cal.is_working_day(losar)
    assert cal.is_working_day(losar, regional=False)
    h = cal.holiday(losar)
    assert h is not None and h.regional and h.name == "藏历新年"


def test_plain_weekends() -> None:
    assert not cal.is_working_day(D(2025, 3, 8))  # Saturday
    assert cal.is_working_day(D(2025, 3, 10))  # Monday


def test_add_working_days_skips_weekend() -> None:
    assert cal.add_working_days(D(2025, 3, 14), 5) == D(2025, 3, 21)
    assert cal.add_working_days(D(2025, 3, 21), -5) == D(2025, 3, 14)
    assert cal.add_working_days(D(2025, 3, 14), 0) == D(2025, 3, 14)


def test_working_days_between() -> None:
    assert cal.working_days_between(D(2025, 3, 14), D(2025, 3, 21)) == 5
    assert cal.working_days_between(D(2025, 3, 21), D(2025, 3, 14)) == -5
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1


def test_covered_years() -> None:
    assert cal.covers(2025) and cal.covers(2026)
    assert not cal.covers(1999)


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31))


@given(a=days, n=st.integers(-60, 60))
def test_add_then_count_round_trips(a: dt.date, n: int) -> None:
    b = cal.add_working_days(a, n)
    assert cal.is_working_day(b) or n == 0
    assert cal.working_days_between(a, b) == n


@given(a=days, b=days)
def test_count_then_add_lands_on_working_day(a: dt.date, b: dt.date) -> None:
    if cal.is_working_day(b):
        assert cal.add_working_days(a, cal.working_days_between(a, b)) == b
