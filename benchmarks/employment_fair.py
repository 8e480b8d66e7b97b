"""Employment benchmarks (issue 14): job-fair check-in at the entrance over HTTP.

fair: a running Lhasa fair with ``--exhibitors`` employers at allocated booths and
``--visitors`` registered persons arriving with their ID numbers. uvicorn serves the platform
on 127.0.0.1 (``--server-workers`` processes, 2 by default: one a core; a random free
port; the same SQLite file); ``--threads``
entrance desks (httpx clients, each its own thread) post ``POST /api/employment/fairs/{id}/
checkins`` with a caseworker's bearer token. Each first check-in finds the person by the keyed
hash, files the seeker (``register_by_id``), stores the check-in, audits it and answers the
recommended booths (``jobs_for_seeker`` among the fair's vacancies). Bar: ≥ 200 check-ins/s.
Baselines in the same run: one desk (one thread) checking visitors in one after another, the
repeated check-in (a second swipe: answered from the stored row) and the same desks on the
trivial authenticated endpoint ``GET /api/auth/me`` (what this server stack and client can do
at all on this machine).

Run: ``uv run python benchmarks/employment_fair.py [--visitors 3000] [--threads 8]``.
No timed assertions; the figures go in the docs by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.serving import WRK, environment, start_server, wrk_rate


def build(db_url: str, visitors: int, exhibitors: int) -> dict[str, Any]:
    """The database: persons, employers with vacancies and booths at a fair running all day
    today (Beijing time), and a caseworker's token."""
    from minsheng import models  # noqa: F401  (every table)
    from minsheng.auth.tokens import create_token
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker, upgrade
    from minsheng.employment import fairs
    from minsheng.employment.fair_models import EmFair, EmFairApplication, EmFairBooth
    from minsheng.employment.vacancy_models import EmVacancy
    from minsheng.foundation.principals import PERMISSIONS, system
    from minsheng.registry import service as registry
    from minsheng.registry.organisations import create_employer
    from minsheng.registry.schemas import EmployerIn, PersonIn

    engine = make_engine(db_url)
    upgrade(engine)
    by = system("bench")
    today = fairs.local(fairs.now()).date()
    numbers: list[str] = []
    with make_sessionmaker(engine)() as s:
        for i in range(visitors):
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=(i * 37) % 12000)
            number = ids.make_resident_id("540102", birth, i % 1000)
            registry.create_person(
                s, PersonIn(id_number=number, name_zh="参会求职者", hukou="urban"), by
            )
            numbers.append(number)
        fair = EmFair(
            name="基准测试招聘会",
            division_code="540102",
            venue="城关区人力资源市场",
            theme="general",
            cadence="once",
            starts_on=today,
            ends_on=today,
            opens_at=dt.time(0, 0),
            closes_at=dt.time(23, 59, 59),
            state="open",
            created_by="bench",
        )
        s.add(fair)
        s.flush()
        booths = [
            EmFairBooth(fair_id=fair.id, number=f"A{i + 1:02d}", klass="standard", capacity=5)
            for i in range(exhibitors)
        ]
        s.add_all(booths)
        s.flush()
        for i in range(exhibitors):
            e = create_employer(
                s,
                EmployerIn(
                    credit_code=ids.make_credit_code("540102", 9000 + i),
                    name=f"基准参会单位{i}",
                    division_code="540102",
                ),
                by,
            )
            vids = []
            for j in range(3):
                v = EmVacancy(
                    employer_id=e.id,
                    division_code="540102",
                    title=f"岗位{i}-{j}",
                    occupation=("2-02", "4-03", "6-01", "4-01")[(i + j) % 4],
                    count=3,
                    filled=0,
                    wage_min=300_000,
                    wage_max=500_000,
                    skills="[]",
                    languages="[]",
                    requirements="",
                    closing_on=today + dt.timedelta(days=60),
                    state="published",
                    created_by="bench",
                )
                s.add(v)
                s.flush()
                vids.append(v.id)
            s.add(
                EmFairApplication(
                    fair_id=fair.id,
                    employer_id=e.id,
                    wanted_class="standard",
                    vacancy_ids=json.dumps(vids),
                    state="accepted",
                    booth_id=booths[i].id,
                    by="bench",
                )
            )  # the fair runs all day today: its booths were allocated before (written here)
        s.flush()
        fair.state = "allocated"
        user = create_user(s, by, "bench.entrance", "correct-horse-1", "caseworker", "540100")
        raw, _ = create_token(s, by, user.id, "bench", sorted(PERMISSIONS["caseworker"]))
        s.commit()
        fair_id = fair.id
    engine.dispose()
    return {"fair": fair_id, "numbers": numbers, "token": raw}


def desks(count: int, work: Callable[[int], None]) -> float:
    """Run ``work(i)`` for desks 0 … count-1 at once, each in its thread; the seconds taken
    (any desk's error is raised)."""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]
    return time.perf_counter() - t


