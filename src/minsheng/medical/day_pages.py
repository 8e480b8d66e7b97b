"""The cashier's day (docs/medical.md, "The cashier's window"): today's list of the window's
region (or only this cashier's), newest first and paged, each settlement with its reprint and —
while not reversed — its reversal (冲销) with a reason; and the end of day (日结): the day's
totals by fund, net of reversals, and the CSV of its rows. A refused reversal keeps the reason
typed, shows its error next to it and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core.errors import MinshengError, NotFoundError
from minsheng.core.export import csv_bytes
from minsheng.foundation.principals import Principal
from minsheng.medical import desk
from minsheng.medical.pages import readable
from minsheng.medical.schemas import SettlementOut
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import PER_PAGE, Page, page_number
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
flash.register("reversed", N_("The settlement is reversed."))


def _day(raw: str) -> tuple[dt.date, MinshengError | None]:
    try:
        return desk.parse_day(raw), None
    except MinshengError as err:
        return desk.today(), err


def _paged(rows: Iterable[desk.Row], number: int, total: int, query: dict[str, str]) -> Page[Any]:
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return Page(
        items=list(rows),
        number=min(number, pages),
        pages=pages,
        total=total,
        per_page=PER_PAGE,
        base="/medical/cashier/today",
        query=tuple(query.items()),
    )


@router.get("/medical/cashier/today", response_class=HTMLResponse)
def today_list(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    page: str = Query("", max_length=40),
    by: Principal = Depends(permit("medical:settle")),
) -> HTMLResponse:
    """The day's settlements at the window's region (or only this cashier's), newest first,
    paged, each with its reprint and — while not reversed — its reversal."""
    request.state.private = True
    d, err = _day(day)
    only_mine = mine == "1"
    with uow(request, immediate=False) as s:
        # the page asked for, clamped to the last one (the count first: nothing is read twice)
        _, total = desk.day_page(s, by, d, only_mine, 0, 0)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(page_number(page), pages)
        rows, total = desk.day_page(s, by, d, only_mine, (number - 1) * PER_PAGE, PER_PAGE)
    query = {"day": d.isoformat() if d != desk.today() else "", "mine": "1" if only_mine else ""}
    return render(
        request,
        "medical/today.html",
        status=422 if err else 200,
        f=FormState.of(
            "day", {"day": day if err else d.isoformat(), "mine": mine}, err, ("day", "mine")
        ),
        p=_paged(rows, number, total, query),
        day=d,
        mine=only_mine,
        is_today=d == desk.today(),
    )


def _reverse_page(
    request: Request, by: Principal, settlement_id: int, f: FormState, status: int = 200
) -> HTMLResponse:
    with uow(request, immediate=False) as s:
        row = desk.visible_here(s, settlement_id, by)
        (item,) = desk._rows(s, [row])
    return render(request, "medical/reverse.html", status=status, f=f, r=item)


@router.get("/medical/cashier/reverse/{settlement_id}", response_class=HTMLResponse)
def reverse_form(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> HTMLResponse:
    """What will be reversed (冲销), and the reason to give."""
    request.state.private = True
    return _reverse_page(request, by, settlement_id, FormState.of("rv", fields=("reason",)))


@router.post("/medical/cashier/reverse/{settlement_id}", response_class=HTMLResponse)
async def reverse_submit(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> Response:
    """Reverse with a reason: back to today's list with a message, or the form again with the
    reason kept and its error next to it (nothing reversed)."""
    request.state.private = True
    form = await request.form()
    reason = str(form.get("reason") or "")

    def work() -> SettlementOut:
        with uow(request) as s:
            return desk.reverse_with_reason(s, settlement_id, reason, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if isinstance(err, NotFoundError):
            raise
        f = FormState.of("rv", {"reason": reason}, readable(err, lambda n: "reason"), ("reason",))
        return _reverse_page(request, by, settlement_id, f, status=err.status)
    return flash.redirect("/medical/cashier/today", "reversed", request)


@router.get("/medical/cashier/report", response_class=HTMLResponse)
def day_report(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    by: Principal = Depends(permit("medical:settle")),
) -> HTMLResponse:
    """End of day (日结): the day's totals by fund, net of reversals, and the CSV of its rows."""
    d, err = _day(day)
    only_mine = mine == "1"
    with uow(request, immediate=False) as s:
        totals = desk.day_totals(s, by, d, only_mine)
    return render(
        request,
        "medical/report.html",
        status=422 if err else 200,
        f=FormState.of(
            "day", {"day": day if err else d.isoformat(), "mine": mine}, err, ("day", "mine")
        ),
        t=totals,
        day=d,
        mine=only_mine,
    )


@router.get("/medical/cashier/report.csv")
def day_report_csv(
    request: Request,
    day: str = Query("", max_length=10),
    mine: str = Query("", max_length=1),
    by: Principal = Depends(permit("medical:settle")),
) -> Response:
    """The day's settlements as CSV (docs/formats.md; columns in docs/medical.md)."""
    d = desk.parse_day(day)
    with uow(request) as s:
        rows = desk.day_rows(s, by, d, mine == "1")
    layers = desk.layers_of(rows)  # a column per layer beyond the three the day's regions had
    return Response(
        csv_bytes(desk.csv_header(layers), desk.csv_rows(rows, layers)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="medical-day-{d.isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )
