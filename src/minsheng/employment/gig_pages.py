"""Pages of employment services, on the page kit: the digital gig market (数字零工市场):
short jobs, apply, check-in, completion, pay confirmed.

- ``/employment/gigs`` (caseworker, ``employment:read``): the region's gigs (paged, by state),
  the open pay disputes with their deadlines, the gigs taken down; a caseworker posts a gig for
  an individual employer; ``/employment/gigs/{id}``: the applicants by priority with the
  reasons, the poster's steps on an office-posted gig, the dispute settled, the take-down.
- ``/employment/employer/gigs`` (recruiter, ``employment:employer``): their employer's gigs and
  the post form (即时快招); ``/employment/employer/gigs/{id}``: accept, decline, completion, pay.
- ``/me/gigs`` (worker, ``self:jobs``, on a phone, in Chinese or Tibetan): open gigs by county
  (their own first), apply in one tap, their gigs with check-in and the pay to confirm.
- ``/jobs/gigs`` (anyone): the open gigs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions, statuses
from minsheng.core.errors import MinshengError
from minsheng.employment import gig_applications as apps
from minsheng.employment import gig_views as views
from minsheng.employment import gigs
from minsheng.employment.gig_workflow import GIG, POSTING
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash, steps
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit, public
from minsheng.webkit.pager import paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

POST_FIELDS = (
    "title", "occupation", "day_pay", "county", "address", "starts_on", "ends_on", "slots",
    "requirements", "poster_name",
)  # fmt: skip
STEP_FIELDS = ("action", "reason", "amount")
MAX_CHARS = 1000

flash.register("em_gig_posted", N_("The gig is published."))
flash.register("em_gig_step", N_("The step is recorded."))
flash.register("em_gig_applied", N_("You have applied. The employer will answer here."))

REASONS = {
    "older": N_("Older gig worker"),
    "senior": N_("Senior gig worker"),
    "difficult": N_("Difficult gig worker"),
}


def _label(labels: tuple[str, str, str], code: str) -> str:
    zh, bo, en = labels
    return {"zh": zh, "bo": bo or zh, "en": en}.get(code, zh)


def _words(code: str) -> dict[str, Any]:
    """State and step labels in the page's language (from the tables: zh, bo, en)."""
    return {
        "states": {s.name: _label(s.label, code) for s in GIG.states},
        "gig_states": {s.name: _label(s.label, code) for s in POSTING.states},
        "steps": {s.action: _label(s.label, code) for s in GIG.steps},
    }


def _reasons(reasons: list[str], code: str) -> list[str]:
    out = []
    for r in reasons:
        if r.startswith("status:"):
            out.append(statuses.label(r.split(":", 1)[1], code))
        else:
            out.append(REASONS.get(r, r))
    return out


def _counties(code: str) -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, c.name(code)) for c in divisions.counties()]


def _data(values: dict[str, str]) -> gigs.GigIn:
    return gigs.GigIn(
        title=values.get("title", ""),
        occupation=values.get("occupation", ""),
        day_pay=values.get("day_pay", ""),
        county=values.get("county", ""),
        address=values.get("address", ""),
        starts_on=values.get("starts_on", ""),
        ends_on=values.get("ends_on", ""),
        slots=values.get("slots", "1") or "1",
        requirements=values.get("requirements", ""),
        poster_name=values.get("poster_name", ""),
    )


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v[:MAX_CHARS] for k, v in form_values(await request.form(), names).items()}


# ------------------------------------------------------------------ the desks


def _desk(
    request: Request,
    by: Principal,
    office: bool,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    state: str = "",
    page: str = "",
) -> HTMLResponse:
    code, today = lang(request), dt.date.today()
    with uow(request, immediate=False) as s:
        rows = [views.gig_view(g, code) for g in views.listing(s, by, state)]
        disputes = [
            {**views.application_view(a), "title": g.title, "overdue": views.overdue(a, today)}
            for a, g in (views.disputes(s, by) if office else [])
        ]
    base = "/employment/gigs" if office else "/employment/employer/gigs"
    return render(
        request,
        "employment/gig/desk.html",
        status=error.status if error else 200,
        office=office,
        base=base,
        p=paginate(rows, page, base, {"state": state} if state else None),
        state=state,
        taken_down=[g for g in rows if g["state"] == "taken_down"],
        disputes=disputes,
        f=FormState.of("post", values or {}, error, POST_FIELDS),
        counties=_counties(code),
        can_post=by.can("employment:write") if office else True,
        today=today,
        **_words(code),
    )


