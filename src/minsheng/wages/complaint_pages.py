"""Pages of the arrears complaints (欠薪线索反映), on the page kit.

The worker (on a phone, in Tibetan or Chinese): ``/wages/report`` — find the project by name or
county, or type it, and report; open to anyone at any hour: signed in, the complaint is named
and followed at ``/me/wages/complaints``; not signed in, the answer shows a follow-up code and
PIN once (on the POST itself: never in a URL or a cookie) for ``/wages/report/follow-up``.

The inspector (``wages:inspect``): ``/wages/complaints`` — the queue of their counties with
filters (state, overdue, words), deadlines shown; a complaint's page with only the steps the
table and maker–checker let them take; ``/wages/complaints/kpis`` — the KPI table per county.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.foundation.principals import ANONYMOUS, Principal
from minsheng.wages import complaint_filing as filing
from minsheng.wages import complaints
from minsheng.wages.complaint_workflow import COMPLAINT
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import client_ip, permit, public
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, cut, matches, paginate, window
from minsheng.webkit.render import N_, render
from minsheng.webkit.steps import day, posted, refusals, step_forms, take

router = APIRouter(include_in_schema=False)

REPORT_FIELDS = (
    "project_id", "project_text", "county", "facts", "amount_claimed", "workers", "phone",
    "lang", "anonymous",
)  # fmt: skip
STEP_FIELDS = ("action", "day", "reason", "outcome", "recovered")
FOLLOW_FIELDS = ("code", "pin")
QUEUE_CAP = 2000  # complaints the queue reads to search in (more: the page says so)
MAX_CHARS = 2000  # a typed value (the facts): an engineering bound, checked again by the service

flash.register("wg_complaint_filed", N_("Your complaint is received. You can follow it here."))
flash.register("wg_complaint_step", N_("The step is recorded."))

ACTIONS = {
    "accept": N_("Accept and investigate"),
    "refuse": N_("Refuse"),
    "request_extension": N_("Ask to extend the investigation"),
    "approve_extension": N_("Approve the extension"),
    "reject_extension": N_("Refuse the extension"),
    "refer": N_("Refer to arbitration"),
    "extend_referral": N_("Record the arbitration's extension"),
    "close": N_("Close"),
    "withdraw": N_("Record the worker's withdrawal"),
    "file": N_("Received"),
}
OUTCOMES = {
    "recovered": N_("Wages recovered"),
    "settled": N_("Settled by mediation"),
    "not_founded": N_("No arrears found"),
    "arbitrated": N_("Decided by arbitration"),
    "transferred": N_("Transferred to another authority"),
    "withdrawn": N_("Withdrawn by the worker"),
    "refused": N_("Not accepted"),
}
FILTERS = ("open", *(s.name for s in COMPLAINT.states), "all")
FILTER_NAMES = {"open": N_("Open"), "all": N_("All")}


def _label(labels: tuple[str, str, str], code: str) -> str:
    zh, bo, en = labels
    return {"zh": zh, "bo": bo or zh, "en": en}.get(code, zh)


def _states(code: str) -> dict[str, str]:
    return {s.name: _label(s.label, code) for s in COMPLAINT.states}


def _county_options(code: str) -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, c.name(code)) for c in divisions.counties()]


def _county(value: str, code: str) -> str:
    try:
        return divisions.get(value).name(code)
    except Exception:
        return value


# ------------------------------------------------------------------ the worker


def _report_page(
    request: Request,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    q: str = "",
    county: str = "",
) -> HTMLResponse:
    code = lang(request)
    found: list[dict[str, Any]] = []
    search_error = None
    with uow(request, immediate=False) as s:
        try:
            found = filing.find_projects(s, q, county) if (q or county) else []
        except MinshengError as err:
            search_error = err
    for p in found:
        p["county_name"] = _county(p["county"], code)
    defaults = {"lang": "bo" if code == "bo" else "zh"}
    return render(
        request,
        "wages/complaints/report.html",
        status=error.status if error else (search_error.status if search_error else 200),
        f=FormState.of("", {**defaults, **(values or {})}, error, REPORT_FIELDS),
        search=FormState.of("find", {"q": q, "county": county}, search_error, ("q", "county")),
        found=found,
        searched=bool(q or county),
        counties=_county_options(code),
        signed_in=by.kind == "citizen",
    )


@router.get("/wages/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    q: str = Query("", max_length=100),
    county: str = Query("", max_length=6),
    by: Principal = Depends(public()),
) -> HTMLResponse:
    """Report arrears: find the project, tell what happened (anyone, any hour)."""
    return _report_page(request, by, q=q, county=county)


@router.post("/wages/report", response_class=HTMLResponse)
async def report(request: Request, by: Principal = Depends(public())) -> Response:
    request.state.private = True
    values = {k: v[:MAX_CHARS] for k, v in form_values(await request.form(), REPORT_FIELDS).items()}
    who = by if by.kind == "citizen" else ANONYMOUS

    def work() -> tuple[int, str | None, str | None, dict[str, Any]]:
        request.app.state.limiter.hit(f"wg_report_ip:{client_ip(request) or '-'}", 10, 3600.0)
        raw = values.get("project_id", "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 12):
            raise invalid("project_id", "integer", "项目编号无效", "not a project", "ནོར།")
        data = filing.ComplaintIn(
            facts=values.get("facts", ""),
            lang=values.get("lang", "zh"),
            project_id=int(raw) if raw else None,
            project_text=values.get("project_text", ""),
            county=values.get("county", ""),
            amount_claimed=values.get("amount_claimed", ""),
            workers=values.get("workers", ""),
            phone=values.get("phone", ""),
            anonymous=values.get("anonymous") in ("on", "1", "true"),
        )
        today = dt.date.today()
        with uow(request) as s:
            filed = filing.file_complaint(s, data, who, today)
            view = complaints.state_view(s, filed.complaint, today)
            return filed.complaint.id, filed.code, filed.pin, view

    try:
        cid, code, pin, view = await run_in_threadpool(work)
    except MinshengError as err:
        return _report_page(request, by, values, err)
    if code is None:
        return flash.redirect(f"/me/wages/complaints/{cid}", "wg_complaint_filed", request)
    view["state_label"] = _states(lang(request))[view["state"]]
    view["county_name"] = _county(view["county"], lang(request))
    return render(
        request,
        "wages/complaints/filed.html",
        status=201,
        c=view,
        code=code,
        pin=pin,
        outcomes=OUTCOMES,
    )


def _follow_page(
    request: Request,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    found: dict[str, Any] | None = None,
) -> HTMLResponse:
    request.state.private = True
    return render(
        request,
        "wages/complaints/follow.html",
        status=error.status if error else 200,
        f=FormState.of("", {"code": (values or {}).get("code", "")}, error, FOLLOW_FIELDS),
        c=found,
        actions=ACTIONS,
        outcomes=OUTCOMES,
    )


@router.get("/wages/report/follow-up", response_class=HTMLResponse)
def follow_page(request: Request, by: Principal = Depends(public())) -> HTMLResponse:
    """Follow an anonymous complaint with its code and PIN."""
    return _follow_page(request)


@router.post("/wages/report/follow-up", response_class=HTMLResponse)
async def follow(request: Request, by: Principal = Depends(public())) -> Response:
    values = {k: v[:40] for k, v in form_values(await request.form(), FOLLOW_FIELDS).items()}
    code = lang(request)

    def work() -> dict[str, Any]:
        request.app.state.limiter.hit(f"wg_follow_ip:{client_ip(request) or '-'}", 30, 600.0)
        today = dt.date.today()
        with uow(request) as s:
            c = filing.follow_up(s, values.get("code", ""), values.get("pin", ""))
            return _mine_view(s, c, today, code)

    try:
        found = await run_in_threadpool(work)
    except MinshengError as err:
        return _follow_page(request, values, err)
    return _follow_page(request, values, None, found)


def _mine_view(s: Any, c: Any, today: dt.date, code: str) -> dict[str, Any]:
    view = complaints.state_view(s, c, today)
    view["state_label"] = _states(code)[c.state]
    view["county_name"] = _county(c.division_code, code)
    view["facts"] = c.facts
    view["project_text"] = c.project_text
    view["events"] = [complaints.event_out(e, False) for e in complaints.events(s, c)]
    return view


@router.get("/me/wages/complaints", response_class=HTMLResponse)
def mine_page(request: Request, by: Principal = Depends(permit("self:read"))) -> HTMLResponse:
    """My complaints and their state."""
    request.state.private = True
    code, today = lang(request), dt.date.today()
    with uow(request, immediate=False) as s:
        rows = [_mine_view(s, c, today, code) for c in complaints.mine(s, by)]
    return render(request, "wages/complaints/mine.html", rows=rows, outcomes=OUTCOMES)


@router.get("/me/wages/complaints/{complaint_id}", response_class=HTMLResponse)
def my_page(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> HTMLResponse:
    """One of my complaints: its state, deadlines, outcome and steps."""
    request.state.private = True
    code, today = lang(request), dt.date.today()
    with uow(request, immediate=False) as s:
        view = _mine_view(s, complaints.my_complaint(s, complaint_id, by), today, code)
    return render(
        request, "wages/complaints/my_complaint.html", c=view, actions=ACTIONS, outcomes=OUTCOMES
    )


# ------------------------------------------------------------------ the inspector


@router.get("/wages/complaints", response_class=HTMLResponse)
def queue_page(
    request: Request,
    state: str = Query("open", max_length=24),
    overdue: str = Query("", max_length=3),
    q: str = Query("", max_length=100),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:inspect")),
) -> HTMLResponse:
    """The complaints routed to the caller's counties, the earliest deadline first."""
    request.state.private = True
    code, today = lang(request), dt.date.today()
    state = state if state in FILTERS else "open"
    late = overdue == "1"
    with uow(request, immediate=False) as s:
        query = complaints.queue_query(by, "" if state == "all" else state, today if late else None)
        rows = []
        read, capped = cut(s.scalars(query.limit(QUEUE_CAP + 1)).all(), QUEUE_CAP)
        for c in read:
            v = complaints.state_view(s, c, today)
            v["state_label"] = _states(code)[c.state]
            v["county_name"] = _county(c.division_code, code)
            v["project"] = v["project"] or c.project_text
            v["name"] = complaints.worker_name(s, c) or ""
            rows.append(v)
    rows = [r for r in rows if matches(q, r["id"], r["project"], r["name"], r["county_name"])]
    kept = {"state": state, "overdue": "1" if late else "", "q": q}
    return render(
        request,
        "wages/complaints/queue.html",
        cases=paginate(rows, page, "/wages/complaints", kept, capped=capped),
        state=state,
        overdue=late,
        q=q,
        filters=FILTERS,
        filter_names=FILTER_NAMES,
        states=_states(code),
        outcomes=OUTCOMES,
    )