def fair_bench(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-fair-"))
    db_url = environment(data_dir)
    import httpx

    t = time.perf_counter()
    world = build(db_url, args.visitors, args.exhibitors)
    built = time.perf_counter() - t
    print(f"[fair] built {args.visitors:,} persons, {args.exhibitors} booths in {built:.1f} s")
    server, base = start_server(args.server_workers)
    url = f"{base}/api/employment/fairs/{world['fair']}/checkins"
    headers = {"Authorization": f"Bearer {world['token']}"}
    try:
        numbers: list[str] = world["numbers"]
        single, rest = numbers[: args.single], numbers[args.single :]

        def check(client: httpx.Client, number: str, first: bool) -> None:
            r = client.post(url, json={"id_number": number}, headers=headers)
            assert r.status_code == (201 if first else 200), r.text
            assert r.json()["booths"], r.text

        # baseline: one desk, one visitor after another
        with httpx.Client(timeout=60) as client:
            t0 = time.perf_counter()
            for n in single:
                check(client, n, True)
            one_rate = len(single) / (time.perf_counter() - t0)
        # the bar: ``--threads`` desks at once
        shares = [rest[i :: args.threads] for i in range(args.threads)]

        def desk(i: int) -> None:
            with httpx.Client(timeout=60) as client:
                for n in shares[i]:
                    check(client, n, True)

        seconds = desks(args.threads, desk)
        rate = len(rest) / seconds
        # the ceiling of this stack and client: the trivial authenticated endpoint (the token
        # resolved, the guards, one JSON answer), ``--threads`` desks at once, same server
        me = f"{base}/api/auth/me"
        per = max(1, len(rest) // args.threads)

        def trivial(i: int) -> None:
            with httpx.Client(timeout=60) as client:
                for _ in range(per):
                    assert client.get(me, headers=headers).status_code == 200

        trivial_rate = per * args.threads / desks(args.threads, trivial)
        # a second swipe of the same visitors: answered from the stored check-in
        again = rest[: args.single]
        with httpx.Client(timeout=60) as client:
            t2 = time.perf_counter()
            for n in again:
                check(client, n, False)
            repeat_rate = len(again) / (time.perf_counter() - t2)
        print(
            f"[fair/SQLite] {args.server_workers} server processes, {args.threads} desks: "
            f"{len(rest):,} first check-ins (seeker filed, "
            f"booths recommended) in {seconds:.2f} s = {rate:,.0f} check-ins/s (bar ≥ 200: "
            f"{'met' if rate >= 200 else 'NOT met'}); baseline one desk {one_rate:,.0f}/s "
            f"(from {len(single):,}); repeated check-in {repeat_rate:,.0f}/s"
        )
        print(
            f"[fair/SQLite] the same desks on GET /api/auth/me (the stack's ceiling with this "
            f"client): {trivial_rate:,.0f}/s — check-in at {rate / trivial_rate:.0%} of it"
        )
    finally:
        server.terminate()
        server.wait(10)


def fair_wrk(args: argparse.Namespace) -> None:
    """The same bar with wrk (C, one thread) as the client: the Python client's own CPU is
    left out of the two cores the server has."""

    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-fair-"))
    db_url = environment(data_dir, args.url)
    world = build(db_url, args.visitors, args.exhibitors)
    name = "PostgreSQL" if args.url else "SQLite"
    numbers_file = data_dir / "numbers.txt"
    numbers_file.write_text("\n".join(world["numbers"]) + "\n")
    server, base = start_server(args.server_workers)
    try:
        conns, seconds = str(args.threads), f"{args.wrk_seconds}s"
        common = ["-t", "1", "-c", conns, "-d", seconds, "--latency"]
        me_rate, me_lat, _ = wrk_rate(
            [*common, "-s", str(WRK / "get.lua"), f"{base}/api/auth/me", "--", world["token"]]
        )
        url = f"{base}/api/employment/fairs/{world['fair']}/checkins"
        rate, lat, others = wrk_rate(
            [*common, "-s", str(WRK / "checkin.lua"), url, "--",
             str(numbers_file), world["token"], "1"]
        )  # fmt: skip
        print(
            f"[fair/{name}, wrk] {args.server_workers} server processes, {conns} connections, "
            f"{seconds}: {rate:,.0f} first check-ins/s ({lat}; {others} answers not a first "
            f"check-in) (bar ≥ 200: {'met' if rate >= 200 and others == 0 else 'NOT met'}); "
            f"GET /api/auth/me {me_rate:,.0f}/s ({me_lat}) — check-in at {rate / me_rate:.0%}"
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visitors", type=int, default=8000)  # wrk must not run out at 300/s
    ap.add_argument("--exhibitors", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--only", choices=["fair", "wrk"], default=None)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--url", default=None, help="PostgreSQL: a server URL (wrk run only)")
    args = ap.parse_args()
    if args.only in (None, "fair"):
        fair_bench(args)
    if args.only in (None, "wrk") and shutil.which("wrk"):
        fair_wrk(args)
    elif args.only == "wrk":
        print("wrk not found (apt-get install wrk)")


if __name__ == "__main__":
    main()
