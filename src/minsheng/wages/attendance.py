"""Attendance from site devices (考勤): ingesting a device's batch of events, each event
answered on its own, and each worker's day recomputed from all of that day's events.

A batch is never all-or-nothing: every event gets its own answer — ``accepted``, ``duplicate``
(the device sent that event id before, or twice in the batch: ignored, counted) or ``refused``
with the rule and a reason in Chinese, English and Tibetan (a malformed field, an instant too
far in the future, a worker who is not on the device's project that day). An event that
arrives days late is accepted like any other and its day is recomputed, so the order in which
events arrive never changes a day (:func:`day_of` sorts them first).

A day (:func:`day_of`): the events of one worker on one local date (China Standard Time,
UTC+8), from every device of the project, sorted by instant. An ``in`` opens a spell (a second
``in`` while one is open is ignored), an ``out`` closes it; the worked minutes are the sum of
the closed spells, whole minutes rounded down; overtime is what lies beyond the standard day
(``wages.attendance.standard_day_hours``, 劳动法 art. 36). First in and last out are the day's
earliest ``in`` and latest ``out``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from minsheng.core.errors import invalid
from minsheng.fields import MAX_ID
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.wages import attendance_store as store
from minsheng.wages.attendance_models import WgAttendanceDay, WgAttendanceMonth, WgDevice
from minsheng.wages.attendance_rules import Day, day_of

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # 北京时间: the local date of an event
MAX_BATCH = 5000  # events per request (engineering bound: a device batch is one JSON body)
EVENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")
LOCK_KEY = 0x4D53_5741  # pg_advisory_xact_lock key space of attendance ("MSWA") + project id
CHUNK = 500


@dataclass(frozen=True)
class Settings:
    """The parameters one ingest reads."""

    standard_minutes: int
    future_tolerance: dt.timedelta
    replay_window: dt.timedelta

    @classmethod
    def on(cls, day: dt.date, division: str | None) -> Settings:
        a = load().at(day, division).wages.attendance
        return cls(
            standard_minutes=int(a.standard_day_hours) * 60,
            future_tolerance=dt.timedelta(seconds=int(a.future_tolerance_seconds)),
            replay_window=dt.timedelta(seconds=int(a.replay_window_seconds)),
        )


@dataclass
class Report:
    """What became of each event of a batch, in the batch's order."""

    results: list[dict[str, Any]] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    days: int = 0  # worker-days recomputed

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "days_recomputed": self.days,
            "results": self.results,
        }


REASONS: dict[str, tuple[str, str, str]] = {
    "event": (
        "事件格式不正确",
        "the event is not an object with id, worker, at and kind",
        "བྱ་བའི་རྣམ་པ་ནོར།",
    ),
    "id": (
        "事件编号须为1至64位字母、数字或 ._:-",
        "the event id must be 1 to 64 letters, digits or ._:-",
        "བྱ་བའི་ཨང་རྟགས་ནོར།",
    ),
    "worker": ("工人编号不正确", "the worker id is not a valid id", "ལས་མིའི་ཨང་རྟགས་ནོར།"),
    "at": (
        "时间须为ISO 8601格式（如 2026-12-01T08:00:00+08:00）",
        "the time must be ISO 8601 (e.g. 2026-12-01T08:00:00+08:00)",
        "དུས་ཚོད་ཀྱི་རྣམ་པ་ནོར།",
    ),
    "kind": (
        "类型须为 in（进场）或 out（离场）",
        "the kind must be in or out",
        "རིགས་ནི་ in ཡང་ན་ out དགོས།",
    ),
    "future": (
        "事件时间晚于当前时间，超出允许的时钟误差",
        "the event lies in the future beyond the allowed clock drift",
        "དུས་ཚོད་མ་འོངས་པ་ཡིན།",
    ),
    "not_on_project": (
        "该工人不在此设备所属项目的实名名册中",
        "the worker is not on the roster of the device's project",
        "ལས་མི་འདི་ལས་གཞི་འདིའི་མིང་ཐོའི་ནང་མེད།",
    ),
    "not_on_site": (
        "该日不在工人进场至退场期间",
        "the day lies outside the worker's entry and exit",
        "ཉིན་འདི་ལས་མི་ལས་ཡུལ་དུ་མེད།",
    ),
}


