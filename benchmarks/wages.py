"""Wage-protection benchmarks (issue 13): attendance from site devices.

1. ingest: ``--events`` (1,000,000) attendance events of ``--workers`` real-name workers on
   ``--projects`` projects — four events a working day (in, out, in, out) over November, sent
   as the devices send them: batches of 5,000 events of one device, in time order, each batch
   its own transaction through :func:`minsheng.wages.attendance.ingest` (per-event checks,
   duplicates, the worker-days recomputed, one audit entry a batch). Bar: < 30 s on SQLite.
   Baseline in the same process: the same events the naive way — the ORM one event at a time
   (look the event id up, load the worker, add, flush, reread the day's events, upsert the
   day) — on a sample, projected to the whole.
2. api: the devices' route under uvicorn on 127.0.0.1 (one worker process, the same database):
   ``--api-devices`` devices posting signed batches of ``--api-batch`` events at once (each
   device its own thread). Bar: ≥ 1,000 events/s. Baseline: one event per signed request.

Run: ``uv run python benchmarks/wages.py [--events 1000000] [--url postgresql://…]
[--only ingest|api]``. Figures go in docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ENTRY = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)
BATCH = 5000
SCHEMAS: list[str] = []  # PostgreSQL schemas this run made (dropped at the end)


def _environment(data_dir: Path, url: str | None) -> str:
    """Point the platform at a fresh database (keys in ``data_dir``) before it is imported."""
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    db_url = url or f"sqlite:///{data_dir / 'bench.db'}"
    os.environ["MINSHENG_DATABASE_URL"] = db_url
    from minsheng.config import Settings
    from minsheng.foundation import crypto

    keys = Settings.from_env().keys
    assert keys is not None
    crypto.configure(keys)  # this run's keys, also when another part ran first
    return db_url


def build(db_url: str, projects: int, workers: int) -> tuple[Any, list[dict[str, Any]]]:
    """A database at head with ``projects`` projects of ``workers`` workers in all, and one
    device each; returns the engine and, per project, its device, secret and worker ids."""
    from sqlalchemy import insert, select

    from minsheng import models  # noqa: F401  (every table)
    from minsheng.db import Base, is_sqlite, make_engine, make_sessionmaker, unit_of_work, upgrade
    from minsheng.foundation import crypto
    from minsheng.foundation.principals import system
    from minsheng.registry.models import Employer, Person
    from minsheng.wages import attendance_devices
    from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker

    engine = make_engine(db_url)
    if not is_sqlite(engine):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with engine.begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        engine = make_engine(db_url, connect_args={"options": f"-csearch_path={schema}"})
        SCHEMAS.append(schema)
    upgrade(engine)
    assert Base.metadata.tables  # the models are loaded
    by = system("bench")
    factory = make_sessionmaker(engine)
    sites: list[dict[str, Any]] = []
    per = workers // projects
    with unit_of_work(factory) as s:
        s.execute(
            insert(Person),
            [
                {
                    "id_number": f"5401021985010{i:05d}",
                    "id_hash": crypto.lookup_hash(f"bench{i}"),
                    "id_masked": "540102********0000",
                    "name_zh": f"工人{i}",
                    "sex": "M",
                    "birth_date": dt.date(1985, 1, 1),
                    "division_code": "540102",
                    "hukou": "rural",
                }
                for i in range(workers)
            ],
        )
        people = list(s.scalars(select(Person.id).order_by(Person.id)))
        for p in range(projects):
            firm = Employer(
                credit_code=f"BENCH{p:013d}", name=f"施工单位{p}", division_code="540102"
            )
            project = WgProject(
                code=f"WG-BENCH-{p:05d}",
                name=f"考勤工地{p}",
                division_code="540102",
                contract_value=10**9,
                contract_signed_on=ENTRY,
                start_date=ENTRY,
                state="active",
            )
            s.add_all([firm, project])
            s.flush()
            general = WgProjectFirm(project_id=project.id, employer_id=firm.id, role="general")
            s.add(general)
            s.flush()
            team = WgTeam(project_id=project.id, firm_id=general.id, name="班组")
            s.add(team)
            s.flush()
            mine = people[p * per : (p + 1) * per]
            s.execute(
                insert(WgWorker),
                [
                    {
                        "project_id": project.id,
                        "team_id": team.id,
                        "person_id": person,
                        "division_code": "540102",
                        "contract_no": f"HT{person}",
                        "contract_signed_on": ENTRY,
                        "rate_kind": "day",
                        "rate": 30_000,
                        "entry_on": ENTRY,
                        "open_key": person,
                    }
                    for person in mine
                ],
            )
            ids = list(
                s.scalars(
                    select(WgWorker.id)
                    .where(WgWorker.project_id == project.id)
                    .order_by(WgWorker.id)
                )
            )
            device, secret = attendance_devices.register(s, project.id, f"BENCH-{p:05d}", None, by)
            sites.append(
                {"device_id": device.id, "serial": device.serial, "secret": secret, "workers": ids}
            )
    return engine, sites


def working_days(n: int) -> list[dt.date]:
    out, day = [], dt.date(2026, 11, 1)
    while len(out) < n:
        if day.weekday() < 6:  # Monday to Saturday on site
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def events_of(site: dict[str, Any], days: list[dt.date], prefix: str = "") -> list[dict[str, Any]]:
    """The project's events in time order: each worker in 08:00, out 12:00, in 14:00, out
    18:30 (minutes spread by worker) on each day."""
    out: list[dict[str, Any]] = []
    for d in days:
        for k, (hh, mm, kind) in enumerate(
            ((8, 0, "in"), (12, 0, "out"), (14, 0, "in"), (18, 30, "out"))
        ):
            for w in site["workers"]:
                at = dt.datetime(
                    d.year, d.month, d.day, hh, (mm + w) % 60, tzinfo=dt.UTC
                ) - dt.timedelta(hours=8)
                out.append(
                    {
                        "id": f"{prefix}{w}-{d:%m%d}-{k}",
                        "worker": w,
                        "at": at.isoformat(),
                        "kind": kind,
                    }
                )
    return out


def naive_ingest(s: Any, device: Any, events: list[dict[str, Any]]) -> None:
    """The baseline: the ORM one event at a time."""
    from sqlalchemy import select

    from minsheng.wages.attendance import day_of, local_day, parse_at
    from minsheng.wages.attendance_models import WgAttendanceDay as D
    from minsheng.wages.attendance_models import WgAttendanceEvent as E
    from minsheng.wages.models import WgWorker

    for e in events:
        if s.scalar(select(E.id).where(E.device_id == device.id, E.device_event_id == e["id"])):
            continue
        worker = s.get(WgWorker, e["worker"])
        assert worker is not None and worker.project_id == device.project_id
        at = parse_at(e["at"])
        assert at is not None
        day = local_day(at)
        s.add(
            E(
                device_id=device.id,
                device_event_id=e["id"],
                worker_id=worker.id,
                at=at,
                day=day,
                kind=e["kind"],
                received_at=NOW,
            )
        )
        s.flush()
        got = s.execute(select(E.at, E.kind).where(E.worker_id == worker.id, E.day == day)).all()
        d = day_of([(a.replace(tzinfo=dt.UTC) if a.tzinfo is None else a, k) for a, k in got], 480)
        row = s.scalar(select(D).where(D.worker_id == worker.id, D.day == day))
        if row is None:
            row = D(worker_id=worker.id, project_id=device.project_id, day=day)
            s.add(row)
        row.minutes, row.overtime_minutes, row.events = d.minutes, d.overtime_minutes, d.events
        row.first_in, row.last_out = d.first_in, d.last_out
        s.flush()


def ingest_bench(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-wages-"))
    db_url = _environment(data_dir, args.url)
    from sqlalchemy import func, select

    from minsheng.db import make_sessionmaker, unit_of_work
    from minsheng.foundation.principals import system
    from minsheng.wages import attendance
    from minsheng.wages.attendance_models import WgAttendanceDay, WgAttendanceEvent, WgDevice

    per_day = 4 * args.workers
    n_days = max(1, args.events // per_day)
    t0 = time.perf_counter()
    engine, sites = build(db_url, args.projects, args.workers + args.sample_workers)
    backend = "SQLite" if db_url.startswith("sqlite") else "PostgreSQL"
    print(
        f"[ingest/{backend}] built {args.projects} projects, {args.workers:,} workers in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    days = working_days(n_days)
    # the baseline's workers are the last ``sample_workers`` of the last project
    sample_ids = sites[-1]["workers"][-args.sample_workers :]
    sites[-1]["workers"] = sites[-1]["workers"][: -args.sample_workers]
    factory = make_sessionmaker(engine)
    by = system("bench")
    cfg = attendance.Settings.on(NOW.date(), "540102")
    batches: list[tuple[int, list[dict[str, Any]]]] = []
    for site in sites:
        evs = events_of(site, days)
        batches += [(site["device_id"], evs[i : i + BATCH]) for i in range(0, len(evs), BATCH)]
    total = sum(len(b) for _, b in batches)
    cpu0, t1 = time.process_time(), time.perf_counter()
    accepted = 0
    for device_id, batch in batches:
        with unit_of_work(factory) as s:
            device = s.get(WgDevice, device_id)
            accepted += attendance.ingest(s, device, batch, by, now=NOW, settings=cfg).accepted
    seconds, cpu = time.perf_counter() - t1, time.process_time() - cpu0
    with unit_of_work(factory) as s:
        n_days_rows = s.scalar(select(func.count()).select_from(WgAttendanceDay))
        n_events = s.scalar(select(func.count()).select_from(WgAttendanceEvent))
    # a resend of one batch: all duplicates
    t2 = time.perf_counter()
    with unit_of_work(factory) as s:
        dup = attendance.ingest(
            s, s.get(WgDevice, batches[0][0]), batches[0][1], by, now=NOW, settings=cfg
        )
    resend = time.perf_counter() - t2
    # the month read of one project
    t3 = time.perf_counter()
    with unit_of_work(factory) as s:
        month = attendance.monthly(s, "2026-11", project_id=None, worker_ids=sites[0]["workers"])
    read = time.perf_counter() - t3
    # baseline: the ORM one event at a time, on the sample workers
    sample_site = dict(sites[-1], workers=sample_ids)
    sample = events_of(sample_site, days[: max(1, args.sample_days)], prefix="n")
    with unit_of_work(factory) as s:
        device = s.get(WgDevice, sites[-1]["device_id"])
        t4 = time.perf_counter()
        naive_ingest(s, device, sample)
        naive = time.perf_counter() - t4
    naive_rate = len(sample) / naive
    rate = total / seconds
    print(
        f"[ingest/{backend}] {total:,} events ({accepted:,} accepted, {n_events:,} stored, "
        f"{n_days_rows:,} worker-days) in {len(batches)} batches: {seconds:.2f} s wall, "
        f"{cpu:.2f} s CPU, {rate:,.0f} events/s (bar < 30 s: "
        f"{'met' if seconds < 30 else 'NOT met'}); a resent batch of {len(batches[0][1]):,}: "
        f"{dup.duplicates:,} duplicates in {resend:.2f} s; month summary of "
        f"{len(month):,} workers {read * 1000:.0f} ms"
    )
    print(
        f"[ingest/{backend}] ORM one-by-one baseline {naive_rate:,.0f} events/s (from "
        f"{len(sample):,}) → {total / naive_rate:.0f} s for {total:,}; ratio "
        f"{rate / naive_rate:.0f}x"
    )
    engine.dispose()
    if SCHEMAS:
        from minsheng.db import make_engine

        admin = make_engine(db_url)
        with admin.begin() as c:
            for schema in SCHEMAS:
                c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_bench(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-wages-api-"))
    db_url = _environment(data_dir, args.url)
    import httpx

    from minsheng.wages.attendance_devices import signature

    if not db_url.startswith("sqlite"):
        print("[api] measured on SQLite only (the server is started on the same file)")
        return
    engine, sites = build(db_url, args.api_devices, args.api_devices * args.api_workers)
    engine.dispose()
    env = dict(os.environ)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "minsheng.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        days = working_days(26)

        def send(client: httpx.Client, site: dict[str, Any], events: list[dict[str, Any]]) -> int:
            body = json.dumps({"events": events}).encode()
            ts = str(int(time.time()))
            r = client.post(
                f"{base}/api/wages/devices/{site['serial']}/events",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Minsheng-Timestamp": ts,
                    "X-Minsheng-Signature": signature(site["secret"], ts, body),
                },
            )
            assert r.status_code == 200, r.text
            return int(r.json()["accepted"])

        # baseline: one event per request, one device
        single = events_of(sites[0], days[:1], prefix="s")[: args.api_single]
        with httpx.Client(timeout=60) as client:
            t0 = time.perf_counter()
            for e in single:
                send(client, sites[0], [e])
            one_rate = len(single) / (time.perf_counter() - t0)
        accepted = [0] * len(sites)

        def device(i: int) -> None:
            evs = events_of(sites[i], days)
            with httpx.Client(timeout=120) as client:
                for k in range(0, len(evs), args.api_batch):
                    accepted[i] += send(client, sites[i], evs[k : k + args.api_batch])

        threads = [threading.Thread(target=device, args=(i,)) for i in range(len(sites))]
        t1 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t1
        total = sum(accepted)
        rate = total / seconds
        print(
            f"[api/SQLite] {len(sites)} devices × batches of {args.api_batch:,}: {total:,} events "
            f"accepted in {seconds:.2f} s = {rate:,.0f} events/s (bar ≥ 1,000: "
            f"{'met' if rate >= 1000 else 'NOT met'}); one event per request baseline "
            f"{one_rate:,.0f} events/s (from {len(single):,}); ratio {rate / one_rate:.0f}x"
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--projects", type=int, default=10)
    ap.add_argument("--sample-workers", type=int, default=100)
    ap.add_argument("--sample-days", type=int, default=5)
    ap.add_argument("--api-devices", type=int, default=4)
    ap.add_argument("--api-workers", type=int, default=200)
    ap.add_argument("--api-batch", type=int, default=1000)
    ap.add_argument("--api-single", type=int, default=500)
    ap.add_argument("--url", default=None, help="a PostgreSQL server instead of SQLite")
    ap.add_argument("--only", choices=("ingest", "api"), default=None)
    args = ap.parse_args()
    if args.only != "api":
        ingest_bench(args)
    if args.only != "ingest":
        api_bench(args)


if __name__ == "__main__":
    main()
