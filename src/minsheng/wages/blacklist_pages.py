"""Pages of the arrears blacklist (失信联合惩戒名单), on the page kit.

- ``/wages/blacklist``: the blacklist desk — the region's listings and the proposal form;
  ``/wages/blacklist/{id}``: one listing, its history and the steps open to the caller
  (maker–checker: the engine refuses the proposer's or requester's own decision).
- ``/public/wages/blacklist``: the public list (no sign-in): firm, credit code, reason, dates.

Refused posts answer the page again with the form as typed and the error by its field;
done ones redirect with a one-time message (post–redirect–get).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer
from minsheng.wages import blacklist
from minsheng.wages.blacklist_workflow import BLACKLIST
from minsheng.webkit import flash
from minsheng.webkit import steps as steps_kit
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit, public
from minsheng.webkit.pager import MAX_PAGE_CHARS, matches, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

PROPOSE_FIELDS = ("project_id", "credit_code", "owed", "incident", "facts", "reference")
STEP_FIELDS = ("action", "reason", "put_right_on", "pledge")
MAX_OWED_LINES = 2000
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

flash.register("wg_listing_proposed", N_("The listing is proposed."))
flash.register("wg_listing_step", N_("The step is recorded."))


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
    values = steps_kit.posted(await request.form(), PROPOSE_FIELDS)
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
        history = blacklist.history(s, rec)
        offered = list(BLACKLIST.offered(rec.state, by, history))
    today = dt.date.today()
    held = steps_kit.refusals(BLACKLIST, rec.state, by, history, offered)
    if "end" in offered and (rec.until is None or rec.until > today):
        offered.remove("end")  # the service refuses it before the term is over: say when
        held.append(
            steps_kit.held(
                "end",
                "名单期限未满",
                "the term is not over",
                "དུས་ཚོད་མ་ཚང་།",
                until=rec.until,
            )
        )
    steps = steps_kit.step_forms(offered, STEP_FIELDS, values, error, held=held)
    return render(
        request,
        "wages/deposits/listing.html",
        status=error.status if error else 200,
        r=view,
        events=events,
        steps=steps,
        labels=STEPS,
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
    values = steps_kit.posted(await request.form(), STEP_FIELDS)

    def work() -> None:
        action, today = values.get("action", ""), dt.date.today()
        reason = values.get("reason") or None
        with uow(request) as s:
            if action == "approve":
                blacklist.approve(s, listing_id, by=by, today=today)
            elif action == "reject":
                blacklist.reject(s, listing_id, reason=reason or "", by=by, today=today)
            elif action == "request_removal":
                put_right = steps_kit.day(values.get("put_right_on", ""), "put_right_on")
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

    return await steps_kit.take(
        request,
        work,
        done=f"/wages/blacklist/{listing_id}",
        message="wg_listing_step",
        again=lambda err: _listing_page(request, listing_id, by, values, err),
    )


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
