"""Pages of wage protection: attendance — a project's month grid (workers × days, the monthly
summary beside) and the worker's own "my attendance" on the phone (``/me/wages/attendance``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person
from minsheng.wages import attendance, attendance_devices
from minsheng.wages.models import WgProject, WgWorker
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)

Month = Query(None, max_length=7, description="YYYY-MM (default: this month)")


def _nav(month: str) -> tuple[str, str]:
    first, last = attendance.month_bounds(month)
    before = first - dt.timedelta(days=1)
    after = last + dt.timedelta(days=1)
    return before.strftime("%Y-%m"), after.strftime("%Y-%m")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".") if minutes else ""


@router.get("/wages/projects/{project_id}/attendance", response_class=HTMLResponse)
def project_grid(
    project_id: PathId,
    request: Request,
    month: str | None = Month,
    by: Principal = Depends(permit("wages:project")),
) -> HTMLResponse:
    """The project's month: one row per worker, one column per day (hours worked), the
    month's days, hours and overtime."""
    request.state.private = True
    month = month or attendance.this_month()
    first, last = attendance.month_bounds(month)
    with uow(request) as s:
        project = attendance_devices.project_in_region(s, project_id, by)
        names = dict(
            s.execute(
                select(WgWorker.id, Person.name_zh)
                .join(Person, Person.id == WgWorker.person_id)
                .where(WgWorker.project_id == project.id)
                .order_by(WgWorker.id)
            ).all()
        )
        cells: dict[int, dict[int, str]] = {}
        for d in attendance.days_in(s, month, project_id=project.id, worker_ids=None):
            cells.setdefault(d.worker_id, {})[d.day.day] = _hours(d.minutes)
        summary = {
            r["worker_id"]: r
            for r in attendance.monthly(s, month, project_id=project.id, worker_ids=None)
        }
        audit.record(s, by, "read", "wg_attendance", project.id, project.division_code)
        title = project.name
    prev, nxt = _nav(month)
    rows = [
        {
            "id": wid,
            "name": name,
            "cells": cells.get(wid, {}),
            "summary": summary.get(wid),
        }
        for wid, name in names.items()
    ]
    return render(
        request,
        "wages/attendance/grid.html",
        project_id=project_id,
        project_name=title,
        month=month,
        prev=prev,
        next=nxt,
        days=list(range(1, last.day + 1)),
        first=first,
        rows=rows,
    )


@router.get("/me/wages/attendance", response_class=HTMLResponse)
def mine(
    request: Request,
    month: str | None = Month,
    by: Principal = Depends(permit("self:read")),
) -> HTMLResponse:
    """The signed-in worker's own days and month, on each project they are on."""
    request.state.private = True
    assert by.person_id is not None
    month = month or attendance.this_month()
    with uow(request) as s:
        projects: dict[int, str] = {}
        mine_ids: list[int] = []
        for wid, name in s.execute(
            select(WgWorker.id, WgProject.name)
            .join(WgProject, WgProject.id == WgWorker.project_id)
            .where(WgWorker.person_id == by.person_id)
        ):
            projects[wid] = name
            mine_ids.append(wid)
        days = [
            attendance.day_out(d) | {"project": projects[d.worker_id]}
            for d in attendance.days_in(s, month, worker_ids=mine_ids)
        ]
        summary = [
            r | {"project": projects[r["worker_id"]]}
            for r in attendance.monthly(s, month, worker_ids=mine_ids)
        ]
        audit.record(s, by, "read", "wg_attendance_self", by.person_id)
    prev, nxt = _nav(month)
    for d in days:
        d["in_time"] = (d["first_in"] or "")[11:16]
        d["out_time"] = (d["last_out"] or "")[11:16]
    return render(
        request,
        "wages/attendance/mine.html",
        month=month,
        prev=prev,
        next=nxt,
        days=days,
        summary=summary,
    )


__all__: list[Any] = ["router"]
