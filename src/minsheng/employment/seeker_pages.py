"""Pages of employment services, on the page kit: job seekers (求职登记): registration
from the registry, profile, status history, re-confirmation.

The caseworker (``employment:read``; ``employment:write`` to act): ``/employment/seekers`` — the
desk: search by name or masked ID (GET), find by ID number and register a walk-in by ID number
(both POST: the number never travels in a URL), the list of the region's seekers paged;
``/employment/seekers/{id}`` — the record, the profile form, the status with its history, the
re-confirmation.

The seeker (``self:jobs``), on a phone in Tibetan or Chinese: ``/me/jobs`` — register (with the
consent to be shown to employers), the profile, the status and the day to re-confirm by, the
re-confirm button. Recommendations are the match area's: ``seeker/mine.html`` has an empty
block ``recommendations`` for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core.errors import MinshengError
from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_forms import (
    MAX_CHARS,
    PROFILE_FIELDS,
    Refused,
    county_options,
    occupation_options,
    parse,
    values_of,
)
from minsheng.employment.seeker_models import EDUCATION, STATUSES
from minsheng.employment.seeker_views import (
    EDUCATION_LABELS,
    LANGUAGE_NAMES,
    PER_PAGE,
    STATE_LABELS,
    STATUS_LABELS,
    county_name,
    occupation_name,
    page_of,
    seeker_out,
)
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.i18n import gettext_for
from minsheng.webkit.pager import MAX_PAGE_CHARS, Page
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

STATUS_FIELDS = ("status", "graduate_year", "from_day")
ID_FIELDS = ("id_number",)

flash.register("em_seeker_registered", N_("The job seeker is registered."))
flash.register("em_seeker_existing", N_("This person is already registered: here is the record."))
flash.register("em_seeker_saved", N_("The profile is saved."))
flash.register("em_seeker_status", N_("The status is changed."))
flash.register("em_seeker_confirmed", N_("Interest re-confirmed: the record stays in the pool."))

LABELS = {
    "statuses": STATUS_LABELS,
    "states": STATE_LABELS,
    "educations": EDUCATION_LABELS,
    "language_names": LANGUAGE_NAMES,
}


def education_options(code: str) -> list[tuple[str, str]]:
    gettext = gettext_for(code).gettext
    return [("", "—")] + [(e, gettext(EDUCATION_LABELS[e])) for e in EDUCATION]


def _helpers(code: str) -> dict[str, Any]:
    return {
        **LABELS,
        "county_name": lambda c: county_name(c, code),
        "occupation_name": lambda c: occupation_name(c, code),
        "occupation_options": occupation_options(code),
        "county_options": county_options(code),
        "education_options": education_options(code),
        "status_options": [(s, "") for s in STATUSES],
    }


async def _posted(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    request.state.private = True
    return {k: v[:MAX_CHARS] for k, v in form_values(await request.form(), names).items()}


# ------------------------------------------------------------------ the caseworker's desk


def _desk(
    request: Request,
    by: Principal,
    q: str = "",
    county: str = "",
    page: str | None = None,
    find_error: MinshengError | None = None,
    register_error: MinshengError | None = None,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        found, number, pages, total = page_of(s, by, q, county, page)
        rows = [seeker_out(s, e, lang=code, person=p) for e, p in found]
    p = Page(
        items=rows,
        number=number,
        pages=pages,
        total=total,
        per_page=PER_PAGE,
        base="/employment/seekers",
        query=(("q", q), ("county", county)),
    )
    error = find_error or register_error
    return render(
        request,
        "employment/seeker/desk.html",
        status=error.status if error else 200,
        p=p,
        rows=rows,
        q=q,
        county=county,
        find=FormState.of("find", {}, find_error, ID_FIELDS),
        reg=FormState.of("reg", {}, register_error, ID_FIELDS),
        can_write=by.can("employment:write"),
        **_helpers(code),
    )


@router.get("/employment/seekers", response_class=HTMLResponse)
def desk(
    request: Request,
    q: str = Query("", max_length=100),
    county: str = Query("", max_length=6),
    page: str | None = Query(None, max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """The job seekers' desk: search, find by ID number, register a walk-in, the list."""
    return _desk(request, by, q.strip(), county.strip(), page)


@router.post("/employment/seekers/find", response_class=HTMLResponse)
async def find(request: Request, by: Principal = Depends(permit("employment:read"))) -> Response:
    values = await _posted(request, ID_FIELDS)

    def work() -> int:
        with uow(request, immediate=False) as s:
            return seekers.find_by_id(s, values.get("id_number", ""), by).id

    try:
        sid = await run_in_threadpool(work)
    except MinshengError as err:
        return _desk(request, by, find_error=err)
    return Response(status_code=303, headers={"Location": f"/employment/seekers/{sid}"})


