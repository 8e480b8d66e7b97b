"""Route-matrix samples of the attendance area (see tests/wages/route_samples.py): two devices
on the projects area's Lhasa project (one to post to, one the retire sample retires) and a day
of the Lhasa worker's attendance."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from minsheng.wages import attendance, attendance_devices
from tests.route_kit import BY, Samples, World

COLLECTIONS: set[tuple[str, str]] = {  # the citizen's own
    ("GET", "/api/me/wages/attendance"),
    ("GET", "/me/wages/attendance"),
}
REGION_FREE: set[tuple[str, str]] = set()
SERIAL = "MATRIX-FACE-1"
_serials = itertools.count(1)


def populate(s: Session, w: World) -> None:
    device, _ = attendance_devices.register(s, w.ids["wg_project"], SERIAL, "北门", BY)
    spare, _ = attendance_devices.register(s, w.ids["wg_project"], "MATRIX-FACE-2", None, BY)
    day = dt.datetime.now(attendance.CST).replace(hour=8, minute=0, second=0, microsecond=0)
    events = [
        {"id": "m1", "worker": w.ids["wg_worker"], "at": day.isoformat(), "kind": "in"},
        {
            "id": "m2",
            "worker": w.ids["wg_worker"],
            "at": (day + dt.timedelta(hours=1)).isoformat(),
            "kind": "out",
        },
    ]
    attendance.ingest(s, device, events, BY, now=day + dt.timedelta(hours=2))
    w.ids.update(wg_device=device.id, wg_device_spare=spare.id)


def _csv() -> dict[str, tuple[str, bytes, str]]:
    body = "device_serial,event_id,worker_id,at,kind\r\n"
    return {"file": ("att.csv", body.encode(), "text/csv")}


def samples(w: World) -> Samples:
    project = {"project_id": w.ids["wg_project"]}
    return {
        ("POST", "/api/wages/devices/{serial}/events"): {
            "path": {"serial": SERIAL},
            "json": {"events": []},  # unsigned: 401 for everyone, never 403
        },
        ("POST", "/api/wages/projects/{project_id}/devices"): {
            "path": project,
            "json": lambda: {"serial": f"MATRIX-NEW-{next(_serials)}"},
        },
        ("GET", "/api/wages/projects/{project_id}/devices"): {"path": project},
        ("POST", "/api/wages/devices/{device_id}/retire"): {
            "path": {"device_id": w.ids["wg_device_spare"]}
        },
        ("GET", "/api/wages/projects/{project_id}/attendance"): {"path": project},
        ("GET", "/api/me/wages/attendance"): {},
        ("GET", "/wages/projects/{project_id}/attendance"): {"path": project},
        ("GET", "/me/wages/attendance"): {},
        ("POST", "/api/wages/projects/{project_id}/attendance/import"): {
            "path": project,
            "files": _csv,
        },
    }
