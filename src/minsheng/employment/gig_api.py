"""JSON API of employment services: the digital gig market (数字零工市场): short jobs,
apply, check-in, completion, pay confirmed.

- ``/api/employment/gigs`` (``employment:read``/``:write``/``:run``): the region's gigs and pay
  disputes; a caseworker posts a gig for an individual employer and takes its poster's steps;
  settles a dispute; a supervisor takes a gig down with a reason.
- ``/api/employment/employer/gigs`` (``employment:employer``): a recruiter's gigs (their
  employer's only), the applicants in the order of priority with the reasons, accept, decline,
  completion, the pay recorded.
- ``/api/me/gigs`` (``self:jobs``): open gigs in a county (the worker's own by default), one-tap
  apply (twice is one application), the worker's applications and their steps: withdraw,
  check in, confirm or dispute the pay.
- ``/api/jobs/gigs`` (public): the open gigs, free to read (the gig market is public-interest).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from minsheng.employment import gig_applications as apps
from minsheng.employment import gig_views as views
from minsheng.employment import gigs
from minsheng.employment.gig_models import EmGig
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit, public

router = APIRouter(prefix="/api", tags=["employment 就业服务"])


class GigBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=400)
    occupation: str = Field(max_length=16, description="a code of the 2022 classification")
    day_pay: str = Field(max_length=24, description="yuan a day")
    county: str = Field(max_length=6)
    address: str = Field(max_length=800)
    starts_on: dt.date
    ends_on: dt.date | None = None
    slots: int = Field(default=1, ge=1, le=100_000)
    requirements: str = Field(default="", max_length=4000)


class OfficeGigBody(GigBody):
    poster_name: str = Field(max_length=400, description="the individual employer")


class StepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=24)
    reason: str | None = Field(default=None, max_length=1600)
    amount: str | None = Field(default=None, max_length=24, description="yuan")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=1600)


def _data(body: GigBody, poster: str = "") -> gigs.GigIn:
    return gigs.GigIn(
        title=body.title,
        occupation=body.occupation,
        day_pay=body.day_pay,
        county=body.county,
        address=body.address,
        starts_on=body.starts_on,
        ends_on=body.ends_on or "",
        slots=body.slots,
        requirements=body.requirements,
        poster_name=poster,
    )


def _whole(s: Session, gig: EmGig, by: Principal, today: dt.date) -> dict[str, Any]:
    return {
        **views.gig_view(gig),
        "applicants": views.applicants(s, gig, by, today),
        "events": [views.event_out(e) for e in views.events(s, gig.id)],
    }


def _disputes(s: Session, by: Principal, today: dt.date) -> list[dict[str, Any]]:
    return [
        {**views.application_view(a), "title": g.title, "overdue": views.overdue(a, today)}
        for a, g in views.disputes(s, by)
    ]


# ------------------------------------------------------------------ the office


@router.get("/employment/gigs")
def office_gigs(
    request: Request,
    state: str = Query("", max_length=12),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """The gigs of the caller's region and the open pay disputes (earliest deadline first)."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        return {
            "gigs": [views.gig_view(g) for g in views.listing(s, by, state)],
            "disputes": _disputes(s, by, today),
        }