@router.get("/wages/complaints/board", response_class=HTMLResponse)
def board_page(
    request: Request,
    county: str = Query("", max_length=6),
    number: str = Query("", max_length=12),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:read")),
) -> HTMLResponse:
    """Every office's view of the region: the open complaints by state and deadline, or one
    complaint by its number — the state only, never the worker."""
    code, today = lang(request), dt.date.today()
    error = None
    where = county if county in _codes() else ""
    listed: Page[dict[str, Any]] | None = None
    with uow(request, immediate=False) as s:
        rows: list[dict[str, Any]] = []
        try:
            if number.strip():
                if not (number.strip().isascii() and number.strip().isdigit()):
                    raise filing.missing_complaint()
                rows = [complaints.read_state(s, int(number.strip()), by, today)]
            else:  # every open complaint is on some page, the total shown
                total = complaints.board_count(s, where)
                n, pages, offset = window(page, total)
                rows = complaints.board(s, today, where, limit=PER_PAGE, offset=offset)
                keep = (("county", where),) if where else ()
                base = "/wages/complaints/board"
                listed = Page(rows, n, pages, total, PER_PAGE, base, keep)
        except MinshengError as err:
            error = err
    for r in rows:
        r["state_label"] = _states(code)[r["state"]]
        r["county_name"] = _county(r["county"], code)
        r["office_name"] = _county(r["received_division"] or "", code)
    return render(
        request,
        "wages/complaints/board.html",
        status=error.status if error else 200,
        f=FormState.of("", {"number": number, "county": county}, error, ("number", "county")),
        rows=rows,
        listed=listed,
        counties=_county_options(code),
        outcomes=OUTCOMES,
    )


