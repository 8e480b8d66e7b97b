"""Wage-protection benchmark (issue 13, speed bar 2): the monitoring scan over ``--projects``
(10,000) projects and ``--workers`` (500,000) real-name workers with a month of attendance
(October 2026, every working day: ~11 M worker-days), as of 2026-12-02 (September and October
past their pay day). Nine projects in ten are clean (account, transfers, deposit, a paid sheet
covering every worker); the tenth has no sheet for October, so its workers' attendance is
unpaid. Bar: the scan < 10 s on SQLite. Baseline in the same process: the grouped query over
every worker-day that the scan ran before the monthly summary (``wg_attendance_months``) —
that one query alone, against the whole scan now.

The rows are written straight into the tables through the driver (foreign keys to ``persons``
not enforced for the setup: the scan never reads persons). The scan runs twice: the first
raises the warnings, the second (the nightly rerun) finds the same and changes nothing.

Run: ``uv run python benchmarks/wages_scan.py [--projects 10000] [--workers 500000]
[--url postgresql://…]``. Figures go in docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 12, 2)
MONTH = "2026-10"
COUNTIES = ("540102", "540103", "540121", "540202", "540402", "540502")


def _environment(data_dir: Path, url: str | None) -> str:
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    db_url = url or f"sqlite:///{data_dir / 'bench.db'}"
    os.environ["MINSHENG_DATABASE_URL"] = db_url
    from minsheng.config import Settings
    from minsheng.foundation import crypto

    keys = Settings.from_env().keys
    assert keys is not None
    crypto.configure(keys)
    return db_url


def setup(engine: object, projects: int, workers: int) -> int:
    """Write the world; returns the worker-days written."""
    from sqlalchemy import Engine

    from minsheng.core import calendar, ids

    assert isinstance(engine, Engine)
    pg = engine.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    raw = engine.raw_connection()
    cur = raw.cursor()
    if pg:
        cur.execute("SET session_replication_role = replica")  # no FK checks for the setup
    else:
        cur.execute("PRAGMA foreign_keys = OFF")
        cur.execute("PRAGMA synchronous = OFF")

    def put(table: str, cols: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
        for i in range(0, len(rows), 50_000):
            cur.executemany(sql, rows[i : i + 50_000])

    per = workers // projects
    employers = [
        (i + 1, ids.make_credit_code(COUNTIES[i % 6], 1000 + i), f"建工{i}", COUNTIES[i % 6])
        for i in range(100)
    ]
    put("employers", ("id", "credit_code", "name", "division_code"), employers)
    signed, start = dt.date(2026, 1, 10), dt.date(2026, 2, 1)
    put(
        "wg_projects",
        (
            "id",
            "code",
            "name",
            "division_code",
            "contract_value",
            "contract_signed_on",
            "start_date",
            "state",
            "created_at",
        ),
        [
            (
                p,
                f"B{p:06d}",
                f"工地{p}",
                COUNTIES[p % 6],
                500_000_000,
                signed,
                start,
                "active",
                dt.datetime(2026, 1, 1),
            )
            for p in range(1, projects + 1)
        ],
    )
    put(
        "wg_project_firms",
        ("id", "project_id", "employer_id", "role"),
        [(p, p, p % 100 + 1, "general") for p in range(1, projects + 1)],
    )
    put(
        "wg_teams",
        ("id", "project_id", "firm_id", "name"),
        [(p, p, p, "班组") for p in range(1, projects + 1)],
    )
    put(
        "wg_workers",
        (
            "id",
            "project_id",
            "team_id",
            "person_id",
            "division_code",
            "contract_no",
            "contract_signed_on",
            "rate_kind",
            "rate",
            "entry_on",
            "open_key",
        ),
        [
            (
                w,
                (w - 1) // per + 1,
                (w - 1) // per + 1,
                w,
                COUNTIES[((w - 1) // per + 1) % 6],
                f"HT{w}",
                start,
                "day",
                30_000,
                start,
                w,
            )
            for w in range(1, per * projects + 1)
        ],
    )
    put(
        "wg_wage_accounts",
        (
            "id",
            "project_id",
            "division_code",
            "bank_name",
            "account_number",
            "account_tail",
            "opened_on",
            "filed_on",
            "balance",
            "version",
        ),
        [
            (
                p,
                p,
                COUNTIES[p % 6],
                "农行",
                "x",
                "0001",
                dt.date(2026, 1, 20),
                dt.date(2026, 1, 30),
                10**10,
                1,
            )
            for p in range(1, projects + 1)
        ],
    )
    put(
        "wg_labour_transfers",
        ("account_id", "project_id", "paid_on", "amount", "reference", "by", "at"),
        [
            (p, p, dt.date(2026, 11, 25), 10**8, f"T{p}", "bench", dt.datetime(2026, 11, 25))
            for p in range(1, projects + 1)
        ],
    )
    put(
        "wg_deposits",
        (
            "project_id",
            "employer_id",
            "division_code",
            "contract_value",
            "rate_ppm",
            "band",
            "required",
            "exempt",
            "state",
            "lodge_by",
            "lodged_on",
            "balance",
            "form",
            "created_at",
        ),
        [
            (
                p,
                p % 100 + 1,
                COUNTIES[p % 6],
                500_000_000,
                10_000,
                "base",
                5_000_000,
                False,
                "lodged",
                dt.date(2026, 2, 10),
                dt.date(2026, 2, 1),
                5_000_000,
                "cash",
                dt.datetime(2026, 1, 1),
            )
            for p in range(1, projects + 1)
        ],
    )
    days = [
        d
        for d in (dt.date(2026, 10, 1) + dt.timedelta(i) for i in range(31))
        if calendar.is_working_day(d)
    ]
    paid = [p for p in range(1, projects + 1) if p % 10]
    put(
        "wg_pay_sheets",
        (
            "id",
            "project_id",
            "team_id",
            "division_code",
            "month",
            "state",
            "total",
            "built_by",
            "built_at",
            "keep_until",
        ),
        [
            (
                p,
                p,
                p,
                COUNTIES[p % 6],
                MONTH,
                "paid",
                per * len(days) * 30_000,
                "bench",
                dt.datetime(2026, 11, 5),
                dt.date(2029, 11, 5),
            )
            for p in paid
        ],
    )
    lines = []
    for p in paid:
        for w in range((p - 1) * per + 1, p * per + 1):
            lines.append(
                (
                    p,
                    w,
                    w,
                    MONTH,
                    False,
                    len(days),
                    0,
                    0,
                    0,
                    0,
                    0,
                    "day",
                    30_000,
                    len(days) * 30_000,
                    0,
                    len(days) * 30_000,
                    "confirmed",
                )
            )
    put(
        "wg_pay_lines",
        (
            "sheet_id",
            "worker_id",
            "person_id",
            "for_month",
            "back_pay",
            "days",
            "minutes",
            "pieces",
            "ot_working_minutes",
            "ot_rest_minutes",
            "ot_holiday_minutes",
            "rate_kind",
            "rate",
            "base",
            "overtime_pay",
            "gross",
            "confirmation",
        ),
        lines,
    )
    # each paid sheet paid by an issued pay run: one payment per line (line ids in order)
    put(
        "wg_pay_runs",
        ("id", "project_id", "month", "region", "by", "new_payments", "new_total", "state"),
        [
            (p, p, MONTH, COUNTIES[p % 6], "bench", per, per * len(days) * 30_000, "issued")
            for p in paid
        ],
    )
    put(
        "wg_payments",
        (
            "pay_key",
            "run_id",
            "line_id",
            "worker_id",
            "person_id",
            "project_id",
            "month",
            "amount",
            "account_tail",
            "keep_until",
        ),
        [
            (
                f"w{ln[1]}:{MONTH}",
                ln[0],
                i,
                ln[1],
                ln[2],
                ln[0],
                MONTH,
                ln[15],
                "0001",
                dt.date(2029, 11, 5),
            )
            for i, ln in enumerate(lines, start=1)
        ],
    )
    put(
        "wg_attendance_months",
        ("worker_id", "project_id", "month", "days", "minutes", "overtime_minutes", "first_day"),
        [
            (w, (w - 1) // per + 1, MONTH, len(days), 540 * len(days), 60 * len(days), days[0])
            for w in range(1, per * projects + 1)
        ],
    )
    n = 0
    cols = ("worker_id", "project_id", "day", "minutes", "overtime_minutes", "events")
    chunk: list[tuple[object, ...]] = []
    for w in range(1, per * projects + 1):
        pid = (w - 1) // per + 1
        for d in days:
            chunk.append((w, pid, d, 540, 60, 4))
        if len(chunk) >= 200_000:
            put("wg_attendance_days", cols, chunk)
            n += len(chunk)
            chunk = []
    put("wg_attendance_days", cols, chunk)
    n += len(chunk)
    raw.commit()
    if pg:
        cur.execute("ANALYZE")
    else:
        cur.execute("ANALYZE")
    raw.commit()
    raw.close()
    return n


def baseline(engine: object) -> tuple[float, int]:
    """The scan's attendance figures the way they were read before the monthly summary: one
    grouped query over every worker-day of the window, joined to the lines of paid sheets
    (the same shape of answer: per project and month). Seconds, rows."""
    from sqlalchemy import Engine, text

    assert isinstance(engine, Engine)
    month = (
        "to_char(day, 'YYYY-MM')" if engine.dialect.name == "postgresql" else "substr(day, 1, 7)"
    )
    sql = text(
        "SELECT att.project_id, att.month, count(*), "
        "sum(CASE WHEN paid.gross IS NULL THEN 1 ELSE 0 END), "
        "sum(CASE WHEN paid.gross IS NOT NULL AND w.rate * att.days > paid.gross "
        "THEN 1 ELSE 0 END), "
        "sum(CASE WHEN att.first < w.contract_signed_on THEN 1 ELSE 0 END) "
        f"FROM (SELECT worker_id, project_id, {month} AS month, count(*) AS days, "
        "sum(minutes) AS minutes, min(day) AS first FROM wg_attendance_days "
        f"WHERE day >= :first AND day < :after GROUP BY worker_id, project_id, {month}) att "
        "JOIN wg_workers w ON w.id = att.worker_id "
        "LEFT JOIN (SELECT l.worker_id, l.for_month, sum(l.gross) AS gross FROM wg_pay_lines l "
        "JOIN wg_pay_sheets sh ON sh.id = l.sheet_id WHERE sh.state = 'paid' "
        "AND l.for_month >= :m0 AND l.for_month <= :m1 GROUP BY l.worker_id, l.for_month) paid "
        "ON paid.worker_id = att.worker_id AND paid.for_month = att.month "
        "GROUP BY att.project_id, att.month"
    )
    t = time.perf_counter()
    with engine.connect() as c:
        n = len(
            c.execute(
                sql,
                {
                    "first": dt.date(2026, 9, 1),
                    "after": dt.date(2026, 12, 1),
                    "m0": "2026-09",
                    "m1": "2026-11",
                },
            ).all()
        )
    return time.perf_counter() - t, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=500_000)
    ap.add_argument("--url", default=None)
    a = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="wg-scan-bench-"))
    url = _environment(data_dir, a.url)
    from minsheng.db import make_engine, make_sessionmaker, unit_of_work, upgrade
    from minsheng.foundation.principals import system
    from minsheng.wages import monitoring

    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    rows = setup(engine, a.projects, a.workers)
    print(
        f"setup: {a.projects} projects, {a.workers} workers, {rows} worker-days "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    base, base_rows = baseline(engine)
    print(f"baseline: the grouped query over the worker-days alone {base:.2f} s ({base_rows} rows)")
    for run in ("first", "rerun"):
        cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        t = time.perf_counter()
        with unit_of_work(make_sessionmaker(engine)) as s:
            r = monitoring.scan(s, TODAY, system("bench"))
        wall = time.perf_counter() - t
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0
        print(
            f"scan ({run}) on {engine.dialect.name}: {wall:.2f} s wall, {cpu:.2f} s CPU"
            f" ({wall / base:.2f}× the baseline's one query) — {r.as_dict()}"
        )


if __name__ == "__main__":
    main()
