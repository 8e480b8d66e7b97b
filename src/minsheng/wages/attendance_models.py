"""Wage-protection tables: attendance from site devices (考勤).

- ``wg_devices``: a face-recognition terminal (人脸识别考勤机) registered to one project, with
  its signing secret (encrypted at rest, shown once at registration) and its state.
- ``wg_attendance_events``: what a device saw (worker, instant, in/out), unique per device and
  the device's own event id, so a batch sent twice is counted once.
- ``wg_attendance_days``: each worker's day on a project, recomputed from that day's events
  whenever one arrives (late events too): first in, last out, worked and overtime minutes.
- ``wg_attendance_months``: each worker's month on a project (days present, worked and
  overtime minutes, first day seen), kept by the ingest in the same transaction as the days it
  changes (by the difference each recomputed day makes), so the pay sheet and the monitoring
  scan read one row per worker and month instead of grouping every day.
- ``wg_device_requests``: the signatures a device's requests carried within the replay window,
  so the same signed body is accepted once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base
from minsheng.foundation.crypto import Encrypted

DEVICE_STATES = ("active", "retired")
EVENT_KINDS = ("in", "out")


class WgDevice(Base):
    """A site attendance terminal registered to a project."""

    __tablename__ = "wg_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # 设备序列号
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the project's county
    label: Mapped[str | None] = mapped_column(String(100))  # where on site (e.g. 东门)
    secret: Mapped[str] = mapped_column(Encrypted(), deferred=True)  # HMAC key, base64url
    state: Mapped[str] = mapped_column(String(8), default="active")
    registered_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "state IN ('active', 'retired')",
            name="state",
        ),
    )


class WgAttendanceEvent(Base):
    """One event a device recorded. ``day`` is the local date (China Standard Time) of ``at``."""

    __tablename__ = "wg_attendance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("wg_devices.id"))
    device_event_id: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[int] = mapped_column(ForeignKey("wg_workers.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("kind IN ('in', 'out')", name="kind"),
        UniqueConstraint("device_id", "device_event_id"),
        Index("ix_wg_attendance_events_worker_day", "worker_id", "day"),
    )


class WgAttendanceDay(Base):
    """A worker's day on a project, recomputed from the day's events."""

    __tablename__ = "wg_attendance_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("wg_workers.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    first_in: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_out: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    minutes: Mapped[int] = mapped_column(Integer, default=0)  # worked (paired in → out)
    overtime_minutes: Mapped[int] = mapped_column(Integer, default=0)  # beyond the standard day
    events: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("minutes >= 0 AND minutes <= 1440", name="minutes"),
        CheckConstraint(
            "overtime_minutes >= 0 AND overtime_minutes <= minutes", name="overtime_minutes"
        ),
        UniqueConstraint("worker_id", "day"),
        Index("ix_wg_attendance_days_project_day", "project_id", "day"),
    )


class WgAttendanceMonth(Base):
    """A worker's month on a project: the sum of its day rows, kept at ingest.

    ``days``: days with any worked minute; ``first_day``: the earliest day with a row (an
    event seen), worked or not — attendance before the labour contract is read from it."""

    __tablename__ = "wg_attendance_months"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("wg_workers.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, local (China Standard Time)
    days: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    first_day: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("days >= 0 AND days <= 31", name="days"),
        CheckConstraint("minutes >= 0 AND minutes <= 44640", name="minutes"),  # 31 × 1,440
        CheckConstraint(
            "overtime_minutes >= 0 AND overtime_minutes <= minutes", name="overtime_minutes"
        ),
        UniqueConstraint("worker_id", "month"),
        Index("ix_wg_attendance_months_project_month", "project_id", "month"),
    )


class WgDeviceRequest(Base):
    """A signature a device's request carried (its replay-window memory)."""

    __tablename__ = "wg_device_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("wg_devices.id"))
    mac: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("device_id", "mac"),
        Index("ix_wg_device_requests_seen", "device_id", "seen_at"),
    )


__all__ = [
    "DEVICE_STATES",
    "EVENT_KINDS",
    "WgAttendanceDay",
    "WgAttendanceEvent",
    "WgAttendanceMonth",
    "WgDevice",
    "WgDeviceRequest",
]
