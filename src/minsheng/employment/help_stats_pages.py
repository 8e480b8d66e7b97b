"""The employment statistics page (``/employment/statistics``): each measure of
:mod:`minsheng.employment.help_stats` by month (a bar chart drawn as SVG on the server — no
script, no CDN, readable on a phone) and by prefecture (a table), for a year; and its CSV
export (``/employment/statistics.csv``, through the platform's CSV writer)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from minsheng.core.export import csv_bytes
from minsheng.employment import help_stats
from minsheng.employment.help_labels import labels
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import lang, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)


def _year(raw: str) -> int:
    this = dt.date.today().year
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= this + 1:
        return int(raw)
    return this


@router.get("/employment/statistics", response_class=HTMLResponse)
def statistics(
    request: Request,
    year: str = Query("", max_length=4),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """New urban jobs, registered unemployed, fairs, placements and training completions by
    month and prefecture."""
    y = _year(year)
    with uow(request, immediate=False) as s:
        fig = help_stats.figures(s, by, y)
    d = fig.as_dict()
    tops = {m: max(d["by_month"][m] or [0]) or 1 for m in fig.measures}
    return render(
        request,
        "employment/help/statistics.html",
        fig=d,
        year=y,
        years=list(range(dt.date.today().year, 2019, -1)),
        tops=tops,
        **labels(lang(request)),
    )


@router.get("/employment/statistics.csv")
def statistics_csv(
    request: Request,
    year: str = Query("", max_length=4),
    by: Principal = Depends(permit("employment:read")),
) -> Response:
    """The statistics as CSV: one row per measure, prefecture and month with a count."""
    y = _year(year)
    with uow(request, immediate=False) as s:
        fig = help_stats.figures(s, by, y)
    return Response(
        csv_bytes(help_stats.CSV_HEADER, fig.rows()),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="employment-statistics-{y}.csv"',
            "Cache-Control": "no-store",
        },
    )