@router.post("/employment/seekers", response_class=HTMLResponse)
async def register(
    request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    values = await _posted(request, ID_FIELDS)

    def work() -> tuple[int, bool]:
        with uow(request) as s:
            seeker, opened = seeker_filing.register(
                s, values.get("id_number", ""), by, dt.date.today()
            )
            return seeker.id, opened

    try:
        sid, opened = await run_in_threadpool(work)
    except MinshengError as err:
        return _desk(request, by, register_error=err)
    key = "em_seeker_registered" if opened else "em_seeker_existing"
    return flash.redirect(f"/employment/seekers/{sid}", key, request)


def _record(
    request: Request,
    seeker_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    rename: Any = None,
    status_values: dict[str, str] | None = None,
    status_error: MinshengError | None = None,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        view = seeker_out(s, seekers.get_seeker(s, seeker_id, by), full=True, lang=code)
    failed = error or status_error
    return render(
        request,
        "employment/seeker/record.html",
        status=failed.status if failed else 200,
        r=view,
        f=FormState.of("profile", values or values_of(view), error, PROFILE_FIELDS, rename),
        st=FormState.of(
            "status",
            status_values or {"status": view["status"], "graduate_year": view["graduate_year"]},
            status_error,
            STATUS_FIELDS,
        ),
        can_write=by.can("employment:write"),
        **_helpers(code),
    )


@router.get("/employment/seekers/{seeker_id}", response_class=HTMLResponse)
def record(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """One seeker: the record, the profile, the status and its history."""
    return _record(request, seeker_id, by)


async def _save_profile(
    request: Request,
    seeker_id: int | None,
    by: Principal,
    done: str,
    again: Callable[[dict[str, str], MinshengError, Any], HTMLResponse],
) -> Response:
    values = await _posted(request, PROFILE_FIELDS)

    def work() -> None:
        data, _ = parse(values)
        with uow(request) as s:
            sid = seeker_id
            if sid is None:
                sid = seeker_filing.register_self(s, by, dt.date.today()).id
            seekers.update_profile(s, sid, data, by)

    try:
        await run_in_threadpool(work)
    except Refused as refused:
        return again(values, refused.error, refused.rename)
    except MinshengError as err:
        return again(values, err, parse_rename(values))
    return flash.redirect(done, "em_seeker_saved", request)


def parse_rename(values: dict[str, str]) -> Any:
    try:
        return parse(values)[1]
    except Refused as refused:
        return refused.rename


@router.post("/employment/seekers/{seeker_id}/profile", response_class=HTMLResponse)
async def save_profile(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    return await _save_profile(
        request,
        seeker_id,
        by,
        f"/employment/seekers/{seeker_id}",
        lambda v, e, r: _record(request, seeker_id, by, v, e, r),
    )


@router.post("/employment/seekers/{seeker_id}/status", response_class=HTMLResponse)
async def change_status(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    values = await _posted(request, STATUS_FIELDS)

    def work() -> None:
        from minsheng.employment.seeker_forms import status_of

        status, year, day = status_of(values)
        with uow(request) as s:
            seekers.set_status(s, seeker_id, status, year, day, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _record(request, seeker_id, by, status_values=values, status_error=err)
    return flash.redirect(f"/employment/seekers/{seeker_id}", "em_seeker_status", request)


@router.post("/employment/seekers/{seeker_id}/confirm", response_class=HTMLResponse)
async def confirm(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    await _posted(request, ())

    def work() -> None:
        with uow(request) as s:
            seekers.confirm(s, seeker_id, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _record(request, seeker_id, by, status_error=err)
    return flash.redirect(f"/employment/seekers/{seeker_id}", "em_seeker_confirmed", request)


# ------------------------------------------------------------------ the seeker's phone page


def _mine(
    request: Request,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    rename: Any = None,
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    with uow(request, immediate=False) as s:
        found = seekers.seeker_of_person(s, by.person_id) if by.person_id is not None else None
        view = seeker_out(s, found, full=True, lang=code) if found else None
    start = values or (values_of(view) if view else {"lang_bo": "on" if code == "bo" else ""})
    return render(
        request,
        "employment/seeker/mine.html",
        status=error.status if error else 200,
        r=view,
        f=FormState.of("profile", start, error, PROFILE_FIELDS, rename),
        **_helpers(code),
    )


@router.get("/me/jobs", response_class=HTMLResponse)
def mine(request: Request, by: Principal = Depends(permit("self:jobs"))) -> HTMLResponse:
    """My job search: register, the profile, the status, when to re-confirm."""
    return _mine(request, by)


@router.post("/me/jobs/profile", response_class=HTMLResponse)
async def save_mine(request: Request, by: Principal = Depends(permit("self:jobs"))) -> Response:
    """Register (the first time) and save the profile, the consent with it."""
    return await _save_profile(
        request, None, by, "/me/jobs", lambda v, e, r: _mine(request, by, v, e, r)
    )


@router.post("/me/jobs/confirm", response_class=HTMLResponse)
async def confirm_mine(request: Request, by: Principal = Depends(permit("self:jobs"))) -> Response:
    await _posted(request, ())

    def work() -> None:
        with uow(request) as s:
            found = seekers.seeker_of_person(s, by.person_id) if by.person_id else None
            if found is None:
                raise seekers.missing_seeker()
            seekers.confirm(s, found.id, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _mine(request, by, error=err)
    return flash.redirect("/me/jobs", "em_seeker_confirmed", request)
