"""Settlement over HTTP (issue 17, item 1): ``POST /api/medical/settlements`` beside the trivial
authenticated endpoint ``GET /api/auth/me``, the same server, the same run, at 8, 32 and 128
connections; wrk as the client (:mod:`benchmarks.serving`), on SQLite or — ``--url`` — on a
scratch database of a PostgreSQL server. Each request settles one outpatient bill of another
insured person of Lhasa (round-robin over the demo population's insured), with its own
``Idempotency-Key``, as a hospital's HIS would send it. Bar (issue 17): settlements/s at 8
connections ≥ 80 % of ``/me``, p99 < 50 ms. Each figure twice in the same run: with group commit
(the default, ``MINSHENG_GROUP_COMMIT_MAX=64``) and with a transaction per request (``=1``), the
baseline. No timed assertions; the figures go in
``docs/benchmarks.md`` by hand.

(Not ``http.py``: a script of that name beside the others shadows the standard library.)

Run: ``uv run python benchmarks/http_settle.py [--people 4000] [--seconds 10] [--url postgresql://…]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.serving import WRK, environment, start_server, wrk_rate

FACILITY = "H54010200001"  # 城关区人民医院 (demo data)


def build(db_url: str, people: int) -> dict[str, Any]:
    """The demo population, a cashier of Chengguan with a token, and the ID numbers of the
    persons insured in Lhasa today."""
    from sqlalchemy import select

    from minsheng import models  # noqa: F401  (every table)
    from minsheng.auth.tokens import create_token
    from minsheng.auth.users import create_user
    from minsheng.db import make_engine, make_sessionmaker, upgrade
    from minsheng.demo.population import seed
    from minsheng.foundation.principals import PERMISSIONS, system
    from minsheng.registry.models import Enrolment, Person

    engine = make_engine(db_url)
    upgrade(engine)
    seed(engine, people=people, seed=3)
    today = dt.date.today()
    by = system("bench")
    with make_sessionmaker(engine)() as s:
        user = create_user(s, by, "bench.cashier", "correct-horse-1", "cashier", "540102")
        raw, _ = create_token(s, by, user.id, "bench", sorted(PERMISSIONS["cashier"]))
        s.commit()
        numbers = s.scalars(
            select(Person.id_number)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(
                Enrolment.pooling_region == "540100",
                Enrolment.start_date <= today,
                (Enrolment.end_date.is_(None)) | (Enrolment.end_date >= today),
                Person.death_date.is_(None),
            )
            .distinct()
        ).all()
    engine.dispose()
    database = engine.url.database if engine.dialect.name == "postgresql" else ""
    return {"token": raw, "numbers": list(numbers), "database": database or ""}


def cpu_seconds(server: Any, database: str) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the server's processes and by the PostgreSQL
    backends of ``database`` (0 on SQLite): what a step cost the machine, whatever else it ran."""
    import psutil

    def used(p: Any) -> float:
        try:
            t = p.cpu_times()
            return float(t.user + t.system)
        except psutil.Error:
            return 0.0

    root = psutil.Process(server.pid)
    python = used(root) + sum(used(c) for c in root.children(recursive=True))
    backends = [
        p
        for p in psutil.process_iter(["cmdline"])
        if database and any(f" {database} " in f" {part} " for part in p.info["cmdline"] or [])
    ]
    return python, sum(used(p) for p in backends)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", default="8,32,128")
    ap.add_argument(
        "--server-workers",
        default="2",
        help="uvicorn worker processes; a list (1,2,1,2) serves the same database in turn",
    )
    ap.add_argument("--url", default=None, help="PostgreSQL: a server URL")
    ap.add_argument("--group-commit", default="64,1", help="MINSHENG_GROUP_COMMIT_MAX values")
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-http-"))
    db_url = environment(data_dir, args.url)
    world = build(db_url, args.people)
    numbers_file = data_dir / "numbers.txt"
    numbers_file.write_text("\n".join(world["numbers"]) + "\n")
    name = "PostgreSQL" if args.url else "SQLite"
    print(f"[http/{name}] {len(world['numbers']):,} insured patients of Lhasa")
    for most in args.group_commit.split(","):
        # the same database and patients; group commit (up to 64 bills a transaction) against
        # a transaction per request (1), alternately, each its own server
        os.environ["MINSHENG_GROUP_COMMIT_MAX"] = most
        mode = "a transaction per request" if most == "1" else f"group commit ≤ {most}"
        for workers in [int(w) for w in args.server_workers.split(",")]:
            server, base = start_server(workers)
            try:
                for conns in args.connections.split(","):
                    step = Step(name, mode, f"m{most}w{workers}", workers, int(conns))
                    run(server, base, world, numbers_file, step, args.seconds)
            finally:
                server.terminate()
                server.wait(10)


@dataclass(frozen=True)
class Step:
    name: str  # the database
    mode: str  # group commit or a transaction per request
    tag: str  # part of the idempotency keys: this step's bills are its own
    workers: int
    conns: int


def run(
    server: Any, base: str, world: dict[str, Any], numbers: Path, step: Step, seconds: int
) -> None:
    common = ["-t", "1", "-c", str(step.conns), "-d", f"{seconds}s", "--latency"]
    database = world["database"]
    py0, pg0 = cpu_seconds(server, database)
    me, me_lat, _ = wrk_rate(
        [*common, "-s", str(WRK / "get.lua"), f"{base}/api/auth/me", "--", world["token"]]
    )
    py1, pg1 = cpu_seconds(server, database)
    tag = f"b{int(time.time())}{step.tag}c{step.conns}"
    rate, lat, others = wrk_rate(
        [*common, "-s", str(WRK / "settle.lua"), f"{base}/api/medical/settlements", "--",
         str(numbers), world["token"], "1", dt.date.today().isoformat(), FACILITY, tag]
    )  # fmt: skip
    py2, pg2 = cpu_seconds(server, database)
    per_me = 1000 * (py1 - py0) / max(1.0, me * seconds)
    per_me_pg = 1000 * (pg1 - pg0) / max(1.0, me * seconds)
    per_settle = 1000 * (py2 - py1) / max(1.0, rate * seconds)
    per_pg = 1000 * (pg2 - pg1) / max(1.0, rate * seconds)
    pg = f" (+ {per_pg:.2f} ms PostgreSQL)" if database else ""
    pg_me = f" (+ {per_me_pg:.3f} ms)" if database else ""
    print(
        f"[http/{step.name}] {step.mode}, {step.workers} server processes, {step.conns} "
        f"connections, {seconds}s: {rate:,.0f} settlements/s ({lat}; {others} answers not "
        f"201); GET /api/auth/me {me:,.0f}/s ({me_lat}) — settlements at {rate / me:.0%} of it "
        f"(bar at 8 connections: ≥ 80 %, p99 < 50 ms); server CPU {per_settle:.2f} ms a "
        f"settlement{pg}, {per_me:.3f} ms a /me{pg_me}",
        flush=True,
    )


if __name__ == "__main__":
    main()
