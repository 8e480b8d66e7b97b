"""Site attendance devices: registration to a project (the secret shown once), retirement, and
the check of a device's signed request.

A device signs each request: ``X-Minsheng-Timestamp`` (Unix seconds) and
``X-Minsheng-Signature`` = hex HMAC-SHA256 under the device's secret of
``<timestamp>.`` followed by the exact body bytes. The server refuses (401) an unknown or
retired device, a timestamp outside the replay window (``wages.attendance.replay_window_seconds``)
either way, and a signature that does not match (compared in constant time); a signature already
seen inside the window is a replay (409) — the same signed body is accepted once. Every
refusal answers the same way for an unknown serial and a wrong key, so a caller learns nothing
about which serials exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, MinshengError, NotFoundError, invalid
from minsheng.db import is_sqlite
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.wages import access
from minsheng.wages.attendance import CST, Settings, aware
from minsheng.wages.attendance_models import WgDevice, WgDeviceRequest
from minsheng.wages.models import WgProject

SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{3,39}\Z")
TIMESTAMP_HEADER = "x-minsheng-timestamp"
SIGNATURE_HEADER = "x-minsheng-signature"


def project_in_region(session: Session, project_id: int, by: Principal) -> WgProject:
    """The project, or 404 when it does not exist or the caller does not see it
    (:func:`minsheng.wages.access.get_project`)."""
    return access.get_project(session, project_id, by)


def register(
    session: Session, project_id: int, serial: str, label: str | None, by: Principal
) -> tuple[WgDevice, str]:
    """Register a device to an active project; returns it and its secret (shown only now)."""
    project = project_in_region(session, project_id, by)
    if not isinstance(serial, str) or not SERIAL.match(serial):
        raise invalid(
            "serial",
            "serial",
            "设备序列号须为4至40位字母、数字或 ._-",
            "the serial must be 4 to 40 letters, digits or ._-",
            bo="སྒྲིག་ཆས་ཀྱི་ཨང་རྟགས་ནོར།",
        )
    if project.state != "active":
        raise ConflictError(
            "project_id",
            "project_not_active",
            "项目不在建，不能登记考勤设备",
            "the project is not active; no device may be registered to it",
            bo="ལས་གཞི་མཇུག་རྫོགས་ཟིན།",
        )
    if session.scalar(select(WgDevice.id).where(WgDevice.serial == serial)) is not None:
        raise ConflictError(
            "serial",
            "duplicate",
            "该序列号的设备已登记",
            "a device with this serial is registered already",
            bo="སྒྲིག་ཆས་འདི་ཐོ་འགོད་ཟིན།",
        )
    secret = secrets.token_urlsafe(32)
    device = WgDevice(
        serial=serial,
        project_id=project.id,
        division_code=project.division_code,
        label=label,
        secret=secret,
        state="active",
    )
    session.add(device)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(
            "serial",
            "duplicate",
            "该序列号的设备已登记",
            "a device with this serial is registered already",
        ) from None
    audit.record(
        session, by, "create", "wg_device", device.id, device.division_code, {"serial": serial}
    )
    return device, secret


def retire(session: Session, device_id: int, by: Principal) -> WgDevice:
    device = session.get(WgDevice, device_id)
    if device is None or not by.covers(device.division_code):
        raise NotFoundError("device_id", "没有此设备", "no such device", bo="སྒྲིག་ཆས་མི་འདུག")
    if device.state != "retired":
        device.state = "retired"
        device.retired_at = dt.datetime.now(dt.UTC)
        audit.record(session, by, "retire", "wg_device", device.id, device.division_code)
    return device


def devices_of(session: Session, project_id: int, by: Principal) -> list[WgDevice]:
    project_in_region(session, project_id, by)
    return list(
        session.scalars(
            select(WgDevice).where(WgDevice.project_id == project_id).order_by(WgDevice.id)
        )
    )


def device_out(d: WgDevice) -> dict[str, object]:
    at = aware(d.registered_at)
    return {
        "id": d.id,
        "serial": d.serial,
        "project_id": d.project_id,
        "label": d.label,
        "state": d.state,
        "registered_at": None if at is None else at.astimezone(CST).isoformat(),
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What a device sends as ``X-Minsheng-Signature`` (see the module)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _unauthenticated() -> MinshengError:
    return MinshengError(
        field="signature",
        rule="bad_signature",
        zh="设备签名无效、时间戳过期或设备未登记",
        en="the device signature is invalid, its timestamp stale, or the device not registered",
        bo="སྒྲིག་ཆས་ཀྱི་མིང་རྟགས་ནོར།",
        status=401,
    )


def authenticate(
    session: Session,
    serial: str,
    timestamp: str | None,
    sent: str | None,
    body: bytes,
    now: dt.datetime | None = None,
) -> WgDevice:
    """The active device whose secret signed this body within the window, remembered so that
    the same signature is refused as a replay; else 401 (409 for a replay)."""
    now = now or dt.datetime.now(dt.UTC)
    device = session.scalar(select(WgDevice).where(WgDevice.serial == serial[:40]))
    if (
        device is None
        or device.state != "active"
        or not timestamp
        or not timestamp.isdigit()
        or len(timestamp) > 12
        or not sent
        or len(sent) != 64
    ):
        raise _unauthenticated()
    window = Settings.on(now.astimezone(CST).date(), device.division_code).replay_window
    signed_at = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    expected = signature(device.secret, timestamp, body)
    if abs(now - signed_at) > window or not hmac.compare_digest(
        expected.encode(), sent.lower().encode("ascii", "replace")
    ):
        raise _unauthenticated()
    cutoff = now - window
    stored_cutoff = cutoff.replace(tzinfo=None) if _naive(session) else cutoff
    session.execute(
        delete(WgDeviceRequest).where(
            WgDeviceRequest.device_id == device.id, WgDeviceRequest.seen_at < stored_cutoff
        )
    )
    if session.scalar(
        select(WgDeviceRequest.id).where(
            WgDeviceRequest.device_id == device.id, WgDeviceRequest.mac == expected
        )
    ):
        raise replayed()
    session.add(
        WgDeviceRequest(
            device_id=device.id,
            mac=expected,
            seen_at=now.replace(tzinfo=None) if _naive(session) else now,
        )
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same body at the same moment through another worker
        raise replayed() from None
    return device


def replayed() -> MinshengError:
    return ConflictError(
        "signature",
        "replayed",
        "该签名请求已受理过（重放），请以新的时间戳重新签名",
        "this signed request was received before (a replay); sign it again with a new timestamp",
        bo="རེ་ཞུ་འདི་སྔོན་ནས་ལེན་ཟིན།",
    )


def _naive(session: Session) -> bool:
    return is_sqlite(session.get_bind().engine)
