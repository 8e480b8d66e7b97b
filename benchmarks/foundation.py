"""Foundation benchmarks: demo seeding, parameter look-up, scale calculation, ID checks.

Each figure is printed with a ratio against a baseline run in the same process:

- demo seed (bulk inserts, numpy) vs. the same rows written through the ORM one object at a time;
- parameter look-up (cached snapshot) vs. openfisca-core's ParameterNode on the same files;
- marginal-rate scale on 1 M amounts (exact integer fen) vs. openfisca-core's float ``calc``;
- resident-ID checks vs. a bare regular-expression match (a floor, not a competitor);
- AES-GCM encryption and the HMAC look-up hash of ID numbers vs. a bare SHA-256.

Run: ``uv run python benchmarks/foundation.py [--people 100000]``. Figures go in
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_seed(people: int) -> None:
    from sqlalchemy.orm import Session

    from minsheng.db import make_engine, upgrade
    from minsheng.demo.population import seed
    from minsheng.registry.models import Person

    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{Path(d) / 'bulk.db'}")
        upgrade(engine)
        report = seed(engine, people=people, seed=1)
        bulk_rows = report.people + report.households + report.enrolments + report.statuses
        bulk_rate = bulk_rows / report.seconds

        # baseline: the same kind of rows through the ORM, one object at a time
        orm = make_engine(f"sqlite:///{Path(d) / 'orm.db'}")
        upgrade(orm)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(Person.__table__.select().limit(5000))]
        for r in rows:
            r.pop("id"), r.pop("household_id"), r.pop("created_at"), r.pop("updated_at")

        def one_by_one() -> None:
            with Session(orm) as s:
                for r in rows:
                    s.add(Person(**r))
                    s.flush()
                s.commit()

        orm_rate = len(rows) / timed(one_by_one)
    print(
        f"demo seed: {people:,} people in {report.seconds:.2f} s "
        f"({bulk_rate:,.0f} rows/s); ORM one-by-one baseline {orm_rate:,.0f} rows/s; "
        f"ratio {bulk_rate / orm_rate:.1f}x"
    )


def bench_params() -> None:
    from openfisca_core.parameters import ParameterNode

    from minsheng.policy import load
    from minsheng.policy.parameters import PARAMETERS_DIR

    tree = load()
    root = ParameterNode("root", directory_path=str(PARAMETERS_DIR))
    day = dt.date(2024, 6, 1)
    path = "medical.employee_outpatient.ratio.retired.level_2"
    n = 100_000

    def ours() -> None:
        for _ in range(n):
            tree.at(day, "540102")[path]

    def theirs() -> None:
        for _ in range(n):
            _ = root("2024-06-01").medical.employee_outpatient.ratio.retired.level_2

    a, b = timed(ours, 3), timed(theirs, 1)
    print(
        f"parameter look-up: {a / n * 1e6:.2f} µs each (with region overrides); "
        f"openfisca-core {b / n * 1e6:.2f} µs; ratio {b / a:.1f}x faster"
    )


def bench_scale() -> None:
    from openfisca_core.parameters import ParameterNode

    from minsheng.policy import load
    from minsheng.policy.parameters import PARAMETERS_DIR

    ours = load().at(dt.date(2024, 6, 1)).scale("medical.critical_illness.scale")
    theirs = ParameterNode(
        "root", directory_path=str(PARAMETERS_DIR)
    ).medical.critical_illness.scale("2024-06-01")
    amounts = np.random.default_rng(1).integers(0, 50_000_000, size=1_000_000, dtype=np.int64)
    yuan = amounts / 100
    a, b = timed(lambda: ours.calc(amounts), 5), timed(lambda: theirs.calc(yuan), 5)
    print(
        f"scale on 1M amounts: {a * 1e3:.1f} ms exact in fen ({1e6 / a / 1e6:.0f} M/s); "
        f"openfisca-core float calc {b * 1e3:.1f} ms; ratio {b / a:.2f}x"
    )


def bench_ids() -> None:
    from minsheng.core import ids

    numbers = [
        ids.make_resident_id("540102", dt.date(1960, 1, 1) + dt.timedelta(days=i), i % 1000)
        for i in range(20_000)
    ]
    today = dt.date(2026, 1, 1)
    pattern = re.compile(r"^\d{17}[\dX]$")
    a = timed(lambda: [ids.parse_resident_id(n, today=today) for n in numbers], 3)
    b = timed(lambda: [pattern.match(n) for n in numbers], 3)
    print(
        f"resident ID check: {a / len(numbers) * 1e6:.1f} µs each "
        f"(checksum, date, division); bare regex {b / len(numbers) * 1e6:.2f} µs; "
        f"ratio {a / b:.0f}x the regex floor"
    )


def bench_crypto() -> None:
    import hashlib

    from minsheng.core import ids
    from minsheng.foundation import crypto

    numbers = [ids.make_resident_id("540102", dt.date(1980, 1, 1), i % 1000) for i in range(20_000)]
    sealed = [crypto.encrypt(n) for n in numbers]
    enc = timed(lambda: [crypto.encrypt(n) for n in numbers], 3)
    dec = timed(lambda: [crypto.decrypt(t) for t in sealed], 3)
    mac = timed(lambda: [crypto.lookup_hash(n) for n in numbers], 3)
    base = timed(lambda: [hashlib.sha256(n.encode()).hexdigest() for n in numbers], 3)
    each = len(numbers)
    print(
        f"personal data: encrypt {enc / each * 1e6:.1f} µs, decrypt {dec / each * 1e6:.1f} µs, "
        f"look-up hash {mac / each * 1e6:.1f} µs per ID; bare SHA-256 {base / each * 1e6:.2f} µs; "
        f"ratio {enc / base:.0f}x / {dec / base:.0f}x / {mac / base:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    bench_seed(args.people)
    bench_params()
    bench_scale()
    bench_ids()
    bench_crypto()


if __name__ == "__main__":
    main()
