"""Pure rules of vocational training: the session days of a course, completion at the
attendance share, the certificate's number, the subsidy of a finish, the placement window.

Imports only ``core`` and the standard library (columns in, columns out); the services in
:mod:`minsheng.employment.training` read the parameters and the tables.
"""

from __future__ import annotations

import calendar as _month_days
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from minsheng.core import calendar

ONE_DAY = dt.timedelta(days=1)
MAX_SESSION_DAYS = 400  # a course runs at most this many calendar days (about 13 months)


def session_days(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    """The course's session days: its working days (holidays, Losar included, are not)."""
    out: list[dt.date] = []
    day = starts_on
    while day <= ends_on:
        if calendar.is_working_day(day):
            out.append(day)
        day += ONE_DAY
    return out


def completes(attended: int, sessions: int, share: Decimal | Fraction) -> bool:
    """Whether ``attended`` of ``sessions`` days reaches the share (exactly: 8 of 10 at 0.8
    completes, 7 of 10 does not). A course without sessions completes nobody."""
    if sessions <= 0 or attended < 0:
        return False
    return Fraction(min(attended, sessions), sessions) >= Fraction(share)


def certificate_no(division_code: str, year: int, enrolment_id: int) -> str:
    """The certificate's number: ``PX`` + county + year + the enrolment's id (six digits at
    least) — unique because the id is, readable because the county and year are in it."""
    return f"PX{division_code}{year:04d}{enrolment_id:06d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _month_days.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def placement_until(completed_on: dt.date, months: int) -> dt.date:
    """The last day a hire counts as the trainee's placement (inclusive)."""
    return add_months(completed_on, months)


def placed_on(completed_on: dt.date, hires: Iterable[dt.date], months: int) -> dt.date | None:
    """The first hire inside the window ``[completed_on, completed_on + months]``, or None."""
    until = placement_until(completed_on, months)
    inside = [d for d in hires if completed_on <= d <= until]
    return min(inside) if inside else None


def rate(placed: int, completed: int) -> Fraction | None:
    """The placement rate of a course (None before anyone completes)."""
    if completed <= 0:
        return None
    return Fraction(placed, completed)


def percent(value: Fraction | None) -> str:
    """A rate as a whole-number percentage for people (``"—"`` when there is none)."""
    if value is None:
        return "—"
    return f"{round(value * 100)}%"
