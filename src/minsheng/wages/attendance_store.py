"""Attendance storage on the driver: the ingest writes hundreds of thousands of rows, and
SQLAlchemy's per-row parameter handling cost more than the database's work — so the events and
day rows are written by ``executemany`` straight on the DBAPI cursor (in the session's
transaction), day rows upserted ``ON CONFLICT``; instants are naive UTC text on SQLite (as
SQLAlchemy stores them there) and aware on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from minsheng.wages.attendance_rules import day_of


def chunks(items: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def is_sqlite_session(session: Session) -> bool:
    """Whether the session's database is SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def stamp(at: dt.datetime) -> str:
    """An instant as SQLAlchemy stores it on SQLite: naive UTC text."""
    if at.utcoffset():
        at = at.astimezone(dt.UTC)
    return at.replace(tzinfo=None).isoformat(" ")


def many(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """An executemany straight on the driver (``?`` placeholders; ``%s`` for psycopg): the
    ingest writes hundreds of thousands of rows, and SQLAlchemy's per-row parameter handling
    cost more than the database's work."""
    if not rows:
        return
    if not is_sqlite_session(session):
        sql = sql.replace("?", "%s")
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def rows(session: Session, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """A query straight on the driver (see :func:`_many`)."""
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _in(session: Session, n: int) -> str:
    mark = "?" if is_sqlite_session(session) else "%s"
    return ", ".join([mark] * n)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def roster(
    session: Session, worker_ids: set[int]
) -> dict[int, tuple[int, dt.date, dt.date | None]]:
    out: dict[int, tuple[int, dt.date, dt.date | None]] = {}
    for part in chunks(sorted(worker_ids), 5000):
        sql = (
            "SELECT id, project_id, entry_on, exit_on FROM wg_workers "
            f"WHERE id IN ({_in(session, len(part))})"
        )
        for wid, pid, entry, exit_on in rows(session, sql, tuple(part)):
            out[wid] = (pid, _date(entry), _date(exit_on))  # type: ignore[assignment]
    return out


def stored_ids(session: Session, device_id: int, event_ids: list[str]) -> set[str]:
    found: set[str] = set()
    mark = "?" if is_sqlite_session(session) else "%s"
    for part in chunks(event_ids, 5000):
        sql = (
            f"SELECT device_event_id FROM wg_attendance_events WHERE device_id = {mark} "
            f"AND device_event_id IN ({_in(session, len(part))})"
        )
        found.update(r[0] for r in rows(session, sql, (device_id, *part)))
    return found


def recompute(
    session: Session,
    project_id: int,
    fresh: dict[tuple[int, dt.date], list[tuple[dt.datetime, str]]],
    standard_minutes: int,
) -> int:
    """Rewrite the day rows of these (worker, day) pairs from all their stored events.

    ``fresh`` holds the events this batch stored for each pair. A pair without a day row had
    no stored event before the batch (every stored event has made or remade its day, under the
    project's lock), so its day is the batch's events alone; a pair with a row (a late event,
    the day's second post) is reread from the events table — one read per local day touched."""
    naive = is_sqlite_session(session)
    by_day: dict[dt.date, list[int]] = {}
    for worker, day in fresh:
        by_day.setdefault(day, []).append(worker)
    events = dict(fresh)
    mark = "?" if naive else "%s"
    for day, workers in by_day.items():
        key = day.isoformat() if naive else day
        for part in chunks(sorted(workers), 5000):
            marks = ", ".join([mark] * len(part))
            known = [
                r[0]
                for r in rows(
                    session,
                    f"SELECT worker_id FROM wg_attendance_days WHERE day = {mark} "
                    f"AND worker_id IN ({marks})",
                    (key, *part),
                )
            ]
            if not known:
                continue
            for wid in known:
                events[(wid, day)] = []
            sql = (
                "SELECT worker_id, at, kind FROM wg_attendance_events WHERE day = "
                f"{mark} AND worker_id IN ({', '.join([mark] * len(known))})"
            )
            for wid, at, kind in rows(session, sql, (key, *known)):
                if naive:
                    at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
                events[(wid, day)].append((at, kind))
    values: list[tuple[Any, ...]] = []
    for (worker, day), evs in events.items():
        d = day_of(evs, standard_minutes)
        fi: object = d.first_in
        lo: object = d.last_out
        if naive:
            fi = None if d.first_in is None else stamp(d.first_in)
            lo = None if d.last_out is None else stamp(d.last_out)
        values.append(
            (
                worker,
                project_id,
                day.isoformat() if naive else day,
                fi,
                lo,
                d.minutes,
                d.overtime_minutes,
                d.events,
            )
        )
    many(
        session,
        "INSERT INTO wg_attendance_days (worker_id, project_id, day, first_in, last_out, "
        "minutes, overtime_minutes, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (worker_id, day) DO UPDATE SET first_in = excluded.first_in, "
        "last_out = excluded.last_out, minutes = excluded.minutes, "
        "overtime_minutes = excluded.overtime_minutes, events = excluded.events",
        values,
    )
    return len(values)
