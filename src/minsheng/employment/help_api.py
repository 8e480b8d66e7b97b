"""JSON API of employment services: hard-to-employ people (就业困难人员) and one-to-one
help (一对一帮扶) on the case engine, and the employment statistics.

Run the refresh (``employment:run``); read the plans of the caller's region
(``employment:read``); work a plan (``employment:write``: a contact, a service, the answer to
it, the outcome, the assignment). A plan of another region answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from minsheng.employment import help as plans
from minsheng.employment import help_refresh, help_stats
from minsheng.employment import help_views as views
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
MAX_ID = 2_147_483_647


class RefreshIn(BaseModel):
    region: str | None = Field(default=None, max_length=6, pattern=r"^\d{6}$")


class ContactIn(BaseModel):
    channel: str = Field(max_length=8)
    note: str = Field(max_length=400)
    day: dt.date | None = None
    next_step: str | None = Field(default=None, max_length=200)
    next_on: dt.date | None = None


class ServiceIn(BaseModel):
    kind: str = Field(max_length=16)
    vacancy_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    course_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    text: str | None = Field(default=None, max_length=200)
    day: dt.date | None = None


class ResponseIn(BaseModel):
    response: str = Field(max_length=10)


class OutcomeIn(BaseModel):
    outcome: str = Field(max_length=10)
    reason: str | None = Field(default=None, max_length=400)
    hire_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class AssignIn(BaseModel):
    username: str | None = Field(default=None, max_length=64)


def today() -> dt.date:
    return dt.date.today()


@router.post("/employment/help/refresh")
def run_refresh(
    data: RefreshIn, request: Request, by: Principal = Depends(permit("employment:run"))
) -> dict[str, Any]:
    """Recompute the hard-to-employ list of a region now (default: the caller's); it also runs
    nightly (``minsheng employment help refresh``)."""
    with uow(request) as s:
        return help_refresh.refresh(s, today(), by, data.region).as_dict()


@router.get("/employment/help/plans")
def list_plans(
    request: Request,
    mine: bool = Query(default=False),
    due: str = Query(default="all", max_length=8),
    county: str | None = Query(default=None, max_length=6, pattern=r"^\d{6}$"),
    state: str = Query(default="open", max_length=8),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """Help plans of the caller's region, the earliest deadline first."""
    day = today()
    with uow(request, immediate=False) as s:
        rows, total = plans.listing(
            s, by, day, mine=mine, due=due, county=county, state=state, limit=limit, offset=offset
        )
        who = views.people(s, [r.person_id for r in rows])
        tally = plans.counts(s, [r.id for r in rows])
        p = plans.params(day)
        return {
            "total": total,
            "plans": [views.out(r, day, who.get(r.person_id), tally[r.id], p) for r in rows],
        }


@router.get("/employment/help/plans/{plan_id}")
def read_plan(
    plan_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> dict[str, Any]:
    """One plan: categories with reasons, services, the contact log, history, the steps the
    caller may take now."""
    with uow(request, immediate=False) as s:
        return views.detail(s, plans.get(s, plan_id, by), by, today())


@router.post("/employment/help/plans/{plan_id}/contacts")
def add_contact(
    plan_id: PathId,
    data: ContactIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Log a contact: the day (default today), channel, note, next step and its day."""
    with uow(request) as s:
        c = plans.contact(
            s,
            plan_id,
            by,
            today(),
            channel=data.channel,
            note=data.note,
            day=data.day,
            next_step=data.next_step,
            next_on=data.next_on,
        )
        return {"id": c.id, "plan_id": c.plan_id, "day": c.day.isoformat(), "channel": c.channel}


@router.post("/employment/help/plans/{plan_id}/services")
def add_service(
    plan_id: PathId,
    data: ServiceIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Deliver a service: ``job_lead`` with a published vacancy's id, ``training_offer`` with a
    course id or a text."""
    with uow(request) as s:
        svc = plans.offer(
            s,
            plan_id,
            by,
            today(),
            kind=data.kind,
            vacancy_id=data.vacancy_id,
            course_id=data.course_id,
            text=data.text,
            day=data.day,
        )
        return {"id": svc.id, "plan_id": svc.plan_id, "kind": svc.kind, "response": svc.response}


@router.post("/employment/help/plans/{plan_id}/services/{service_id}/response")
def answer_service(
    plan_id: PathId,
    service_id: PathId,
    data: ResponseIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """The person's answer: ``accepted`` or ``refused`` (refusals may stop help)."""
    with uow(request) as s:
        plan = plans.respond(s, plan_id, service_id, data.response, by, today())
        return views.out(plan, today())


@router.post("/employment/help/plans/{plan_id}/outcome")
def record_outcome(
    plan_id: PathId,
    data: OutcomeIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Close the plan with its outcome: employed (``hire_id`` of the person's filed hire),
    training, declined, moved — with a note of what happened."""
    with uow(request) as s:
        plan = plans.close(
            s, plan_id, data.outcome, by, today(), note=data.reason, hire_id=data.hire_id
        )
        return views.out(plan, today())


@router.post("/employment/help/plans/{plan_id}/assignee")
def assign_plan(
    plan_id: PathId,
    data: AssignIn,
    request: Request,
    by: Principal = Depends(permit("employment:write")),
) -> dict[str, Any]:
    """Give an open plan to a helper caseworker of its county (``null``: take it back)."""
    with uow(request) as s:
        return views.out(plans.assign(s, plan_id, data.username, by, today()), today())


@router.get("/employment/statistics")
def read_statistics(
    request: Request,
    year: int | None = Query(default=None, ge=2000, le=2100),
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """New urban jobs, registered unemployed, fairs, placements and training completions by
    prefecture and month of a year (default this year), in the caller's region."""
    with uow(request, immediate=False) as s:
        return help_stats.figures(s, by, year or today().year).as_dict()
