"""JSON API of employment services: job seekers (求职登记): registration from the
registry, profile, status history, re-confirmation.

The caseworker's desk (``employment:read`` to read and search, ``employment:write`` to register a
walk-in, edit, change the status, re-confirm): a seeker of another region answers 404 with the
body of a missing one. An ID number travels only in a POST body (registration, the search by ID
number), never in a URL. The citizen (``self:jobs``): ``/api/me/jobs/seeker`` — their own record,
opened from their signed-in identity on the first PUT (no ID number needed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_schemas import ProfileIn, RegisterIn, StatusIn
from minsheng.employment.seeker_views import page_of, seeker_out
from minsheng.fields import Code, SearchText
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
PER_PAGE = 50  # rows of a list answer: an engineering bound


@router.get("/employment/seekers")
def list_seekers(
    request: Request,
    q: SearchText | None = Query(default=None, description="words of the name or masked ID"),
    county: Code | None = Query(default=None, max_length=6),
    page: str | None = Query(default=None, max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """The seekers of the caller's region, newest first, 50 a page."""
    with uow(request, immediate=False) as s:
        rows, number, pages, total = page_of(s, by, q, county, page, PER_PAGE)
        return {
            "seekers": [seeker_out(s, e, lang=lang(request), person=p) for e, p in rows],
            "page": number,
            "pages": pages,
            "total": total,
        }


@router.post("/employment/seekers")
def register(
    data: RegisterIn,
    request: Request,
    response: Response,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Register a walk-in by ID number: 201 with the new record, or 200 with the existing one."""
    with uow(request) as s:
        seeker, opened = seeker_filing.register(s, data.id_number, by, dt.date.today())
        response.status_code = 201 if opened else 200
        return seeker_out(s, seeker, full=True, lang=lang(request))


@router.post("/employment/seekers/find")
def find(
    data: RegisterIn, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """The seeker with this ID number (sent in the body, never in the URL), or 404."""
    with uow(request, immediate=False) as s:
        return seeker_out(s, seekers.find_by_id(s, data.id_number, by), lang=lang(request))


@router.get("/employment/seekers/{seeker_id}")
def show(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """One seeker with the status history."""
    with uow(request, immediate=False) as s:
        return seeker_out(s, seekers.get_seeker(s, seeker_id, by), full=True, lang=lang(request))


@router.patch("/employment/seekers/{seeker_id}")
def update(
    seeker_id: PathId,
    data: ProfileIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Change the profile's fields the body sets."""
    with uow(request) as s:
        seeker = seekers.update_profile(s, seeker_id, data, by)
        return seeker_out(s, seeker, full=True, lang=lang(request))


@router.post("/employment/seekers/{seeker_id}/status")
def set_status(
    seeker_id: PathId,
    data: StatusIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """A new status from a day (today when left out), kept in the history."""
    with uow(request) as s:
        seeker = seekers.set_status(
            s, seeker_id, data.status, data.graduate_year, data.from_day, by, dt.date.today()
        )
        return seeker_out(s, seeker, full=True, lang=lang(request))


@router.post("/employment/seekers/{seeker_id}/confirm")
def confirm(
    seeker_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Re-confirm the seeker's interest (a lapsed record returns to the pool)."""
    with uow(request) as s:
        seeker = seekers.confirm(s, seeker_id, by, dt.date.today())
        return seeker_out(s, seeker, lang=lang(request))


# ------------------------------------------------------------------ the seeker


def _mine(s: Any, by: Principal) -> Any:
    return seekers.seeker_of_person(s, by.person_id) if by.person_id is not None else None


@router.get("/me/jobs/seeker")
def my_record(request: Request, by: Principal = Depends(permit("self:jobs"))) -> dict[str, Any]:
    """The signed-in citizen's own seeker record (``seeker`` null before they register)."""
    with uow(request, immediate=False) as s:
        mine = _mine(s, by)
        return {"seeker": seeker_out(s, mine, full=True, lang=lang(request)) if mine else None}


@router.put("/me/jobs/seeker")
def put_my_record(
    data: ProfileIn,
    request: Request,
    response: Response,
    by: Principal = Depends(permit("self:jobs")),
) -> dict[str, Any]:
    """Register (from the signed-in identity) if not yet, and set the profile's given fields."""
    with uow(request) as s:
        opened = _mine(s, by) is None
        seeker = seeker_filing.register_self(s, by, dt.date.today())
        seeker = seekers.update_profile(s, seeker.id, data, by)
        response.status_code = 201 if opened else 200
        return {"seeker": seeker_out(s, seeker, full=True, lang=lang(request))}


@router.post("/me/jobs/seeker/confirm")
def confirm_mine(request: Request, by: Principal = Depends(permit("self:jobs"))) -> dict[str, Any]:
    """The citizen re-confirms they are still looking (404 before they register)."""
    with uow(request) as s:
        mine = _mine(s, by)
        if mine is None:
            raise seekers.missing_seeker()
        seeker = seekers.confirm(s, mine.id, by, dt.date.today())
        return {"seeker": seeker_out(s, seeker, lang=lang(request))}