@router.get("/employment/gigs", response_class=HTMLResponse)
def office_desk(
    request: Request,
    state: str = Query("", max_length=12),
    page: str = Query("", max_length=8),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """The region's gig market: gigs, pay disputes, take-downs."""
    return _desk(request, by, True, state=state, page=page)


@router.get("/employment/employer/gigs", response_class=HTMLResponse)
def employer_desk(
    request: Request,
    page: str = Query("", max_length=8),
    by: Principal = Depends(permit("employment:employer")),
) -> HTMLResponse:
    """The recruiter's gigs and the post form."""
    return _desk(request, by, False, page=page)


async def _post(request: Request, by: Principal, office: bool) -> Response:
    values = await _form(request, POST_FIELDS)

    def work() -> int:
        with uow(request) as s:
            return gigs.post(s, _data(values), by, dt.date.today()).id

    try:
        gid = await run_in_threadpool(work)
    except MinshengError as err:
        return _desk(request, by, office, values, err)
    base = "/employment/gigs" if office else "/employment/employer/gigs"
    return flash.redirect(f"{base}/{gid}", "em_gig_posted", request)


@router.post("/employment/gigs", response_class=HTMLResponse)
async def office_post(
    request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    return await _post(request, by, True)


@router.post("/employment/employer/gigs", response_class=HTMLResponse)
async def employer_post(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> Response:
    return await _post(request, by, False)


# ------------------------------------------------------------------ one gig


def _gig_page(
    request: Request,
    gig_id: int,
    by: Principal,
    office: bool,
    error: MinshengError | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    code, today = lang(request), dt.date.today()
    applicant = form.startswith("a") and form[1:].isdigit()
    with uow(request) as s:
        gig = gigs.get_gig(s, gig_id, by)
        view = views.gig_view(gig, code)
        flow = gigs.poster_flow(gig)
        people = views.applicants(s, gig, by, today)
        for x in people:
            x["reason_labels"] = _reasons(x["reasons"], code)
            x["offered"] = [
                a for a in flow.offered(x["state"], by) if a not in ("withdraw", "cancel")
            ]
            mine = form == f"a{x['application_id']}"  # this applicant's step failed
            x["steps"] = steps.step_forms(
                x["offered"],
                STEP_FIELDS,
                values if mine else None,
                error if mine else None,
                prefix=f"a{x['application_id']}",
            )
        history = [views.event_out(e) for e in views.events(s, gig.id)]
        closable = "close" in gigs.posting_flow(gig).offered(gig.state, by)
    base = "/employment/gigs" if office else "/employment/employer/gigs"
    apps_base = "/employment/" + ("gig-applications" if office else "employer/gig-applications")
    return render(
        request,
        "employment/gig/gig.html",
        status=error.status if error else 200,
        g=view,
        people=people,
        history=history,
        base=base,
        apps_base=apps_base,
        office=office,
        closable=closable,
        can_take_down=office and by.can("employment:run") and view["state"] != "taken_down",
        # the failed form as typed: an applicant's step shows its error in its own card
        f=FormState.of(form, values or {}, None if applicant else error, STEP_FIELDS),
        form=form,
        **_words(code),
    )


@router.get("/employment/gigs/{gig_id}", response_class=HTMLResponse)
def office_gig(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """A gig of the region: the applicants by priority, the steps, the take-down."""
    return _gig_page(request, gig_id, by, True)


@router.get("/employment/employer/gigs/{gig_id}", response_class=HTMLResponse)
def employer_gig(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """One of the employer's gigs: the applicants by priority, accept, done, pay."""
    return _gig_page(request, gig_id, by, False)


async def _gig_action(
    request: Request, gig_id: int, by: Principal, office: bool, what: str
) -> Response:
    values = await _form(request, ("reason",))

    def work() -> None:
        with uow(request) as s:
            if what == "take_down":
                gigs.take_down(s, gig_id, values.get("reason", ""), by, dt.date.today())
            else:
                gigs.close(s, gig_id, by, dt.date.today())

    base = "/employment/gigs" if office else "/employment/employer/gigs"
    return await steps.take(
        request,
        work,
        done=f"{base}/{gig_id}",
        message="em_gig_step",
        again=lambda err: _gig_page(request, gig_id, by, office, err, what, values),
    )


@router.post("/employment/gigs/{gig_id}/take-down", response_class=HTMLResponse)
async def office_take_down(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:run"))
) -> Response:
    return await _gig_action(request, gig_id, by, True, "take_down")


@router.post("/employment/gigs/{gig_id}/close", response_class=HTMLResponse)
async def office_close(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    return await _gig_action(request, gig_id, by, True, "close")


@router.post("/employment/employer/gigs/{gig_id}/close", response_class=HTMLResponse)
async def employer_close(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> Response:
    return await _gig_action(request, gig_id, by, False, "close")


async def _staff_step(
    request: Request, application_id: int, by: Principal, office: bool
) -> Response:
    values = await _form(request, STEP_FIELDS)

    def work() -> int:
        with uow(request) as s:
            a = apps.step(
                s,
                application_id,
                values.get("action", ""),
                by,
                dt.date.today(),
                values.get("reason"),
                values.get("amount"),
            )
            return a.gig_id

    def gig_of() -> int:
        with uow(request, immediate=False) as s:
            return apps.application_for(s, application_id, by)[1].id

    try:
        gid = await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        gid = await run_in_threadpool(gig_of)
        return _gig_page(request, gid, by, office, err, f"a{application_id}", values)
    base = "/employment/gigs" if office else "/employment/employer/gigs"
    return flash.redirect(f"{base}/{gid}", "em_gig_step", request)


@router.post("/employment/gig-applications/{application_id}/steps", response_class=HTMLResponse)
async def office_step(
    application_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    return await _staff_step(request, application_id, by, True)


@router.post(
    "/employment/employer/gig-applications/{application_id}/steps", response_class=HTMLResponse
)
async def employer_step(
    application_id: PathId,
    request: Request,
    by: Principal = Depends(permit("employment:employer")),
) -> Response:
    return await _staff_step(request, application_id, by, False)


# ------------------------------------------------------------------ the worker and the public


def _mine_page(
    request: Request,
    by: Principal,
    county: str = "",
    error: MinshengError | None = None,
    form: str = "",
) -> HTMLResponse:
    request.state.private = True
    code, today = lang(request), dt.date.today()
    with uow(request, immediate=False) as s:
        where = county or views.home_county(s, by)
        try:
            near = [views.gig_view(g, code) for g in views.open_gigs(s, today, where)]
        except MinshengError:
            where, near = "", []
        mine = []
        for a, g in views.mine(s, by):
            mine.append(
                {
                    **views.application_view(a),
                    "gig": views.gig_view(g, code),
                    "offered": [x for x in GIG.offered(a.state, by) if x != "dispute"],
                    "may_dispute": "dispute" in GIG.offered(a.state, by),
                    "today_is_a_gig_day": g.starts_on <= today <= g.ends_on,
                }
            )
    applied = {m["gig_id"]: m for m in mine}
    return render(
        request,
        "employment/gig/mine.html",
        status=error.status if error else 200,
        county=where,
        counties=_counties(code),
        near=near,
        applied=applied,
        mine=mine,
        f=FormState.of(form, {}, error, STEP_FIELDS),
        form=form,
        **_words(code),
    )


@router.get("/me/gigs", response_class=HTMLResponse)
def my_gigs(
    request: Request,
    county: str = Query("", max_length=6),
    by: Principal = Depends(permit("self:jobs")),
) -> HTMLResponse:
    """Gigs near me (by county), apply, my gigs with check-in and the pay to confirm."""
    return _mine_page(request, by, county)


@router.post("/me/gigs/{gig_id}/apply", response_class=HTMLResponse)
async def my_apply(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> Response:
    def work() -> None:
        with uow(request) as s:
            apps.apply(s, gig_id, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        return _mine_page(request, by, "", err, f"g{gig_id}")
    return flash.redirect("/me/gigs", "em_gig_applied", request)


@router.post("/me/gig-applications/{application_id}/steps", response_class=HTMLResponse)
async def my_step(
    application_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> Response:
    values = await _form(request, STEP_FIELDS)

    def work() -> None:
        with uow(request) as s:
            apps.step(
                s, application_id, values.get("action", ""), by, dt.date.today(),
                values.get("reason"),
            )  # fmt: skip

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        return _mine_page(request, by, "", err, f"a{application_id}")
    return flash.redirect("/me/gigs", "em_gig_step", request)


@router.get("/jobs/gigs", response_class=HTMLResponse)
def public_gigs(
    request: Request,
    county: str = Query("", max_length=6),
    by: Principal = Depends(public()),
) -> HTMLResponse:
    """The open gigs, for anyone (the gig market is free and public)."""
    code, today = lang(request), dt.date.today()
    with uow(request, immediate=False) as s:
        try:
            rows = [views.gig_view(g, code) for g in views.open_gigs(s, today, county)]
        except MinshengError:
            county, rows = "", []
    return render(
        request,
        "employment/gig/public.html",
        county=county,
        counties=_counties(code),
        near=rows,
        signed_in=by.kind == "citizen",
    )
