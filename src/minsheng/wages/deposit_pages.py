"""Pages of wage deposits and the blacklist, on the page kit.

- ``/wages/projects/{id}/deposit``: the project's deposit panel on the desk — the assessment
  (rate, amount or exemption), the form and the deadlines (overdue flagged), the ledger, and
  the forms the state and the caller allow (assess, lodge, draw, top up, notice, return).
- ``/wages/blacklist``: the blacklist desk — the region's listings and the proposal form;
  ``/wages/blacklist/{id}``: one listing, its history and the steps open to the caller
  (maker–checker: the engine refuses the proposer's or requester's own decision).
- ``/public/wages/blacklist``: the public list (no sign-in): firm, credit code, reason, dates.

Refused posts answer the page again with the form as typed and the error by its field;
done ones redirect with a one-time message (post–redirect–get).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer
from minsheng.wages import blacklist, deposits
from minsheng.wages.access import get_project
from minsheng.wages.blacklist_workflow import BLACKLIST
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit, public
from minsheng.webkit.pager import MAX_PAGE_CHARS, matches, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

DEPOSIT_FIELDS = ("action", "form", "amount", "bank", "guarantee_no", "expires_on", "reference")
PROPOSE_FIELDS = ("project_id", "credit_code", "owed", "incident", "facts", "reference")
STEP_FIELDS = ("action", "reason", "put_right_on", "pledge")
MAX_CHARS = 400
MAX_OWED_LINES = 2000

STATES = {
    "due": N_("Due"),
    "exempt": N_("Exempt"),
    "lodged": N_("Lodged"),
    "notice": N_("Return notice"),
    "returned": N_("Returned"),
}
BANDS = {
    "exempt": N_("Exempt"),
    "lower": N_("Lower rate (clean record)"),
    "base": N_("Base rate"),
    "higher": N_("Higher rate (recent arrears)"),
}
KINDS = {
    "lodge": N_("Lodged"),
    "draw": N_("Drawn for arrears"),
    "top_up": N_("Topped up"),
    "return": N_("Returned"),
}
FORMS = {"cash": N_("Cash"), "guarantee": N_("Bank guarantee")}
OVERDUE = {
    "lodge": N_("Not lodged by its deadline"),
    "top_up": N_("Not topped up by its deadline"),
    "guarantee": N_("The bank guarantee has expired"),
    "return": N_("Not returned by its deadline"),
}
LISTING_STATES = {
    "draft": N_("Draft"),
    "proposed": N_("Proposed"),
    "listed": N_("Listed"),
    "removal_requested": N_("Early removal requested"),
    "removed": N_("Removed early"),
    "ended": N_("Term ended"),
    "rejected": N_("Not listed"),
}
REASONS = {
    "one_worker": N_("Arrears to one worker at the threshold"),
    "many_workers": N_("Arrears to many workers at the threshold"),
    "incident": N_("A mass or extreme incident caused by arrears"),
}
STEPS = {
    "approve": N_("Approve the listing"),
    "reject": N_("Reject the proposal"),
    "request_removal": N_("Enter a request for early removal"),
    "approve_removal": N_("Approve early removal"),
    "refuse_removal": N_("Refuse early removal"),
    "end": N_("End the listing at its term"),
}

flash.register("wg_deposit_done", N_("The deposit is updated."))
flash.register("wg_listing_proposed", N_("The listing is proposed."))
flash.register("wg_listing_step", N_("The step is recorded."))


def _values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v[:MAX_CHARS].strip() for k, v in form_values(form, names).items()}


def _date(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            field, "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


# ------------------------------------------------------------------ the deposit panel


def _deposit_page(
    request: Request,
    project_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        project = get_project(s, project_id, by)
        dep = deposits.deposit_of(s, project_id, by)
        view = deposits.deposit_out(dep, today) if dep else None
        rows = [deposits.entry_out(e) for e in deposits.entries(s, dep)] if dep else []
        name = project.name
    offered: list[str] = []
    if view is None:
        offered.append("assess")
    else:
        st = view["state"]
        if st == "due":
            offered.append("lodge")
        if st in ("lodged", "notice") and (by.can("wages:inspect") or by.kind == "system"):
            offered.append("draw")
        if st == "lodged" and view["balance"] < view["required"]:
            offered.append("top_up")
        if st == "lodged":
            offered.append("notice")
        if st == "notice" and (by.can("wages:run") or by.kind == "system"):
            offered.append("return")
    failed = (values or {}).get("action", "")
    forms = {
        a: FormState.of(
            f"dep-{a}",
            values if a == failed else None,
            error if a == failed else None,
            DEPOSIT_FIELDS,
        )
        for a in offered
    }
    general = FormState.of("dep", values, error, DEPOSIT_FIELDS) if error else None
    return render(
        request,
        "wages/deposits/panel.html",
        status=error.status if error else 200,
        project_id=project_id,
        project_name=name,
        d=view,
        entries=rows,
        forms=forms,
        general=general,
        fmt=money.fmt,
        states=STATES,
        bands=BANDS,
        kinds=KINDS,
        deposit_forms=FORMS,
        overdue_labels=OVERDUE,
    )


@router.get("/wages/projects/{project_id}/deposit", response_class=HTMLResponse)
def deposit_page(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> HTMLResponse:
    """The project's deposit: assessment, deadlines, ledger and the steps open to you."""
    return _deposit_page(request, project_id, by)