def _codes() -> set[str]:
    return {c.code for c in divisions.counties()}


@router.get("/wages/complaints/kpis", response_class=HTMLResponse)
def kpi_page(
    request: Request,
    month: str = Query("", max_length=7),
    by: Principal = Depends(permit("wages:read")),
) -> HTMLResponse:
    """The KPI table per county for a month: closure rate against its target, on time,
    recovered."""
    code = lang(request)
    month = month or dt.date.today().strftime("%Y-%m")
    error = None
    rows: list[dict[str, Any]] = []
    with uow(request, immediate=False) as s:
        try:
            rows = complaints.kpis(s, month, by)
        except MinshengError as err:
            error = err
    for r in rows:
        r["county_name"] = _county(r["county"], code)
    return render(
        request,
        "wages/complaints/kpis.html",
        status=error.status if error else 200,
        f=FormState.of("", {"month": month}, error, ("month",)),
        rows=rows,
        month=month,
    )


def _case_page(
    request: Request,
    complaint_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    code, today = lang(request), dt.date.today()
    with uow(request) as s:
        view = complaints.read(s, complaint_id, by, today)
        record = complaints.get(s, complaint_id, by)
        offered = complaints.offered(s, record, by)
        history = complaints.history(s, record) if by.covers(record.division_code) else {}
    view["state_label"] = _states(code)[view["state"]]
    view["county_name"] = _county(view["county"], code)
    view["office_name"] = _county(view["received_division"] or "", code)
    steps = step_forms(
        offered,
        STEP_FIELDS,
        values,
        error,
        held=refusals(COMPLAINT, view["state"], by, history, offered),
    )
    closing = [(k, v) for k, v in OUTCOMES.items() if k not in ("withdrawn", "refused")]
    return render(
        request,
        "wages/complaints/case.html",
        status=error.status if error else 200,
        c=view,
        steps=steps,
        actions=ACTIONS,
        outcomes=OUTCOMES,
        closing=closing,
        today=today,
    )


@router.get("/wages/complaints/{complaint_id}", response_class=HTMLResponse)
def case_page(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> HTMLResponse:
    """One complaint: the worker, the facts, deadlines, history, and the steps open to you."""
    return _case_page(request, complaint_id, by)


@router.post("/wages/complaints/{complaint_id}/steps", response_class=HTMLResponse)
async def step(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> Response:
    values = posted(await request.form(), STEP_FIELDS)

    def work() -> None:
        today = dt.date.today()
        when = day(values.get("day", ""), "day", default=today, not_after=today)
        with uow(request) as s:
            complaints.act(
                s,
                complaint_id,
                values.get("action", ""),
                by,
                day=when or today,
                reason=values.get("reason") or None,
                outcome=values.get("outcome", ""),
                recovered=values.get("recovered") or None,
            )

    return await take(
        request,
        work,
        done=f"/wages/complaints/{complaint_id}",
        message="wg_complaint_step",
        again=lambda err: _case_page(request, complaint_id, by, values, err),
    )