def _refusal(index: int, eid: object, rule: str) -> dict[str, Any]:
    zh, en, bo = REASONS[rule]
    return {
        "index": index,
        "id": eid if isinstance(eid, str) and EVENT_ID.match(eid) else None,
        "status": "refused",
        "field": "at" if rule == "future" else "worker" if rule.startswith("not_") else rule,
        "rule": rule,
        "zh": zh,
        "en": en,
        "bo": bo,
    }


def parse_at(raw: object) -> dt.datetime | None:
    """An ISO 8601 instant (a time without an offset is China Standard Time), in UTC."""
    if not isinstance(raw, str) or not 16 <= len(raw) <= 40:
        return None
    try:
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=CST)
    try:
        return at.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def local_day(at: dt.datetime) -> dt.date:
    """The date in Beijing time of an aware instant."""
    return (at + _CST_OFFSET).date() if at.utcoffset() == _ZERO else at.astimezone(CST).date()


_CST_OFFSET = dt.timedelta(hours=8)
_ZERO = dt.timedelta(0)


def aware(at: dt.datetime | None) -> dt.datetime | None:
    """A stored instant as an aware UTC datetime (SQLite hands back naive UTC)."""
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _lock_project(session: Session, project_id: int) -> None:
    """Ingests into one project take turns (PostgreSQL; SQLite writers already do), so two
    gates sending the same worker's day at once each recompute it from every event."""
    if not store.is_sqlite_session(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": LOCK_KEY, "b": project_id}
        )


def ingest(
    session: Session,
    device: WgDevice,
    events: object,
    by: Principal,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
) -> Report:
    """Store a device's batch (a list of ``{"id", "worker", "at", "kind"}``), answering each
    event on its own; recompute every worker-day the accepted events touch. Audited once."""
    if not isinstance(events, list):
        raise invalid("events", "events", "events 须为事件列表", "events must be a list of events")
    if len(events) > MAX_BATCH:
        raise invalid(
            "events",
            "batch_too_large",
            f"每批最多{MAX_BATCH}条事件",
            f"at most {MAX_BATCH} events a batch",
            bo=f"ཚར་རེར་བྱ་བ་{MAX_BATCH}ལས་མང་བ་མི་ཆོག",
        )
    now = now or dt.datetime.now(dt.UTC)
    cfg = settings or Settings.on(now.astimezone(CST).date(), device.division_code)
    latest = now + cfg.future_tolerance
    report = Report(results=[{}] * len(events))
    candidates: list[tuple[int, str, int, dt.datetime, dt.date, str]] = []
    seen: set[str] = set()
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            report.results[i] = _refusal(i, None, "event")
            continue
        eid, worker, kind = ev.get("id"), ev.get("worker"), ev.get("kind")
        if not isinstance(eid, str) or not EVENT_ID.match(eid):
            report.results[i] = _refusal(i, None, "id")
            continue
        if type(worker) is not int or not 1 <= worker <= MAX_ID:
            report.results[i] = _refusal(i, eid, "worker")
            continue
        at = parse_at(ev.get("at"))
        if at is None:
            report.results[i] = _refusal(i, eid, "at")
            continue
        if kind not in ("in", "out"):
            report.results[i] = _refusal(i, eid, "kind")
            continue
        if at > latest:
            report.results[i] = _refusal(i, eid, "future")
            continue
        if eid in seen:
            report.results[i] = {"index": i, "id": eid, "status": "duplicate"}
            continue
        seen.add(eid)
        candidates.append((i, eid, worker, at, local_day(at), kind))
    _lock_project(session, device.project_id)
    naive = store.is_sqlite_session(session)
    received: object = store.stamp(now) if naive else now
    roster = store.roster(session, {c[2] for c in candidates})
    stored = store.stored_ids(session, device.id, [c[1] for c in candidates])
    rows: list[dict[str, Any]] = []
    touched: dict[tuple[int, dt.date], list[tuple[dt.datetime, str]]] = {}
    for i, eid, worker, at, day, kind in candidates:
        membership = roster.get(worker)
        if membership is None or membership[0] != device.project_id:
            report.results[i] = _refusal(i, eid, "not_on_project")
        elif day < membership[1] or (membership[2] is not None and day > membership[2]):
            report.results[i] = _refusal(i, eid, "not_on_site")
        elif eid in stored:
            report.results[i] = {"index": i, "id": eid, "status": "duplicate"}
        else:
            report.results[i] = {"index": i, "id": eid, "status": "accepted"}
            rows.append(
                {
                    "device_id": device.id,
                    "device_event_id": eid,
                    "worker_id": worker,
                    "at": store.stamp(at) if naive else at,
                    "day": day.isoformat() if naive else day,
                    "kind": kind,
                    "received_at": received,
                }
            )
            touched.setdefault((worker, day), []).append((at, kind))
    for r in report.results:
        status = r["status"]
        report.accepted += status == "accepted"
        report.duplicates += status == "duplicate"
        report.refused += status == "refused"
    if rows:
        store.many(
            session,
            "INSERT INTO wg_attendance_events (device_id, device_event_id, worker_id, at, day, "
            "kind, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [tuple(r.values()) for r in rows],
        )
        report.days = store.recompute(session, device.project_id, touched, cfg.standard_minutes)
    audit.record(
        session,
        by,
        "ingest",
        "wg_attendance",
        device.id,
        device.division_code,
        {
            "serial": device.serial,
            "accepted": report.accepted,
            "duplicates": report.duplicates,
            "refused": report.refused,
        },
    )
    return report