@router.post("/wages/projects/{project_id}/deposit", response_class=HTMLResponse)
async def deposit_post(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> Response:
    values = _values(await request.form(), DEPOSIT_FIELDS)

    def work() -> None:
        action, today = values.get("action", ""), dt.date.today()
        with uow(request) as s:
            if action == "assess":
                deposits.assess(s, project_id, by, today)
            elif action == "lodge":
                deposits.lodge(
                    s,
                    project_id,
                    form=values.get("form", ""),
                    amount=values.get("amount", ""),
                    bank=values.get("bank", ""),
                    guarantee_no=values.get("guarantee_no") or None,
                    expires_on=_date(values.get("expires_on", ""), "expires_on"),
                    by=by,
                    today=today,
                )
            elif action == "draw":
                deposits.draw(
                    s,
                    project_id,
                    amount=values.get("amount", ""),
                    reference=values.get("reference", ""),
                    by=by,
                    today=today,
                )
            elif action == "top_up":
                deposits.top_up(s, project_id, amount=values.get("amount", ""), by=by, today=today)
            elif action == "notice":
                deposits.open_notice(s, project_id, by=by, today=today)
            elif action == "return":
                deposits.return_deposit(s, project_id, by=by, today=today)
            else:
                raise invalid("action", "choice", "未知的操作", "unknown action", "བྱ་སྤྱོད་མི་ཤེས།")

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _deposit_page(request, project_id, by, values, err)
    return flash.redirect(f"/wages/projects/{project_id}/deposit", "wg_deposit_done", request)


# ------------------------------------------------------------------ the blacklist desk


def _desk(
    request: Request,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    page: str = "1",
    state: str = "",
) -> HTMLResponse:
    request.state.private = True
    state = state if state in LISTING_STATES else ""
    with uow(request, immediate=False) as s:
        listings = paginate(
            blacklist.queue(s, by, state or None),
            page,
            "/wages/blacklist",
            {"state": state} if state else {},
        )
        ids = [rec.employer_id for rec in listings.items]
        names = dict(
            s.execute(select(Employer.id, Employer.name).where(Employer.id.in_(ids or [0]))).all()
        )
        rows = [
            {**blacklist.listing_out(rec), "firm": names.get(rec.employer_id, "")}
            for rec in listings.items
        ]
    return render(
        request,
        "wages/deposits/blacklist.html",
        status=error.status if error else 200,
        rows=rows,
        listings=listings,
        state=state,
        f=FormState.of("bl", values, error, PROPOSE_FIELDS),
        can_propose=by.can("wages:inspect") or by.kind == "system",
        states=LISTING_STATES,
        reasons=REASONS,
        fmt=money.fmt,
    )


@router.get("/wages/blacklist", response_class=HTMLResponse)
def blacklist_desk(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    state: str = Query("", max_length=20),
    by: Principal = Depends(permit("wages:read")),
) -> HTMLResponse:
    """The region's listings (newest first, a state to filter by, 25 a page) and the
    proposal form."""
    return _desk(request, by, page=page, state=state)


def _owed(raw: str) -> list[tuple[int, str]]:
    """One worker a line: ``months, amount`` (``3, 6000.00``)."""
    out = []
    lines = [ln for ln in raw.replace("，", ",").splitlines() if ln.strip()]
    if len(lines) > MAX_OWED_LINES:
        raise invalid("owed", "too_many", "行数过多", "too many lines")
    for i, line in enumerate(lines, 1):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) > 3:
            raise invalid(
                "owed",
                "line",
                f"第{i}行应为“月数, 金额”",
                f"line {i} is “months, amount”",
                f"ཐིག་{i} ནོར།",
            )
        out.append((int(parts[0]), parts[1]))
    return out


