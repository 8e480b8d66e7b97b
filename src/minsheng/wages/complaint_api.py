"""Arrears complaints over HTTP (欠薪线索反映).

- ``POST /api/wages/report`` (public): a worker reports — signed in (named) or not (anonymous:
  the answer holds the follow-up code and PIN, shown this once). ``GET /api/wages/report/
  projects`` finds the project by name or county; ``POST /api/wages/report/follow-up`` reads
  an anonymous complaint by code and PIN (a wrong PIN answers as a missing code; tries counted).
- ``/api/me/wages/complaints``: a signed-in worker's own complaints.
- ``/api/wages/complaints``: any office takes a complaint (``wages:write``); the county's queue
  and a complaint whole (``wages:inspect``, its region only) and its steps; its state for every
  office (``/state``, ``/board``: no personal data); the KPIs per county and month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from minsheng.core.errors import invalid
from minsheng.fields import MAX_ID
from minsheng.foundation.principals import ANONYMOUS, Principal
from minsheng.wages import complaint_filing as filing
from minsheng.wages import complaints
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import client_ip, permit, public

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])

REPORTS_PER_HOUR = 10  # reports per address per hour (security settings, not policy)
FOLLOWS_PER_10_MIN = 30  # follow-ups per address per 10 minutes (and 5 per code: filing)


class ComplaintBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: str = Field(max_length=8000, description="what happened: months unpaid, how much")
    lang: str = Field(default="zh", max_length=2, description="zh or bo")
    project_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    project_text: str = Field(default="", max_length=800, description="when not found")
    county: str = Field(default="", max_length=6, description="the project's county")
    amount_claimed: str = Field(default="", max_length=24, description="yuan owed")
    workers: str = Field(default="", max_length=8, description="workers owed")
    phone: str = Field(default="", max_length=24)
    anonymous: bool = False


class OfficeComplaintBody(ComplaintBody):
    worker_name: str = Field(default="", max_length=400, description="empty: anonymous")


class FollowUpBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40)
    pin: str = Field(max_length=40)


class StepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=24)
    day: dt.date | None = None
    reason: str | None = Field(default=None, max_length=1600)
    outcome: str = Field(default="", max_length=16)
    recovered: str = Field(default="", max_length=24, description="yuan recovered")


def _data(body: ComplaintBody, name: str = "") -> filing.ComplaintIn:
    return filing.ComplaintIn(
        facts=body.facts,
        lang=body.lang,
        project_id=body.project_id,
        project_text=body.project_text,
        county=body.county,
        amount_claimed=body.amount_claimed,
        workers=body.workers,
        phone=body.phone,
        worker_name=name,
        anonymous=body.anonymous,
    )


def _filed(s: Any, f: filing.Filed, today: dt.date) -> dict[str, Any]:
    out = complaints.state_view(s, f.complaint, today)
    if f.code:
        out["follow_up"] = {"code": f.code, "pin": f.pin}
    return out


# ------------------------------------------------------------------ the worker


@router.get("/wages/report/projects")
def find_projects(
    request: Request,
    q: str = Query(default="", max_length=100),
    county: str = Query(default="", max_length=6),
    by: Principal = Depends(public()),
) -> dict[str, Any]:
    """Projects by words of their name or code and/or county (what a site's board shows)."""
    with uow(request, immediate=False) as s:
        return {"projects": filing.find_projects(s, q, county)}


@router.post("/wages/report", status_code=201)
def report(body: ComplaintBody, request: Request, by: Principal = Depends(public())) -> Any:
    """A worker's report, at any hour: named when signed in (unless ``anonymous``), else
    anonymous with a follow-up code and PIN in the answer — shown this once."""
    request.app.state.limiter.hit(
        f"wg_report_ip:{client_ip(request) or '-'}", REPORTS_PER_HOUR, 3600.0
    )
    who = by if by.kind == "citizen" else ANONYMOUS  # staff's offices use /wages/complaints
    today = dt.date.today()
    with uow(request) as s:
        return _filed(s, filing.file_complaint(s, _data(body), who, today), today)


@router.post("/wages/report/follow-up")
def follow_up(body: FollowUpBody, request: Request, by: Principal = Depends(public())) -> Any:
    """An anonymous complaint's state and steps by its code and PIN."""
    request.app.state.limiter.hit(
        f"wg_follow_ip:{client_ip(request) or '-'}", FOLLOWS_PER_10_MIN, 600.0
    )
    today = dt.date.today()
    with uow(request) as s:
        c = filing.follow_up(s, body.code, body.pin)
        return {
            **complaints.state_view(s, c, today),
            "events": [complaints.event_out(e, False) for e in complaints.events(s, c)],
        }


@router.get("/me/wages/complaints")
def my_complaints(request: Request, by: Principal = Depends(permit("self:read"))) -> Any:
    """The signed-in worker's own complaints and their state."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        return {"complaints": [complaints.state_view(s, c, today) for c in complaints.mine(s, by)]}


@router.get("/me/wages/complaints/{complaint_id}")
def my_complaint(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("self:read"))
) -> Any:
    """One of the worker's own complaints: its state, what they told, its steps."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        c = complaints.my_complaint(s, complaint_id, by)
        return {
            **complaints.state_view(s, c, today),
            "facts": c.facts,
            "events": [complaints.event_out(e, False) for e in complaints.events(s, c)],
        }


# ------------------------------------------------------------------ the offices


@router.post("/wages/complaints", status_code=201)
def take_complaint(
    body: OfficeComplaintBody, request: Request, by: Principal = Depends(permit("wages:write"))
) -> Any:
    """Any office takes a complaint at its window; it routes to the project's county."""
    today = dt.date.today()
    with uow(request) as s:
        return _filed(s, filing.file_complaint(s, _data(body, body.worker_name), by, today), today)


@router.get("/wages/complaints")
def queue(
    request: Request,
    state: str = Query(default="open", max_length=24),
    overdue: bool = False,
    by: Principal = Depends(permit("wages:inspect")),
) -> Any:
    """The queue of the caller's counties (``state``: open, or one state), earliest deadline
    first; ``overdue``: only those past their deadline today."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        q = complaints.queue_query(by, state, today if overdue else None).limit(500)
        return {"complaints": [complaints.state_view(s, c, today) for c in s.scalars(q)]}


@router.get("/wages/complaints/board")
def board(
    request: Request,
    county: str = Query(default="", max_length=6),
    by: Principal = Depends(permit("wages:read")),
) -> Any:
    """Every open complaint of the region by its state — what every office sees."""
    with uow(request, immediate=False) as s:
        return {"complaints": complaints.board(s, dt.date.today(), county)}


@router.get("/wages/complaints/kpis")
def kpis(
    request: Request,
    month: str = Query(default="", max_length=7, description="YYYY-MM (default: this month)"),
    by: Principal = Depends(permit("wages:read")),
) -> Any:
    """Per county of the caller's region: received, closed, closure rate against its target,
    on time, recovered — of the complaints received in ``month``."""
    month = month or dt.date.today().strftime("%Y-%m")
    with uow(request, immediate=False) as s:
        return {"month": month, "counties": complaints.kpis(s, month, by)}


@router.get("/wages/complaints/{complaint_id}")
def read(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> Any:
    """A complaint whole (the worker's name and phone, the facts, the steps): its region only;
    any other answers as missing."""
    with uow(request) as s:
        out = complaints.read(s, complaint_id, by, dt.date.today())
        c = complaints.get(s, complaint_id, by)
        out["offered"] = list(complaints.offered(s, c, by))
        return out


@router.get("/wages/complaints/{complaint_id}/state")
def read_state(
    complaint_id: PathId, request: Request, by: Principal = Depends(permit("wages:read"))
) -> Any:
    """A complaint's state, for every office of the region (no personal data)."""
    with uow(request, immediate=False) as s:
        return complaints.read_state(s, complaint_id, by, dt.date.today())


@router.post("/wages/complaints/{complaint_id}/steps")
def step(
    complaint_id: PathId,
    body: StepBody,
    request: Request,
    by: Principal = Depends(permit("wages:inspect")),
) -> Any:
    """Take a step (``accept``, ``refuse``, ``request_extension``, ``approve_extension``,
    ``reject_extension``, ``refer``, ``extend_referral``, ``close``, ``withdraw``)."""
    today = dt.date.today()
    if body.day is not None and body.day > today:
        raise invalid(
            "day", "future", "日期不能晚于今天", "the day cannot be after today", "ཚེས་གྲངས་ནོར།"
        )
    with uow(request) as s:
        c = complaints.act(
            s,
            complaint_id,
            body.action,
            by,
            day=body.day or today,
            reason=body.reason,
            outcome=body.outcome,
            recovered=body.recovered or None,
        )
        return complaints.state_view(s, c, today)
