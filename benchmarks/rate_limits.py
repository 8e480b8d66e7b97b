"""What a request limit costs now that it is counted in the database (``auth/limits.py``) rather
than in each process's memory: one ``hit`` (an upsert and a commit, the SQLite writer's lock
taken) against the in-memory sliding window it replaced and against what the limited requests
themselves cost — a sign-in's Argon2id check (the production hasher, process CPU: its lanes run
in threads). In one process, the same run; thread CPU and wall per hit. No timed assertions;
the figures go in ``docs/benchmarks.md``.

Run: ``uv run python benchmarks/rate_limits.py [--url postgresql://…] [--hits 2000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.serving import environment


class InMemory:
    """The limiter this replaced (one process's sliding window), as the baseline."""

    def __init__(self) -> None:
        self.hits: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str, limit: int, window: float) -> None:
        t = time.monotonic()
        q = self.hits[key]
        while q and q[0] <= t - window:
            q.popleft()
        if len(q) >= limit:
            raise RuntimeError("limited")
        q.append(t)


def per_hit(limiter: object, hits: int) -> tuple[float, float]:
    """(wall µs, thread CPU µs) per hit, each hit another address (never refused)."""
    w, c = time.perf_counter(), time.thread_time()
    for i in range(hits):
        limiter.hit(f"login_ip:10.{i // 65536}.{i // 256 % 256}.{i % 256}", 20, 60.0)  # type: ignore[attr-defined]
    return (time.perf_counter() - w) * 1e6 / hits, (time.thread_time() - c) * 1e6 / hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=None, help="PostgreSQL: a server URL")
    ap.add_argument("--hits", type=int, default=2000)
    args = ap.parse_args()
    db_url = environment(Path(tempfile.mkdtemp(prefix="minsheng-bench-limits-")), args.url)
    from argon2 import PasswordHasher

    from minsheng import models  # noqa: F401  (every table)
    from minsheng.auth.limits import RateLimits
    from minsheng.db import make_engine, make_sessionmaker, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    db = RateLimits(make_sessionmaker(engine))
    name = engine.dialect.name
    per_hit(db, 50)  # warm: connections, statements
    base_wall, base_cpu = per_hit(InMemory(), args.hits)
    wall, cpu = per_hit(db, args.hits)
    hasher = PasswordHasher()
    stored = hasher.hash("correct-horse-1")
    c = time.process_time()  # Argon2id runs its lanes in threads of its own
    for _ in range(5):
        hasher.verify(stored, "correct-horse-1")
    argon = (time.process_time() - c) * 1e6 / 5
    print(
        f"[limits/{name}] a hit in the database: {wall:,.0f} µs wall, {cpu:,.0f} µs thread CPU; "
        f"in memory: {base_wall:.1f} / {base_cpu:.1f} µs; a sign-in's Argon2id check: "
        f"{argon / 1000:,.0f} ms CPU — the limit is {cpu / argon:.1%} of a sign-in's CPU"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