@router.post("/wages/blacklist", response_class=HTMLResponse)
async def blacklist_propose(
    request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> Response:
    values = _values(await request.form(), PROPOSE_FIELDS)
    # the owed lines may be longer than one value's bound
    raw_owed = (await request.form()).get("owed", "")
    values["owed"] = raw_owed[:40_000] if isinstance(raw_owed, str) else ""
    done: dict[str, int] = {}

    def work() -> None:
        from sqlalchemy import select

        pid = values.get("project_id", "")
        if not pid.isdigit() or len(pid) > 9:
            raise invalid("project_id", "number", "请填写工程项目编号（数字）", "a project id")
        with uow(request) as s:
            code = values.get("credit_code", "")
            employer = s.scalar(select(Employer.id).where(Employer.credit_code == code[:18]))
            if employer is None or len(code) != 18:
                raise invalid(
                    "credit_code",
                    "unknown",
                    "没有这个统一社会信用代码的单位",
                    "no firm with this credit code",
                    "ཚོང་ཁང་འདི་མེད།",
                )
            rec = blacklist.propose(
                s,
                employer_id=employer,
                project_id=int(pid),
                owed=_owed(values.get("owed", "")),
                incident=values.get("incident") == "on",
                facts=values.get("facts", ""),
                reference=values.get("reference") or None,
                by=by,
                today=dt.date.today(),
            )
            done["id"] = rec.id

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _desk(request, by, values, err)
    return flash.redirect(f"/wages/blacklist/{done['id']}", "wg_listing_proposed", request)


def _listing_page(
    request: Request,
    listing_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    from sqlalchemy import select

    from minsheng.wages.deposit_models import WgBlacklistEvent

    with uow(request, immediate=False) as s:
        rec = blacklist.load_listing(s, listing_id, by)
        firm = s.get(Employer, rec.employer_id)
        view = {
            **blacklist.listing_out(rec),
            "firm": firm.name if firm else "",
            "credit_code": firm.credit_code if firm else "",
        }
        events = s.scalars(
            select(WgBlacklistEvent)
            .where(WgBlacklistEvent.listing_id == rec.id)
            .order_by(WgBlacklistEvent.id)
        ).all()
        offered = BLACKLIST.offered(rec.state, by, blacklist.history(s, rec))
    failed = (values or {}).get("action", "")
    forms = {
        a: FormState.of(
            f"step-{a}",
            values if a == failed else None,
            error if a == failed else None,
            STEP_FIELDS,
        )
        for a in offered
    }
    general = FormState.of("step", values, error, STEP_FIELDS) if error else None
    return render(
        request,
        "wages/deposits/listing.html",
        status=error.status if error else 200,
        r=view,
        events=events,
        forms=forms,
        general=general,
        steps=STEPS,
        states=LISTING_STATES,
        reasons=REASONS,
        fmt=money.fmt,
    )


@router.get("/wages/blacklist/{listing_id}", response_class=HTMLResponse)
def listing_page(
    listing_id: PathId, request: Request, by: Principal = Depends(permit("wages:read"))
) -> HTMLResponse:
    return _listing_page(request, listing_id, by)


@router.post("/wages/blacklist/{listing_id}/steps", response_class=HTMLResponse)
async def listing_step(
    listing_id: PathId, request: Request, by: Principal = Depends(permit("wages:write"))
) -> Response:
    values = _values(await request.form(), STEP_FIELDS)

    def work() -> None:
        action, today = values.get("action", ""), dt.date.today()
        reason = values.get("reason") or None
        with uow(request) as s:
            if action == "approve":
                blacklist.approve(s, listing_id, by=by, today=today)
            elif action == "reject":
                blacklist.reject(s, listing_id, reason=reason or "", by=by, today=today)
            elif action == "request_removal":
                put_right = _date(values.get("put_right_on", ""), "put_right_on")
                if put_right is None:
                    raise invalid("put_right_on", "required", "请填写纠正日期", "give the date")
                blacklist.request_removal(
                    s,
                    listing_id,
                    put_right_on=put_right,
                    pledge=values.get("pledge", ""),
                    by=by,
                    today=today,
                )
            elif action in ("approve_removal", "refuse_removal"):
                blacklist.decide_removal(
                    s,
                    listing_id,
                    approve_it=action == "approve_removal",
                    reason=reason,
                    by=by,
                    today=today,
                )
            elif action == "end":
                rec = blacklist.load_listing(s, listing_id, by)
                if (
                    rec.until is None
                    or rec.until > today
                    or rec.id not in blacklist.end_expired(s, by=by, today=today)
                ):
                    raise invalid("action", "not_due", "名单期限未满", "the term is not over")
            else:
                raise invalid("action", "choice", "未知的操作", "unknown action", "བྱ་སྤྱོད་མི་ཤེས།")

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _listing_page(request, listing_id, by, values, err)
    return flash.redirect(f"/wages/blacklist/{listing_id}", "wg_listing_step", request)


# ------------------------------------------------------------------ the public list


@router.get("/public/wages/blacklist", response_class=HTMLResponse)
def public_list(
    request: Request,
    q: str = Query("", max_length=64),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(public()),
) -> HTMLResponse:
    """The listings in force today, for everyone: firm, credit code, reason, dates — searched
    by firm name or credit code ("is this firm listed?"), 25 a page."""
    with uow(request, immediate=False) as s:
        rows = blacklist.public_listings(s, dt.date.today())
    q = q.strip()
    found = [r for r in rows if matches(q, r["firm"], r["credit_code"])] if q else rows
    return render(
        request,
        "wages/deposits/public.html",
        rows=paginate(found, page, "/public/wages/blacklist", {"q": q} if q else {}),
        q=q,
        reasons=REASONS,
    )
