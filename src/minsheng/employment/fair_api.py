"""JSON API of employment services: job fairs (招聘会): booths, allocation, on-site
check-in, interviews, the report.

The organiser's work needs ``employment:write`` (a caseworker or supervisor whose region covers
the fair's county; reads ``employment:read``); the employer's booth application and interview
records need ``employment:employer`` (a recruiter, for the employer it acts for); the seeker's
QR pass needs ``self:jobs``. A fair outside the caller's region answers 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from minsheng.db import is_sqlite
from minsheng.employment import fair_booths, fair_checkin, fair_report, fairs
from minsheng.employment.fair_models import FAIR_STATES, EmFair
from minsheng.employment.fair_schemas import (
    ApplicationIn,
    BoothsIn,
    CancelIn,
    CheckinIn,
    DecisionIn,
    FairIn,
    InterviewIn,
    MoveIn,
)
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
MAX_LIST = 200


def detail(s: Any, fair: EmFair) -> dict[str, Any]:
    out = fairs.fair_out(fair)
    out["booths"] = [fairs.booth_out(b) for b in fairs.booths_of(s, fair.id)]
    out["applications"] = [
        fair_booths.application_out(a, n) for a, n in fair_booths.applications_of(s, fair.id)
    ]
    out["live"] = fair_report.live(s, fair)
    return out


@router.get("/employment/fairs")
def list_fairs(
    request: Request,
    state: str | None = Query(default=None, max_length=12),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """The fairs of the caller's region, the latest first (at most 200)."""
    with uow(request, immediate=False) as s:
        query = fairs.visible(select(EmFair), by).order_by(
            EmFair.starts_on.desc(), EmFair.id.desc()
        )
        if state in FAIR_STATES:
            query = query.where(EmFair.state == state)
        moment = fairs.now()
        return {"fairs": [fairs.fair_out(f, moment) for f in s.scalars(query.limit(MAX_LIST))]}


@router.post("/employment/fairs", status_code=201)
def create_fair(
    data: FairIn, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Plan a fair with its booths."""
    with uow(request) as s:
        fair = fairs.create_fair(s, data, by, fairs.local(fairs.now()).date())
        return detail(s, fair)


@router.get("/employment/fairs/{fair_id}")
def show_fair(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """A fair with its booths, applications and live counts."""
    with uow(request, immediate=False) as s:
        return detail(s, fairs.get_fair(s, fair_id, by))


@router.post("/employment/fairs/{fair_id}/booths", status_code=201)
def add_booths(
    fair_id: PathId,
    data: BoothsIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Add booths of one class."""
    with uow(request) as s:
        rows = fairs.add_booths(s, fair_id, data.klass, data.count, by)
        return {"booths": [fairs.booth_out(b) for b in rows]}


@router.post("/employment/fairs/{fair_id}/open")
def open_fair(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Open the fair for employers' booth applications."""
    with uow(request) as s:
        return fairs.fair_out(fairs.open_applications(s, fair_id, by))


@router.post("/employment/fairs/{fair_id}/cancel")
def cancel_fair(
    fair_id: PathId,
    data: CancelIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Cancel a fair that is not over, with the reason (check-ins refused from then on)."""
    with uow(request) as s:
        return fairs.fair_out(fairs.cancel_fair(s, fair_id, data.reason, by, fairs.now()))


@router.post("/employment/fairs/{fair_id}/applications", status_code=201)
def apply(
    fair_id: PathId,
    data: ApplicationIn,
    request: Request,
    by: Principal = Depends(permit("employment:employer")),
) -> dict[str, Any]:
    """The recruiter's employer applies for a booth with its published vacancies."""
    with uow(request) as s:
        return fair_booths.application_out(fair_booths.apply(s, fair_id, data, by))


@router.post("/employment/fair-applications/{application_id}/decision")
def decide(
    application_id: PathId,
    data: DecisionIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Accept or refuse a booth application."""
    with uow(request) as s:
        return fair_booths.application_out(fair_booths.decide(s, application_id, data, by))


@router.post("/employment/fairs/{fair_id}/allocation")
def allocate(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Allocate the booths to the accepted applications."""
    with uow(request) as s:
        plan = fair_booths.allocate(s, fair_id, by)
        return {
            "seats": {str(k): v for k, v in plan.seats.items()},
            "unplaced": list(plan.unplaced),
        }


@router.post("/employment/fair-applications/{application_id}/booth")
def move(
    application_id: PathId,
    data: MoveIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Move an employer to another free booth by hand."""
    with uow(request) as s:
        return fair_booths.application_out(fair_booths.move(s, application_id, data.booth_id, by))


@router.post("/employment/fairs/{fair_id}/checkins")
def checkin(
    fair_id: PathId,
    data: CheckinIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> Any:
    """Check a visitor in at the entrance (201 the first time, 200 a repeat)."""
    # On SQLite the check-ins of every desk queue on the one write lock, so it is held only for
    # the writing: the fair, the visitor and a repeat swipe are read before it (a repeat is
    # answered without it), the booths to visit after the commit. PostgreSQL locks rows, not
    # the database: there the check-in is one transaction (two round trips fewer each way).
    moment = fairs.now()
    with uow(request, immediate=False) as s:
        arrival = fair_checkin.arrive(s, fair_id, data, by, moment)
        one = not is_sqlite(s.get_bind()) and arrival.existing is None
        if one:
            result = fair_checkin.checkin(s, fair_id, data, by, moment, arrival=arrival)
            body = fair_checkin.checkin_out(result)
    if not one:
        if arrival.existing is not None:
            result = fair_checkin.CheckinResult(arrival.existing, False, arrival.person)
        else:
            with uow(request) as s:
                result = fair_checkin.checkin(
                    s, fair_id, data, by, moment, recommend=False, arrival=arrival
                )
        with uow(request, immediate=False) as s:
            result.booths = fair_checkin.recommended(s, arrival.fair, result, moment)
            body = fair_checkin.checkin_out(result)
    return JSONResponse(body, status_code=201 if result.created else 200)


@router.post("/employment/fairs/{fair_id}/interviews")
def interview(
    fair_id: PathId,
    data: InterviewIn,
    request: Request,
    by: Principal = Depends(permit("employment:employer")),
) -> dict[str, Any]:
    """Record an interview or intention at the recruiter's booth."""
    with uow(request) as s:
        row, _ = fair_report.record_interview(s, fair_id, data, by, fairs.now())
        return fair_report.interview_out(row)


@router.get("/employment/fairs/{fair_id}/report")
def report(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """Visitors, employers, posts, interviews, intentions and the hires filed after."""
    with uow(request, immediate=False) as s:
        return fair_report.report(s, fair_id, by)


@router.get("/me/jobs/fairs/{fair_id}/pass")
def my_pass(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> dict[str, Any]:
    """The signed-in seeker's short-lived QR pass for a fair."""
    with uow(request, immediate=False) as s:
        fair = fairs.get_fair(s, fair_id, by)
        assert by.person_id is not None
        token, expires = fair_checkin.issue_pass(fair, by.person_id, fairs.now())
        return {"token": token, "expires_at": expires.isoformat(timespec="seconds")}
