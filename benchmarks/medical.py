"""Medical settlement benchmarks (issue 4). Each figure is printed beside a baseline from the
same process, with a ratio.

1. rules alone, one bill: ``rules.settle`` on a one-row Bills (the cashier's case), against the
   vectorised call's cost per bill on 100,000 bills (the floor of the same code);
2. replay: a synthetic year of bills for a population, in one vectorised pass per chunk of
   whole people, against settling the first few thousand one by one (extrapolated);
3. over HTTP on SQLite: a live server on 127.0.0.1 and an asyncio load generator (httpx),
   settlements per second and latency percentiles, against the same server's /healthz.

Run: ``uv run python benchmarks/medical.py [--people 3650000 --bills 10000000] [--http-seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from minsheng.medical import rules
from minsheng.policy import load

PARAMS = rules.MedicalParams.from_snapshot(load().at(dt.date(2024, 6, 1), "540200"))


def synthetic(n: int, people: int, seed: int = 1) -> tuple[np.ndarray, rules.Bills]:
    rng = np.random.default_rng(seed)
    person = np.sort(rng.integers(0, people, size=n))
    scheme = np.where(rng.random(people) < 0.1, rng.integers(0, 2, size=people), 2)[person]
    inpatient = rng.random(n) < 0.15
    policy = np.where(inpatient, rng.lognormal(9.5, 1.0, n), rng.lognormal(5.0, 0.8, n)) * 100
    special = (rng.random(people) < 0.07)[person]
    bills = rules.Bills(
        scheme=scheme.astype(np.int64),
        visit=inpatient.astype(np.int64),
        level=rng.integers(1, 4, size=n).astype(np.int64),
        area=np.where(rng.random(n) < 0.05, rng.integers(1, 3, size=n), 0).astype(np.int64),
        total=(policy * 1.15).astype(np.int64),
        full_self=(policy * 0.1).astype(np.int64),
        over_limit=np.zeros(n, dtype=np.int64),
        self_first=(policy * 1.15).astype(np.int64)
        - (policy * 0.1).astype(np.int64)
        - policy.astype(np.int64),
        policy=policy.astype(np.int64),
        later_admission=inpatient & (rng.random(n) < 0.3),
        special=special,
        group=np.where(special, 2, 0).astype(np.int64),
        border=(rng.random(people) < 0.03)[person],
        major_disease=np.zeros(n, dtype=np.bool_),
        account_balance=np.where(scheme < 2, 50_000, 0).astype(np.int64),
    )
    return person.astype(np.int64), bills


def bench_one_bill() -> None:
    _, bills = synthetic(100_000, 30_000)
    before = rules.Totals.zeros(1)
    t0 = time.perf_counter()
    rules.settle(bills, rules.Totals.zeros(len(bills)), PARAMS)
    per_bill_vector = (time.perf_counter() - t0) / len(bills)
    for label, visit in (("inpatient", 1), ("outpatient", 0)):
        one = bills.row(int(np.flatnonzero(bills.visit == visit)[0]))
        for _ in range(200):
            rules.settle(one, before, PARAMS)
        reps = 3000
        t0 = time.perf_counter()
        for _ in range(reps):
            rules.settle(one, before, PARAMS)
        each = (time.perf_counter() - t0) / reps
        print(
            f"rules, one {label} bill: {each * 1e3:.3f} ms (bar < 0.2 ms); the same code over "
            f"100,000 bills: {per_bill_vector * 1e6:.2f} µs per bill; "
            f"ratio {each / per_bill_vector:.0f}x"
        )


_DATA: dict[str, object] = {}


def _replay_chunk(bounds: tuple[int, int]) -> int:
    keys, bills = _DATA["keys"], _DATA["bills"]
    start, stop = bounds
    part = rules.Bills(**{k: v[start:stop] for k, v in bills.__dict__.items()})  # type: ignore[attr-defined]
    r = rules.replay(keys[start:stop], part, PARAMS)  # type: ignore[index]
    return int(r.basic.sum() + r.ci.sum() + r.assistance.sum())


def bench_replay(n: int, people: int, chunk: int = 1_000_000, workers: int = 2) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    t0 = time.perf_counter()
    keys, bills = synthetic(n, people)
    made = time.perf_counter() - t0
    bounds = []
    start = 0
    while start < n:
        stop = min(n, start + chunk)
        while stop < n and keys[stop] == keys[stop - 1]:  # keep each person whole
            stop += 1
        bounds.append((start, stop))
        start = stop
    _DATA.update(keys=keys, bills=bills)  # shared with forked workers, not copied
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        paid = sum(pool.map(_replay_chunk, bounds))
    replay_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    single = _replay_chunk(bounds[0])
    one_chunk = time.perf_counter() - t0
    assert single <= paid
    # baseline: one by one, on the first people (extrapolated per bill)
    first = np.searchsorted(keys, keys[0] + 300)
    t0 = time.perf_counter()
    k = 0
    while k < first:
        j = k
        while j < first and keys[j] == keys[k]:
            j += 1
        rules.settle_in_order(rules.Bills(**{a: v[k:j] for a, v in bills.__dict__.items()}), PARAMS)
        k = j
    one_by_one = (time.perf_counter() - t0) / max(first, 1) * n
    print(
        f"replay: {n:,} bills for {people:,} people in {replay_s:.1f} s on {workers} processes "
        f"(bar < 60 s; one process: ~{one_chunk * len(bounds):.1f} s; synthetic data made in "
        f"{made:.1f} s; funds paid ¥{paid / 100:,.0f}); "
        f"one by one would take ~{one_by_one:,.0f} s; ratio {one_by_one / replay_s:.0f}x"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(
    url: str, token: str, seconds: float, concurrency: int, path: str, body: dict | None
) -> tuple[int, list[float]]:
    import httpx

    latencies: list[float] = []
    done = 0
    stop = time.perf_counter() + seconds
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = await (client.post(path, json=body) if body else client.get(path))
                latencies.append(time.perf_counter() - t0)
                if r.status_code < 300:
                    done += 1

        await asyncio.gather(*[worker() for _ in range(concurrency)])
    return done, latencies


def bench_http(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as d:
        env = {
            **os.environ,
            "MINSHENG_DATA_DIR": d,
            "MINSHENG_DATABASE_URL": f"sqlite:///{d}/bench.db",
        }

        def mk(*a: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "minsheng", *a],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )

        mk("db", "upgrade")
        mk("demo", "seed", "--people", "2000", "--seed", "3")
        mk("demo", "users")
        import json

        token = json.loads(
            mk(
                "user",
                "token",
                "--username",
                "chengguan.cashier",
                "--name",
                "bench",
                "--scopes",
                "medical:settle medical:read",
            ).stdout
        )["token"]
        from sqlalchemy import create_engine, text

        eng = create_engine(f"sqlite:///{d}/bench.db")
        with eng.connect() as c:
            pid = c.execute(text("SELECT person_id FROM enrolments LIMIT 1")).scalar()
        # a bill names the patient by the ID number presented at the window (never person_id):
        # read that person's number through the platform, which holds the data key
        number = subprocess.run(
            [
                sys.executable,
                "-c",
                "from sqlalchemy import select\n"
                "from minsheng.clikit import session\n"
                "from minsheng.registry.models import Person\n"
                "with session() as s:\n"
                f"    print(s.scalar(select(Person.id_number).where(Person.id == {int(pid)})))",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "minsheng", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            import httpx

            for _ in range(100):
                try:
                    httpx.get(url + "/healthz")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            bill = {
                "patient": {"id_number": number},
                "facility_code": "H54010200001",
                "visit": "outpatient",
                "service_date": dt.date.today().isoformat(),
                "lines": [{"code": "A1", "category": "甲", "unit_price": "12.00"}],
            }
            base_n, base_lat = asyncio.run(_load(url, token, seconds / 2, 32, "/healthz", None))
            n, lat = asyncio.run(_load(url, token, seconds, 32, "/api/medical/settlements", bill))
            p = np.percentile(np.array(lat) * 1e3, [50, 99])
            bp = np.percentile(np.array(base_lat) * 1e3, [50, 99])
            rate, base_rate = n / seconds, base_n / (seconds / 2)
            print(
                f"HTTP on SQLite, 32 concurrent clients: {rate:,.0f} settlements/s, "
                f"p50 {p[0]:.1f} ms, p99 {p[1]:.1f} ms (bar ≥ 1,000/s, p99 < 50 ms); "
                f"/healthz on the same server: "
                f"{base_rate:,.0f}/s, p99 {bp[1]:.1f} ms; ratio {base_rate / max(rate, 1):.1f}x"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


def bench_openfisca(n: int = 100_000) -> None:
    """The same bills (each the first of its person's year) through both chains."""
    sys.path.insert(0, str(Path(__file__).parent))
    import openfisca_medical as ofm

    _, bills = synthetic(n, n)
    bills.later_admission[:] = False
    tbs = ofm.system()
    cols = ofm.columns(bills)
    t0 = time.perf_counter()
    theirs = ofm.run(tbs, cols)
    of_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = rules.settle(bills, rules.Totals.zeros(n), PARAMS)
    our_s = time.perf_counter() - t0
    diff = np.abs(np.round(theirs["patient"] * 100) - ours.patient)
    one = {k: v[:1] for k, v in cols.items()}
    t0 = time.perf_counter()
    for _ in range(20):
        ofm.run(tbs, one)
    of_one = (time.perf_counter() - t0) / 20
    print(
        f"OpenFisca chain, {n:,} bills: {of_s:.2f} s vs Minsheng {our_s:.3f} s — "
        f"ratio {of_s / our_s:.0f}x; "
        f"one bill: OpenFisca {of_one * 1e3:.1f} ms; patient shares differing by more than 1 fen: "
        f"{int((diff > 1).sum())} of {n:,} (floats vs exact fen; max {diff.max() / 100:.2f} yuan)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3_650_000)
    ap.add_argument("--bills", type=int, default=10_000_000)
    ap.add_argument("--http-seconds", type=float, default=10.0)
    a = ap.parse_args()
    bench_one_bill()
    bench_openfisca()
    bench_replay(a.bills, a.people)
    if a.http_seconds > 0:
        bench_http(a.http_seconds)


if __name__ == "__main__":
    main()
