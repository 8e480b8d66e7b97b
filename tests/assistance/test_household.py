"""Small date helpers the assistance package leans on: month arithmetic, the 12-month window,
completed years of age; and the division-code prefix used for region filters."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.assistance.household import add_months, age_between, months_back
from minsheng.core import divisions

D = dt.date


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's end
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # over the year end
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 1), -12, D(2025, 1, 1)),
        (D(2026, 5, 20), 0, D(2026, 5, 20)),
    ],
)
def test_add_months(day: dt.date, n: int, expected: dt.date) -> None:
    assert add_months(day, n) == expected


def test_the_twelve_months_before_a_day() -> None:
    assert months_back(D(2026, 6, 15)) == (D(2025, 6, 1), D(2026, 6, 1))
    assert months_back(D(2026, 1, 1), 3) == (D(2025, 10, 1), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (D(1966, 6, 15), D(2026, 6, 14), 59),  # the eve of the 60th birthday
        (D(1966, 6, 15), D(2026, 6, 15), 60),  # 特困's age line is reached on the day
        (D(2008, 2, 29), D(2026, 2, 28), 17),  # a leap-day birthday in a common year
        (D(2008, 2, 29), D(2026, 3, 1), 18),
    ],
)
def test_completed_years(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_between(birth, day) == age


def test_code_prefix() -> None:
    assert divisions.code_prefix("540000") == "54"
    assert divisions.code_prefix("540100") == "5401"
    assert divisions.code_prefix("540102") == "540102"
    assert all(c.code.startswith("5402") for c in divisions.counties("540200"))
