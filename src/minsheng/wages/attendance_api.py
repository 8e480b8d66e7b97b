"""JSON API of wage protection: attendance — the devices' signed event posts, device
registration, a project's month and a worker's own (see docs/wages.md "Attendance")."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core.errors import invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import ANONYMOUS, Principal, system
from minsheng.wages import attendance, attendance_csv, attendance_devices
from minsheng.wages.models import WgWorker
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import GUARD_ATTR, Guard, client_ip, permit

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])

MAX_IMPORT = 1024 * 1024  # the app's body limit for ordinary requests
Month = Query(None, min_length=7, max_length=7, description="YYYY-MM (default: this month)")
Serial = Path(..., min_length=1, max_length=40, description="device serial")


def signed_device() -> Guard:
    """The guard of the devices' route: public to the page kit (no session, no token), and no
    CSRF check — the route reads no cookie and acts for no browser; the request is
    authenticated by its HMAC signature (:func:`attendance_devices.authenticate`)."""

    async def guard(request: Request) -> Principal:
        return ANONYMOUS

    setattr(guard, GUARD_ATTR, "public")
    return guard


@router.post("/wages/devices/{serial}/events")
async def device_events(
    request: Request, serial: str = Serial, _: Principal = Depends(signed_device())
) -> dict[str, Any]:
    """A device's batch of events, signed (headers ``X-Minsheng-Timestamp``,
    ``X-Minsheng-Signature``); the answer lists each event's outcome."""
    body = await request.body()
    ts = request.headers.get(attendance_devices.TIMESTAMP_HEADER)
    sig = request.headers.get(attendance_devices.SIGNATURE_HEADER)
    ip = client_ip(request)

    def work() -> dict[str, Any]:
        with uow(request) as s:
            device = attendance_devices.authenticate(s, serial, ts, sig, body)
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                payload = None
            if not isinstance(payload, dict) or "events" not in payload:
                raise invalid(
                    "events",
                    "body",
                    '请求体须为 JSON：{"events": [...]}',
                    'the body must be JSON: {"events": [...]}',
                    bo="JSON ནོར།",
                )
            by = dataclasses.replace(system(f"device:{device.serial}"), ip=ip)
            report = attendance.ingest(s, device, payload["events"], by)
            return {"device": device.serial, **report.to_dict()}

    return await run_in_threadpool(work)


class DeviceIn(BaseModel):
    serial: str = Field(min_length=1, max_length=40)
    label: str | None = Field(default=None, max_length=100)


@router.post("/wages/projects/{project_id}/devices", status_code=status.HTTP_201_CREATED)
def register_device(
    project_id: PathId,
    data: DeviceIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """Register a site device to the project. The answer holds its secret: shown only now."""
    with uow(request) as s:
        device, secret = attendance_devices.register(s, project_id, data.serial, data.label, by)
        return {**attendance_devices.device_out(device), "secret": secret}


@router.get("/wages/projects/{project_id}/devices")
def list_devices(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> list[dict[str, Any]]:
    with uow(request) as s:
        return [
            attendance_devices.device_out(d)
            for d in attendance_devices.devices_of(s, project_id, by)
        ]


@router.post("/wages/devices/{device_id}/retire")
def retire_device(
    device_id: PathId, request: Request, by: Principal = Depends(permit("wages:write"))
) -> dict[str, Any]:
    """Retire a device: its later posts are refused (401)."""
    with uow(request) as s:
        return attendance_devices.device_out(attendance_devices.retire(s, device_id, by))


@router.get("/wages/projects/{project_id}/attendance")
def project_attendance(
    project_id: PathId,
    request: Request,
    month: str | None = Month,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """The project's month: every worker's days and their monthly summary (the project desk's
    read: staff in the region, a contractor on its own employer's projects)."""
    month = month or attendance.this_month()
    with uow(request) as s:
        project = attendance_devices.project_in_region(s, project_id, by)
        days = attendance.days_in(s, month, project_id=project.id, worker_ids=None)
        summary = attendance.monthly(s, month, project_id=project.id, worker_ids=None)
        audit.record(s, by, "read", "wg_attendance", project.id, project.division_code)
        return {
            "project_id": project.id,
            "month": month,
            "days": [attendance.day_out(d) for d in days],
            "summary": summary,
        }


@router.get("/me/wages/attendance")
def my_attendance(
    request: Request,
    month: str | None = Month,
    by: Principal = Depends(permit("self:read")),
) -> dict[str, Any]:
    """The signed-in worker's own days and months, on every project they are on."""
    assert by.person_id is not None
    month = month or attendance.this_month()
    with uow(request) as s:
        mine = list(s.scalars(select(WgWorker.id).where(WgWorker.person_id == by.person_id)))
        days = attendance.days_in(s, month, worker_ids=mine)
        summary = attendance.monthly(s, month, worker_ids=mine)
        audit.record(s, by, "read", "wg_attendance_self", by.person_id)
        return {
            "month": month,
            "days": [attendance.day_out(d) for d in days],
            "summary": summary,
        }


@router.post("/wages/projects/{project_id}/attendance/import", response_model=None)
async def import_attendance(
    project_id: PathId,
    request: Request,
    file: UploadFile = File(...),
    format: str = Query("json", pattern="^(json|csv)$"),
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any] | Response:
    """CSV import of device events (docs/formats.md); the per-row report, as JSON or as CSV
    (``?format=csv``)."""
    data = await file.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        raise invalid("file", "too_large", "文件超过1MB", "the file is larger than 1 MB")

    def work() -> dict[str, Any]:
        with uow(request) as s:
            return attendance_csv.import_csv(s, project_id, data, by)

    report = await run_in_threadpool(work)
    if format == "csv":
        return Response(
            attendance_csv.results_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="attendance-import-{project_id}.csv"',
                "Cache-Control": "no-store",
            },
        )
    return report
