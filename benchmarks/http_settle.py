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
    return {"token": raw, "numbers": list(numbers)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", default="8,32,128")
    ap.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
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
        server, base = start_server(args.server_workers)
        try:
            for conns in args.connections.split(","):
                common = ["-t", "1", "-c", conns, "-d", f"{args.seconds}s", "--latency"]
                me, me_lat, _ = wrk_rate(
                    [*common, "-s", str(WRK / "get.lua"), f"{base}/api/auth/me", "--",
                     world["token"]]
                )  # fmt: skip
                tag = f"b{int(time.time())}m{most}c{conns}"
                rate, lat, others = wrk_rate(
                    [*common, "-s", str(WRK / "settle.lua"), f"{base}/api/medical/settlements",
                     "--", str(numbers_file), world["token"], "1", dt.date.today().isoformat(),
                     FACILITY, tag]
                )  # fmt: skip
                print(
                    f"[http/{name}] {mode}, {args.server_workers} server processes, {conns} "
                    f"connections, {args.seconds}s: {rate:,.0f} settlements/s ({lat}; {others} "
                    f"answers not 201); GET /api/auth/me {me:,.0f}/s ({me_lat}) — settlements "
                    f"at {rate / me:.0%} of it (bar at 8 connections: ≥ 80 %, p99 < 50 ms)"
                )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