@router.post("/employment/gigs", status_code=201)
def office_post(
    body: OfficeGigBody, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Post a gig for an individual employer (``poster_name``)."""
    with uow(request) as s:
        return views.gig_view(gigs.post(s, _data(body, body.poster_name), by, dt.date.today()))


@router.get("/employment/gigs/{gig_id}")
def office_gig(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """A gig of the region, its applicants by priority (with the reasons) and its history."""
    with uow(request) as s:
        return _whole(s, gigs.get_gig(s, gig_id, by), by, dt.date.today())


@router.post("/employment/gigs/{gig_id}/close")
def office_close(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> dict[str, Any]:
    """Stop taking applicants for a gig the office posted."""
    with uow(request) as s:
        return views.gig_view(gigs.close(s, gig_id, by, dt.date.today()))


@router.post("/employment/gigs/{gig_id}/take-down")
def office_take_down(
    gig_id: PathId,
    body: ReasonBody,
    request: Request,
    by: Principal = Depends(permit("employment:run")),
) -> dict[str, Any]:
    """A supervisor takes a gig down, with the reason; applications not worked are cancelled."""
    with uow(request) as s:
        return views.gig_view(gigs.take_down(s, gig_id, body.reason, by, dt.date.today()))


@router.post("/employment/gig-applications/{application_id}/steps")
def office_step(
    application_id: PathId,
    body: StepBody,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """A poster's step on an office-posted gig's application, or a dispute settled."""
    with uow(request) as s:
        a = apps.step(s, application_id, body.action, by, dt.date.today(), body.reason, body.amount)
        return views.application_view(a)


# ------------------------------------------------------------------ the employer's recruiter


@router.get("/employment/employer/gigs")
def employer_gigs(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> dict[str, Any]:
    """The gigs of the employer the recruiter acts for (none when unbound)."""
    with uow(request, immediate=False) as s:
        return {"gigs": [views.gig_view(g) for g in views.listing(s, by)]}


@router.post("/employment/employer/gigs", status_code=201)
def employer_post(
    body: GigBody, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> dict[str, Any]:
    """Post a gig for the recruiter's employer (即时快招); refused when it breaks a rule."""
    with uow(request) as s:
        return views.gig_view(gigs.post(s, _data(body), by, dt.date.today()))


@router.get("/employment/employer/gigs/{gig_id}")
def employer_gig(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> dict[str, Any]:
    """One of the employer's gigs, the applicants by priority with the reasons."""
    with uow(request) as s:
        return _whole(s, gigs.get_gig(s, gig_id, by), by, dt.date.today())


@router.post("/employment/employer/gigs/{gig_id}/close")
def employer_close(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> dict[str, Any]:
    """Stop taking applicants."""
    with uow(request) as s:
        return views.gig_view(gigs.close(s, gig_id, by, dt.date.today()))


@router.post("/employment/employer/gig-applications/{application_id}/steps")
def employer_step(
    application_id: PathId,
    body: StepBody,
    request: Request,
    by: Principal = Depends(permit("employment:employer")),
) -> dict[str, Any]:
    """Accept (up to the slots), decline, mark done, record the pay."""
    with uow(request) as s:
        a = apps.step(s, application_id, body.action, by, dt.date.today(), body.reason, body.amount)
        return views.application_view(a)


# ------------------------------------------------------------------ the worker and the public


@router.get("/me/gigs")
def my_gigs(
    request: Request,
    county: str = Query("", max_length=6),
    by: Principal = Depends(permit("self:jobs")),
) -> dict[str, Any]:
    """Open gigs in ``county`` (default: where I live) and my applications."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        where = county or views.home_county(s, by)
        return {
            "county": where,
            "near": [views.gig_view(g) for g in views.open_gigs(s, today, where)],
            "mine": [
                {**views.application_view(a), "gig": views.gig_view(g)}
                for a, g in views.mine(s, by)
            ],
        }


@router.post("/me/gigs/{gig_id}/apply")
def my_apply(
    gig_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> dict[str, Any]:
    """Apply in one tap; applying again answers the same application."""
    with uow(request) as s:
        return views.application_view(apps.apply(s, gig_id, by, dt.date.today()))


@router.post("/me/gig-applications/{application_id}/steps")
def my_step(
    application_id: PathId,
    body: StepBody,
    request: Request,
    by: Principal = Depends(permit("self:jobs")),
) -> dict[str, Any]:
    """Withdraw, check in (on a day of the gig), confirm or dispute the pay."""
    with uow(request) as s:
        a = apps.step(s, application_id, body.action, by, dt.date.today(), body.reason, body.amount)
        return views.application_view(a)


@router.get("/jobs/gigs")
def public_gigs(
    request: Request,
    county: str = Query("", max_length=6),
    by: Principal = Depends(public()),
) -> dict[str, Any]:
    """The open gigs (of a county), for anyone."""
    with uow(request, immediate=False) as s:
        return {"gigs": [views.gig_view(g) for g in views.open_gigs(s, dt.date.today(), county)]}
