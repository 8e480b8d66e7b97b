"""Pages of wage protection: pay. On the contractor's project desk: the project's dedicated
wage account (deadlines, balance, transfers), its pay sheets and pay runs, a form to build the
month's sheets, a sheet with its lines, and a printable pay slip. The worker's own "my pay" on
the phone (zh / bo): each month's pay, paid or not, the slip, confirm or dispute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import money
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.wages import access, pay, pay_run, pay_views
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

MAX_TEXT = 400
SHEET_FIELDS = ("month",)
RESPONSE_FIELDS = ("agree", "note")

flash.register("wg_sheets_built", N_("The month's pay sheets are built."))
flash.register("wg_pay_confirmed", N_("Thank you: your pay is confirmed."))
flash.register("wg_pay_disputed", N_("Your objection is recorded; the contractor must check it."))


def _desk(
    request: Request,
    project_id: int,
    by: Principal,
    err: MinshengError | None = None,
    values: Any = None,
) -> HTMLResponse:
    with uow(request, immediate=False) as s:
        project = access.get_project(s, project_id, by)
        account = pay_views.account_out(s, project, dt.date.today())
        sheets = [pay_views.sheet_out(x) for x in pay.sheets_of(s, project.id, by)]
        runs = [pay_views.run_out(r) for r in pay_run.runs_of(s, project.id, by)]
        name, code = project.name, project.code
    f = FormState.of("", values or {"month": pay.this_month()}, err, SHEET_FIELDS)
    return render(
        request,
        "wages/pay/desk.html",
        status=err.status if err else 200,
        project={"id": project_id, "name": name, "code": code},
        account=account,
        sheets=sheets,
        runs=runs,
        f=f,
        fmt=money.fmt,
    )


@router.get("/wages/projects/{project_id}/pay", response_class=HTMLResponse)
def desk(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> HTMLResponse:
    """The project's account, pay sheets and runs (the contractor's desk)."""
    return _desk(request, project_id, by)


@router.post("/wages/projects/{project_id}/pay/sheets", response_class=HTMLResponse)
async def build(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> Response:
    """Build the month's sheet of every team (post–redirect–get)."""
    form = await request.form()
    values = form_values(form, SHEET_FIELDS)
    month = values.get("month", "")[:MAX_TEXT]

    def work() -> None:
        with uow(request) as s:
            pay.build_month(s, project_id, month, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        return _desk(request, project_id, by, err, values)
    return flash.redirect(f"/wages/projects/{project_id}/pay", "wg_sheets_built", request)


@router.get("/wages/pay/sheets/{sheet_id}", response_class=HTMLResponse)
def sheet(
    sheet_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> HTMLResponse:
    """A pay sheet (工资支付表) with its lines."""
    with uow(request, immediate=False) as s:
        data = pay_views.sheet_full(s, pay.get_sheet(s, sheet_id, by))
    return render(request, "wages/pay/sheet.html", sheet=data, fmt=money.fmt)


@router.get("/wages/pay/lines/{line_id}/slip", response_class=HTMLResponse)
def slip(
    line_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> HTMLResponse:
    """A worker's printable pay slip (工资条)."""
    with uow(request, immediate=False) as s:
        data = pay_views.slip_out(s, pay.slip(s, line_id, by))
    return render(request, "wages/pay/slip.html", slip=data, mine=False, fmt=money.fmt)


# --------------------------------------------------------------------------- the worker


@router.get("/me/wages/pay", response_class=HTMLResponse)
def my_pay(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """The worker's own pay, month by month."""
    request.state.private = True
    with uow(request, immediate=False) as s:
        lines = pay.my_lines(s, by)
        keys = [pay.pay_key(ln.worker_id, ln.for_month) for ln in lines]
        paid = pay.paid_keys(s, keys)
        rows = [pay_views.line_out(ln, None, k in paid) for ln, k in zip(lines, keys, strict=True)]
    return render(request, "wages/pay/mine.html", lines=rows, fmt=money.fmt)


def _my_slip(
    request: Request,
    line_id: int,
    by: Principal,
    err: MinshengError | None = None,
    values: Any = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        data = pay_views.slip_out(s, pay.slip(s, line_id, by))
    f = FormState.of("", values or {}, err, RESPONSE_FIELDS)
    return render(
        request,
        "wages/pay/slip.html",
        status=err.status if err else 200,
        slip=data,
        mine=True,
        f=f,
        fmt=money.fmt,
    )


@router.get("/me/wages/pay/{line_id}", response_class=HTMLResponse)
def my_slip(
    line_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> HTMLResponse:
    """The worker's pay slip, with confirm / dispute while the month is unpaid."""
    return _my_slip(request, line_id, by)


@router.post("/me/wages/pay/{line_id}/response", response_class=HTMLResponse)
async def my_response(
    line_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> Response:
    """Confirm (``agree=1``) or dispute (``agree=0`` with a note) the line."""
    form = await request.form()
    values = form_values(form, RESPONSE_FIELDS)
    agree = values.get("agree") == "1"
    note = values.get("note", "")[: MAX_TEXT + 1] or None

    def work() -> None:
        with uow(request) as s:
            pay.respond(s, line_id, by, agree, note)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        return _my_slip(request, line_id, by, err, values)
    key = "wg_pay_confirmed" if agree else "wg_pay_disputed"
    return flash.redirect(f"/me/wages/pay/{line_id}", key, request)
