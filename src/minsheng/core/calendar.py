"""Working days: weekends, national holidays and the region's own (Losar, Shoton).

From the dated table ``core/data/holidays.yaml``. A day is a working day when it is a weekday
and no holiday, or when it is an adjusted working day (调休上班) on a weekend. For a year the
table does not cover yet, only weekends are days off; :func:`covers` tells which years are
known, so a caller can warn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from minsheng.core.errors import invalid

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    regional: bool
    status: str


@dataclass(frozen=True)
class _Table:
    holidays: dict[dt.date, Holiday]
    working_days: frozenset[dt.date]
    years: frozenset[int]


def _load_part(
    part: dict[Any, Any], regional: bool
) -> tuple[list[Holiday], set[dt.date], set[int]]:
    days: list[Holiday] = []
    work: set[dt.date] = set()
    years: set[int] = set()
    for year, entry in part.items():
        years.add(int(year))
        status = str(entry.get("status", "assumed"))
        for h in entry.get("holidays", []):
            d: dt.date = h["from"]
            while d <= h["to"]:
                days.append(Holiday(d, str(h["name"]), regional, status))
                d += ONE_DAY
        work.update(entry.get("working_days", []))
    return days, work, years


@cache
def _table(include_regional: bool) -> _Table:
    text = resources.files("minsheng.core.data").joinpath("holidays.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    days, work, years = _load_part(data["national"], regional=False)
    if include_regional:
        rdays, rwork, _ = _load_part(data.get("regional", {}), regional=True)
        days += rdays
        work |= rwork
    holidays: dict[dt.date, Holiday] = {}
    for h in days:
        holidays.setdefault(h.date, h)
    return _Table(holidays, frozenset(work - set(holidays)), frozenset(years))


def covers(year: int) -> bool:
    """Whether the holiday table knows ``year``."""
    return year in _table(True).years


def holiday(day: dt.date, regional: bool = True) -> Holiday | None:
    return _table(regional).holidays.get(day)


def is_working_day(day: dt.date, regional: bool = True) -> bool:
    t = _table(regional)
    if day in t.working_days:
        return True
    return day.weekday() < 5 and day not in t.holidays


def add_working_days(start: dt.date, n: int, regional: bool = True) -> dt.date:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

    ``start`` itself is not counted: a notice published on a Friday with 5 working days runs
    to the next Friday (holidays apart). ``n == 0`` gives ``start``.
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise invalid(
            "n", "integer", "工作日数必须是整数", "the number of working days is an integer"
        )
    step = ONE_DAY if n >= 0 else -ONE_DAY
    day, left = start, abs(n)
    while left:
        day += step
        if is_working_day(day, regional):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, regional: bool = True) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier).

    ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a working day.
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign == 1 else (end, start)
    count = 0
    day = lo + ONE_DAY
    while day <= hi:
        if is_working_day(day, regional):
            count += 1
        day += ONE_DAY
    if sign == -1:
        # counting backwards: working days from end (inclusive) up to start (exclusive)
        count = (
            count
            - (1 if is_working_day(hi, regional) else 0)
            + (1 if is_working_day(lo, regional) else 0)
        )
    return sign * count


@cache
def _starts(include_regional: bool) -> dict[str, tuple[dt.date, ...]]:
    text = resources.files("minsheng.core.data").joinpath("holidays.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    parts = [data["national"], *([data.get("regional", {})] if include_regional else [])]
    out: dict[str, list[dt.date]] = {}
    for part in parts:
        for entry in part.values():
            for h in entry.get("holidays", []):
                out.setdefault(str(h["name"]), []).append(h["from"])
    return {name: tuple(sorted(days)) for name, days in out.items()}


def next_holiday(name: str, day: dt.date, regional: bool = True) -> dt.date | None:
    """The first day, on or after ``day``, of the holiday called ``name`` (春节, 藏历新年) —
    even where another holiday overlaps it; None while the table does not reach it."""
    return next((d for d in _starts(regional).get(name, ()) if d >= day), None)
