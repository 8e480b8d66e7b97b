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
    """Rewrite the day rows of these (worker, day) pairs from all their stored events, and move
    each worker's month (``wg_attendance_months``) by the difference the new days make.

    ``fresh`` holds the events this batch stored for each pair. A pair without a day row had
    no stored event before the batch (every stored event has made or remade its day, under the
    project's lock), so its day is the batch's events alone; a pair with a row (a late event,
    the day's second post) is reread from the events table — one read per local day touched.
    The same lock makes the month's difference safe: no other ingest touches these workers."""
    naive = is_sqlite_session(session)
    by_day: dict[dt.date, list[int]] = {}
    for worker, day in fresh:
        by_day.setdefault(day, []).append(worker)
    events = dict(fresh)
    before: dict[tuple[int, dt.date], tuple[int, int]] = {}  # the day's minutes, overtime
    mark = "?" if naive else "%s"
    for day, workers in by_day.items():
        key = day.isoformat() if naive else day
        for part in chunks(sorted(workers), 5000):
            marks = ", ".join([mark] * len(part))
            known = rows(
                session,
                "SELECT worker_id, minutes, overtime_minutes FROM wg_attendance_days "
                f"WHERE day = {mark} AND worker_id IN ({marks})",
                (key, *part),
            )
            if not known:
                continue
            for wid, minutes, overtime in known:
                events[(wid, day)] = []
                before[(wid, day)] = (minutes, overtime)
            sql = (
                "SELECT worker_id, at, kind FROM wg_attendance_events WHERE day = "
                f"{mark} AND worker_id IN ({', '.join([mark] * len(known))})"
            )
            for wid, at, kind in rows(session, sql, (key, *(k[0] for k in known))):
                if naive:
                    at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
                events[(wid, day)].append((at, kind))
    values: list[tuple[Any, ...]] = []
    months: dict[tuple[int, str], list[Any]] = {}  # days, minutes, overtime, first day, known
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
        old_minutes, old_overtime = before.get((worker, day), (0, 0))
        m = months.setdefault((worker, day.isoformat()[:7]), [0, 0, 0, day, False])
        m[0] += (d.minutes > 0) - (old_minutes > 0)
        m[1] += d.minutes - old_minutes
        m[2] += d.overtime_minutes - old_overtime
        m[3] = min(m[3], day)
        m[4] = m[4] or (worker, day) in before  # the month has a row already
    many(
        session,
        "INSERT INTO wg_attendance_days (worker_id, project_id, day, first_in, last_out, "
        "minutes, overtime_minutes, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (worker_id, day) DO UPDATE SET first_in = excluded.first_in, "
        "last_out = excluded.last_out, minutes = excluded.minutes, "
        "overtime_minutes = excluded.overtime_minutes, events = excluded.events",
        values,
    )
    add_months(
        session,
        project_id,
        [
            (w, month, n, minutes, ot, first.isoformat() if naive else first, known)
            for (w, month), (n, minutes, ot, first, known) in months.items()
        ],
    )
    return len(values)


def add_months(
    session: Session, project_id: int, deltas: list[tuple[int, str, int, int, int, Any, bool]]
) -> None:
    """Move workers' months by ``(worker, month, days, minutes, overtime, first day, known)``.

    A month with a day that had a row before (``known``) has its row: it is updated (its
    difference may be negative — a day recomputed shorter). Any other month's difference is
    its new days alone (never negative): inserted, or added to the row its other days made.
    (A negative difference cannot go through an upsert: both databases check the row proposed
    for insertion against the table's constraints before they see the conflict.)"""
    least = "min" if is_sqlite_session(session) else "LEAST"
    many(
        session,
        "UPDATE wg_attendance_months SET days = days + ?, minutes = minutes + ?, "
        f"overtime_minutes = overtime_minutes + ?, first_day = {least}(first_day, ?) "
        "WHERE worker_id = ? AND month = ?",
        [(n, mi, ot, first, w, month) for w, month, n, mi, ot, first, known in deltas if known],
    )
    many(
        session,
        "INSERT INTO wg_attendance_months (worker_id, project_id, month, days, minutes, "
        "overtime_minutes, first_day) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (worker_id, month) DO UPDATE SET "
        "days = wg_attendance_months.days + excluded.days, "
        "minutes = wg_attendance_months.minutes + excluded.minutes, "
        "overtime_minutes = wg_attendance_months.overtime_minutes + excluded.overtime_minutes, "
        f"first_day = {least}(wg_attendance_months.first_day, excluded.first_day)",
        [
            (w, project_id, month, n, mi, ot, first)
            for w, month, n, mi, ot, first, k in deltas
            if not k
        ],
    )


def month_of_day_sql(session: Session) -> str:
    """``YYYY-MM`` of ``day`` in the database's own words."""
    return "substr(day, 1, 7)" if is_sqlite_session(session) else "to_char(day, 'YYYY-MM')"


def rebuild_months(session: Session, worker_ids: Sequence[int] | None = None) -> None:
    """Rebuild the monthly summary from the day rows (of these workers, or all): for the
    migration that introduced it, for data written straight into the day table (the demo), and
    as the reference the kept summary is tested against."""
    month = month_of_day_sql(session)
    select_sql = (
        "SELECT worker_id, project_id, {m}, sum(CASE WHEN minutes > 0 THEN 1 ELSE 0 END), "
        "sum(minutes), sum(overtime_minutes), min(day) FROM wg_attendance_days {where}"
        "GROUP BY worker_id, project_id, {m}"
    )
    insert_sql = (
        "INSERT INTO wg_attendance_months (worker_id, project_id, month, days, minutes, "
        "overtime_minutes, first_day) "
    )
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if worker_ids is None:
            cursor.execute("DELETE FROM wg_attendance_months")
            cursor.execute(insert_sql + select_sql.format(m=month, where=""))
            return
        for part in chunks(sorted(set(worker_ids)), 5000):
            marks = _in(session, len(part))
            cursor.execute(f"DELETE FROM wg_attendance_months WHERE worker_id IN ({marks})", part)
            cursor.execute(
                insert_sql + select_sql.format(m=month, where=f"WHERE worker_id IN ({marks}) "),
                part,
            )
    finally:
        cursor.close()
