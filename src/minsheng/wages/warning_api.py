"""Monitoring and early warning over HTTP: run the scan (``wages:run``), read the warnings and
the dashboard of the caller's region (``wages:read``), and work the inspector's queue
(``wages:inspect``: a step on a warning, its assignment). A warning of another region answers
404 with the body of a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from minsheng.foundation.principals import Principal
from minsheng.wages import monitoring, warnings
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])


class ScanIn(BaseModel):
    region: str | None = Field(default=None, max_length=6, pattern=r"^\d{6}$")


class StepIn(BaseModel):
    action: str = Field(max_length=24)
    reason: str | None = Field(default=None, max_length=400)


class AssignIn(BaseModel):
    username: str | None = Field(default=None, max_length=64)


def today() -> dt.date:
    return dt.date.today()


@router.post("/wages/scan")
def run_scan(
    data: ScanIn, request: Request, by: Principal = Depends(permit("wages:run"))
) -> dict[str, Any]:
    """Run the monitoring scan over a region now (default: the caller's); it also runs
    nightly (``minsheng wages scan``)."""
    with uow(request) as s:
        return monitoring.scan(s, today(), by, data.region).as_dict()


@router.get("/wages/warnings")
def list_warnings(
    request: Request,
    level: str | None = Query(default=None, max_length=8),
    cause: str | None = Query(default=None, max_length=24),
    county: str | None = Query(default=None, max_length=6),
    state: str = Query(default="open", max_length=8),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    by: Principal = Depends(permit("wages:read")),
) -> dict[str, Any]:
    """Warnings of the caller's region, the most urgent first (red, earliest deadline)."""
    with uow(request, immediate=False) as s:
        rows, total = warnings.listing(
            s,
            by,
            level=level,
            cause=cause,
            county=county,
            state=state,
            limit=limit,
            offset=offset,
        )
        names = warnings.project_names(s, [w.project_id for w in rows])
        day = today()
        return {
            "total": total,
            "warnings": [warnings.out(w, day, names.get(w.project_id)) for w in rows],
        }


@router.get("/wages/warnings/{warning_id}")
def read_warning(
    warning_id: PathId, request: Request, by: Principal = Depends(permit("wages:read"))
) -> dict[str, Any]:
    """One warning with its history and the steps the caller may take now."""
    with uow(request, immediate=False) as s:
        w = warnings.get(s, warning_id, by)
        names = warnings.project_names(s, [w.project_id])
        return warnings.out(w, today(), names.get(w.project_id)) | {
            "events": [
                {
                    "day": e.day.isoformat(),
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "note": e.note,
                    "by": e.by,
                }
                for e in warnings.events(s, w.id)
            ],
            "offered": list(warnings.offered(s, w, by)),
        }


@router.post("/wages/warnings/{warning_id}/steps")
def take_step(
    warning_id: PathId,
    data: StepIn,
    request: Request,
    by: Principal = Depends(permit("wages:inspect")),
) -> dict[str, Any]:
    """Take a step: check, rectify (with what was done), propose unfounded (with why), and —
    by a supervisor other than the proposer — confirm unfounded or send it back."""
    with uow(request) as s:
        w = warnings.act(s, warning_id, data.action, by, data.reason, today())
        return warnings.out(w, today())


@router.post("/wages/warnings/{warning_id}/assignee")
def assign_warning(
    warning_id: PathId,
    data: AssignIn,
    request: Request,
    by: Principal = Depends(permit("wages:inspect")),
) -> dict[str, Any]:
    """Give an open warning to an inspector of its county (``null``: take it back)."""
    with uow(request) as s:
        return warnings.out(warnings.assign(s, warning_id, data.username, by, today()), today())


@router.get("/wages/dashboard")
def read_dashboard(
    request: Request,
    county: str | None = Query(default=None, max_length=6),
    by: Principal = Depends(permit("wages:read")),
) -> dict[str, Any]:
    """Open warnings by level, cause and county; arrears outstanding; the projects with no
    arrears, against the next Spring Festival and Losar."""
    with uow(request, immediate=False) as s:
        d = warnings.dashboard(s, by, today(), county)
        return {
            "by_level": d.by_level,
            "by_cause": d.by_cause,
            "by_county": d.by_county,
            "projects": d.projects,
            "zero_arrears": d.zero_arrears,
            "arrears": d.arrears,
            "overdue": d.overdue,
            "festivals": d.festivals,
        }