# ------------------------------------------------------------------------------ reads


def this_month() -> str:
    """The current month in Lhasa, ``YYYY-MM``."""
    return dt.datetime.now(CST).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → its first and last day; anything else is a 422 on ``month``."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2200:
        raise invalid(
            "month",
            "month",
            "月份须为 YYYY-MM 格式",
            "the month must be YYYY-MM",
            bo="ཟླ་བ་ YYYY-MM བྲིས་དགོས།",
        )
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def day_out(d: WgAttendanceDay) -> dict[str, Any]:
    fi, lo = aware(d.first_in), aware(d.last_out)
    return {
        "worker_id": d.worker_id,
        "day": d.day.isoformat(),
        "first_in": None if fi is None else fi.astimezone(CST).isoformat(),
        "last_out": None if lo is None else lo.astimezone(CST).isoformat(),
        "hours": round(d.minutes / 60, 2),
        "overtime_hours": round(d.overtime_minutes / 60, 2),
        "minutes": d.minutes,
        "overtime_minutes": d.overtime_minutes,
        "events": d.events,
    }


def days_in(
    session: Session, month: str, *, project_id: int | None = None, worker_ids: list[int] | None
) -> list[WgAttendanceDay]:
    first, last = month_bounds(month)
    D = WgAttendanceDay
    q = select(D).where(D.day >= first, D.day <= last)
    if project_id is not None:
        q = q.where(D.project_id == project_id)
    if worker_ids is not None:
        q = q.where(D.worker_id.in_(worker_ids or [0]))
    return list(session.scalars(q.order_by(D.worker_id, D.day)))


def monthly(
    session: Session, month: str, *, project_id: int | None = None, worker_ids: list[int] | None
) -> list[dict[str, Any]]:
    """Each worker's month: days present (a day with any worked minute), hours, overtime — read
    from the summary the ingest keeps (``wg_attendance_months``), one row per worker."""
    month_bounds(month)  # a 422 on a malformed month
    M = WgAttendanceMonth
    q = select(M.worker_id, M.project_id, M.days, M.minutes, M.overtime_minutes).where(
        M.month == month
    )
    if project_id is not None:
        q = q.where(M.project_id == project_id)
    if worker_ids is not None:
        q = q.where(M.worker_id.in_(worker_ids or [0]))
    return [
        {
            "worker_id": wid,
            "project_id": pid,
            "month": month,
            "days": int(days),
            "hours": round(int(minutes) / 60, 2),
            "overtime_hours": round(int(ot) / 60, 2),
            "minutes": int(minutes),
            "overtime_minutes": int(ot),
        }
        for wid, pid, days, minutes, ot in session.execute(q.order_by(M.worker_id))
    ]


__all__ = [
    "CST",
    "MAX_BATCH",
    "REASONS",
    "Day",
    "Report",
    "Settings",
    "day_of",
    "day_out",
    "days_in",
    "ingest",
    "local_day",
    "month_bounds",
    "monthly",
    "parse_at",
    "this_month",
]
