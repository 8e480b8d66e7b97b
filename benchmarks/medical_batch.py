"""Batch settlement (issue 17, item 3): the same bills settled (a) one by one with
``service.settle``, each in its own unit of work — the baseline, in the same process; (b) with
``batch.settle_many`` in batches of 500 and 1,000, one unit of work a batch; (c) over HTTP, to
``POST /api/medical/settlements/batch`` of a uvicorn server (one client thread sending batches
one after another). Bills/s (wall) and CPU seconds (this process; the server's for (c)), and the
ratios against (a). Bar (issue 17): ≥ 5,000 bills/s on SQLite.

The bills: outpatient and inpatient bills of the insured of Lhasa of the demo population, the
patients round-robin (so a batch holds distinct patients) with one in five bills a second bill
of a patient already in the batch (so waves and caps are exercised). Each run settles fresh
bills (its own idempotency keys) into the same database.

Run: ``uv run python benchmarks/medical_batch.py [--people 4000] [--bills 20000]
[--url postgresql://…]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.http_settle import FACILITY, build
from benchmarks.serving import environment, start_server


def bills(numbers: list[str], n: int, tag: str) -> list[dict[str, Any]]:
    """``n`` bills with their keys; every fifth repeats the patient of the bill before."""
    today = dt.date.today().isoformat()
    out = []
    for i in range(n):
        j = (i - 1) if i % 5 == 4 else i
        inpatient = i % 7 == 3
        amount = f"{(3000 + (i * 7919) % 900000) / 100:.2f}"
        if inpatient:
            amount = f"{(200000 + (i * 7919) % 9000000) / 100:.2f}"
        out.append(
            {
                "idempotency_key": f"{tag}-{i}",
                "bill": {
                    "patient": {"id_number": numbers[j % len(numbers)]},
                    "facility_code": FACILITY,
                    "visit": "inpatient" if inpatient else "outpatient",
                    "service_date": today,
                    "lines": [
                        {"code": "A1", "category": "甲", "unit_price": amount},
                        {"code": "B2", "category": "乙", "unit_price": "20.00",
                         "quantity": "2", "self_pay_first": "0.1"},
                    ],
                },
            }
        )  # fmt: skip
    return out


def timed(work: Any) -> tuple[float, float, Any]:
    w0, c0 = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - w0, time.process_time() - c0, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--bills", type=int, default=20000)
    ap.add_argument("--baseline", type=int, default=2000, help="bills settled one by one")
    ap.add_argument("--url", default=None, help="PostgreSQL: a server URL")
    ap.add_argument("--no-http", action="store_true")
    ap.add_argument(
        "--sizes", default="500,1000", help="batch sizes (1,4,16,64: what group commit sees)"
    )
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-batch-"))
    db_url = environment(data_dir, args.url)
    world = build(db_url, args.people)
    name = "PostgreSQL" if args.url else "SQLite"

    from minsheng.db import make_engine, make_sessionmaker, unit_of_work
    from minsheng.foundation.principals import system
    from minsheng.medical import batch, service
    from minsheng.medical.schemas import BillIn

    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    by = system("bench")
    numbers = world["numbers"]
    print(f"[batch/{name}] {len(numbers):,} insured patients of Lhasa; {os.cpu_count()} CPUs")

    def parsed(tag: str, n: int) -> list[batch.Item]:
        return [
            batch.Item(BillIn.model_validate(b["bill"]), by, b["idempotency_key"])
            for b in bills(numbers, n, tag)
        ]

    base_items = parsed("one", args.baseline)

    def one_by_one() -> int:
        for item in base_items:
            with unit_of_work(factory) as s:
                service.settle(s, item.bill, item.by, idempotency_key=item.key)
        return len(base_items)

    wall, cpu, n = timed(one_by_one)
    base_rate = n / wall
    print(
        f"[batch/{name}] (a) one by one, a unit of work each: {n:,} bills in {wall:.2f} s = "
        f"{base_rate:,.0f} bills/s; CPU {cpu:.2f} s ({cpu / n * 1e6:,.0f} µs a bill)"
    )
    import gc

    from minsheng.config import tune_gc

    cpython = gc.get_threshold()
    tuned = (tune_gc(), *gc.get_threshold()[1:])  # what `minsheng medical settle --batch` runs with
    runs = [(size, g) for size in (int(x) for x in args.sizes.split(",")) for g in (cpython, tuned)]
    for run, (size, threshold) in enumerate(runs):
        gc.set_threshold(*threshold)
        gc.collect()
        items = parsed(f"b{run}-{size}", args.bills)  # fresh keys: no run answers as a retry

        def in_batches(items: list[batch.Item] = items, size: int = size) -> int:
            failed = 0
            for k in range(0, len(items), size):
                with unit_of_work(factory) as s:
                    results = batch.settle_many(s, items[k : k + size])
                failed += sum(1 for r in results if not hasattr(r, "id"))
            assert failed == 0, failed
            return len(items)

        wall, cpu, n = timed(in_batches)
        print(
            f"[batch/{name}] (b) settle_many, batches of {size:,}, collector every "
            f"{threshold[0]:,}: {n:,} bills in {wall:.2f} s "
            f"= {n / wall:,.0f} bills/s ({n / wall / base_rate:.1f}× one by one); "
            f"CPU {cpu:.2f} s ({cpu / n * 1e6:,.0f} µs a bill) — bar ≥ 5,000 bills/s"
        )
    if args.no_http:
        return
    http(numbers, world["token"], args.bills, name, base_rate)


def http(numbers: list[str], token: str, n: int, name: str, base_rate: float) -> None:
    import httpx
    import psutil

    server, base = start_server(1)
    try:
        proc = psutil.Process(server.pid)
        # identity: the answer uncompressed (a batch's answer is megabytes; gzip is the network's
        # trade, not the settlement's)
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            for size in (500, 1000):
                bodies = [
                    json.dumps({"bills": chunk}).encode()
                    for chunk in (
                        bills(numbers, n, f"h{size}-{int(time.time())}")[k : k + size]
                        for k in range(0, n, size)
                    )
                ]
                t = proc.cpu_times()
                c0 = t.user + t.system
                w0 = time.perf_counter()
                bad = 0
                for body in bodies:
                    r = client.post(
                        "/api/medical/settlements/batch",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                    assert r.status_code == 200, r.text[:300]
                    bad += sum(1 for x in r.json()["results"] if x["status"] != 201)
                wall = time.perf_counter() - w0
                t = proc.cpu_times()
                cpu = t.user + t.system - c0
                print(
                    f"[batch/{name}] (c) HTTP, batches of {size:,}: {n:,} bills in {wall:.2f} s "
                    f"= {n / wall:,.0f} bills/s ({n / wall / base_rate:.1f}× one by one in "
                    f"process); server CPU {cpu:.2f} s ({cpu / n * 1e6:,.0f} µs a bill); "
                    f"{bad} not 201"
                )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
