"""Employment statistics (就业统计) by prefecture and month of a year, in the caller's region:

- ``new_jobs`` — 城镇新增就业: hires filed by employers (``em_hires`` in state ``filed``), by
  the month of the hire and the employer's prefecture;
- ``unemployed`` — 登记失业人员: active seekers whose status (by their status history) is
  unemployed at each month's end (today for the current month) — a stock: its total is the
  last month's count, not a sum;
- ``fairs`` — 招聘会: fairs held (``em_fairs`` not cancelled, started on or before today), by
  the month they started;
- ``placed`` — 就业困难人员实现就业: help plans closed as employed, by the month they closed;
- ``trained`` — 培训结业: training completions (``em_enrolments`` completed), by the month of
  completion and the course's prefecture.

Another area's table is read by name (``Base.metadata.tables``): while that area has not built
it, its figure is simply absent. Grouped queries only (by county and day), summed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from minsheng.cases import engine as cases
from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.db import Base
from minsheng.foundation.principals import Principal

MEASURES = ("new_jobs", "unemployed", "fairs", "placed", "trained")
STOCKS = frozenset({"unemployed"})  # a count at each month's end, not a sum over months


def table(name: str) -> Table | None:
    """Another area's table by name, or None while that area has not built it."""
    return Base.metadata.tables.get(name)


def prefecture_of(code: str) -> str:
    """The prefecture a county code lies in (its own code for a prefecture or the region)."""
    try:
        d = divisions.get(code)
    except MinshengError:
        return code[:4] + "00"
    while d.level == "county" and d.parent_code:
        d = divisions.get(d.parent_code)
    return d.code


@dataclass
class Figures:
    year: int
    months: list[str]
    prefectures: list[str]
    measures: list[str]
    # measure → prefecture → month → count
    cells: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def total(self, measure: str, prefecture: str | None = None, month: str | None = None) -> int:
        """A flow's sum; a stock's (``unemployed``) value at ``month``, or at the last month
        with figures when no month is named."""
        rows = self.cells.get(measure, {})
        if measure in STOCKS and month is None:
            seen = [m for by_month in rows.values() for m in by_month]
            if not seen:
                return 0
            month = max(seen)
        return sum(
            n
            for pref, by_month in rows.items()
            if prefecture is None or pref == prefecture
            for m, n in by_month.items()
            if month is None or m == month
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "months": self.months,
            "prefectures": self.prefectures,
            "measures": self.measures,
            "cells": self.cells,
            "totals": {m: self.total(m) for m in self.measures},
            "by_month": {m: [self.total(m, month=mo) for mo in self.months] for m in self.measures},
            "by_prefecture": {
                m: {p: self.total(m, prefecture=p) for p in self.prefectures} for m in self.measures
            },
        }

    def rows(self) -> Iterable[list[object]]:
        """One CSV row per measure, prefecture and month with a count."""
        for m in self.measures:
            for pref in sorted(self.cells.get(m, {})):
                for mo in self.months:
                    n = self.cells[m][pref].get(mo, 0)
                    if n:
                        yield [m, pref, mo, n]


def _add(fig: Figures, measure: str, rows: Iterable[Any]) -> None:
    cells = fig.cells.setdefault(measure, {})
    for code, day, n in rows:
        if day is None or code is None:
            continue
        month = str(day)[:7]
        if not month.startswith(str(fig.year)):
            continue
        pref = prefecture_of(code)
        by_month = cells.setdefault(pref, {})
        by_month[month] = by_month.get(month, 0) + int(n)


def _grouped(session: Session, by: Principal, code: Any, day: Any, q: Any) -> Any:
    q = cases.in_region(q, code, by)
    return session.execute(q.group_by(code, day)).all()


def _unemployed(
    session: Session, by: Principal, fig: Figures, seekers: Table, history: Table, today: dt.date
) -> None:
    """Registered unemployed at each month's end (today for the current month): active seekers
    whose status on that day is ``unemployed`` — the status history read in one query."""
    s, h = seekers.c, history.c
    q = cases.in_region(
        select(s.id, s.division_code, h.status, h.from_day)
        .select_from(history.join(seekers, h.seeker_id == s.id))
        .where(s.state == "active", h.from_day <= min(today, dt.date(fig.year, 12, 31)))
        .order_by(s.id, h.from_day, h.id),
        s.division_code,
        by,
    )
    ends = []
    for month in range(1, 13):
        first = dt.date(fig.year, month, 1)
        if first > today:
            break
        nxt = dt.date(fig.year + (month == 12), month % 12 + 1, 1)
        ends.append((f"{fig.year}-{month:02d}", min(nxt - dt.timedelta(days=1), today)))
    runs: dict[int, tuple[str, list[tuple[dt.date, str]]]] = {}
    for sid, code, status, day in session.execute(q):
        runs.setdefault(sid, (code, []))[1].append((day, status))
    cells = fig.cells.setdefault("unemployed", {})
    for code, changes in runs.values():
        pref = prefecture_of(code)
        for label, end in ends:
            held = [st for d, st in changes if d <= end]
            if held and held[-1] == "unemployed":
                by_month = cells.setdefault(pref, {})
                by_month[label] = by_month.get(label, 0) + 1


def figures(session: Session, by: Principal, year: int, today: dt.date | None = None) -> Figures:
    """Every measure of ``year`` by prefecture and month, inside ``by``'s region."""
    today = today or dt.date.today()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    fig = Figures(
        year=year,
        months=[f"{year}-{m:02d}" for m in range(1, 13)],
        prefectures=[],
        measures=[],
    )
    hires = table("em_hires")
    if hires is not None:
        c = hires.c
        q = select(c.division_code, c.hired_on, func.count()).where(
            c.state == "filed", c.hired_on >= start, c.hired_on <= end
        )
        _add(fig, "new_jobs", _grouped(session, by, c.division_code, c.hired_on, q))
        fig.measures.append("new_jobs")
    seekers, history = table("em_seekers"), table("em_seeker_statuses")
    if seekers is not None and history is not None:
        _unemployed(session, by, fig, seekers, history, today)
        fig.measures.append("unemployed")
    fairs = table("em_fairs")
    if fairs is not None:
        c = fairs.c
        q = select(c.division_code, c.starts_on, func.count()).where(
            c.state != "cancelled", c.starts_on >= start, c.starts_on <= min(end, today)
        )
        _add(fig, "fairs", _grouped(session, by, c.division_code, c.starts_on, q))
        fig.measures.append("fairs")
    plans = table("em_help_plans")
    if plans is not None:
        c = plans.c
        q = select(c.division_code, c.closed_on, func.count()).where(
            c.state == "employed", c.closed_on >= start, c.closed_on <= end
        )
        _add(fig, "placed", _grouped(session, by, c.division_code, c.closed_on, q))
        fig.measures.append("placed")
    enrolments, courses = table("em_enrolments"), table("em_courses")
    if enrolments is not None and courses is not None:
        e, k = enrolments.c, courses.c
        q = (
            select(k.division_code, e.completed_on, func.count())
            .select_from(enrolments.join(courses, e.course_id == k.id))
            .where(e.state == "completed", e.completed_on >= start, e.completed_on <= end)
        )
        _add(fig, "trained", _grouped(session, by, k.division_code, e.completed_on, q))
        fig.measures.append("trained")
    seen = {p for m in fig.cells.values() for p in m}
    codes = by.covered_counties()
    if codes is None:
        known = {d.code for d in divisions.prefectures()}
    else:
        known = {prefecture_of(c) for c in codes}
    fig.prefectures = sorted(seen | known)
    return fig


CSV_HEADER = ("measure", "prefecture", "month", "count")
