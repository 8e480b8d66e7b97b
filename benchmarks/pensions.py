"""Pensions benchmarks: the yearly interest crediting of individual accounts.

1. numpy path: 3.65 million accounts (one per resident of the region) credited for one year
   with :func:`minsheng.pensions.rules.credit_interest` — half employees (monthly credits,
   month-product method), half residents (a yearly payment) — exact integer fen; baseline in
   the same process: the same formula account by account in plain Python on a sample.
2. database path on SQLite: ``accounts.credit_year`` over ``--db-accounts`` accounts (read
   columns, numpy, bulk insert of the statements and bulk update of the balances, one
   transaction), its rate and the time 3.65 million would take at that rate; baseline in the
   same process: the ORM one account at a time (load, compute, add a statement, flush) on a
   sample. A second run of the same year is timed too (idempotent: it credits nothing).

Run: ``uv run python benchmarks/pensions.py [--accounts 3650000] [--db-accounts 100000]``.
Figures go in docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from minsheng.pensions import rules

RATE = Fraction(262, 10_000)  # 2024's 记账利率, 2.62 %


def numpy_path(n: int) -> None:
    rng = np.random.default_rng(1)
    opening = rng.integers(0, 20_000_000, n, dtype=np.int64)  # up to ¥200,000
    credited = rng.integers(0, 1_000_000, n, dtype=np.int64)
    employee = rng.random(n) < 0.5
    t0 = time.perf_counter()
    i_e, z_e = rules.credit_interest(opening[employee], credited[employee], RATE, True)
    i_r, z_r = rules.credit_interest(opening[~employee], credited[~employee], RATE, False)
    seconds = time.perf_counter() - t0
    sample = 100_000

    def one(o: int, c: int, monthly: bool) -> tuple[int, int]:
        num, den = RATE.numerator, RATE.denominator
        on_o = (o * num * 12 * 2 + 12 * den) // (2 * 12 * den)
        on_c = (c * num * 13 * 2 + 24 * den) // (2 * 24 * den) if monthly else 0
        return on_o + on_c, o + c + on_o + on_c

    o_l, c_l, e_l = (
        opening[:sample].tolist(),
        credited[:sample].tolist(),
        employee[:sample].tolist(),
    )
    t1 = time.perf_counter()
    loop = [one(o, c, e) for o, c, e in zip(o_l, c_l, e_l, strict=True)]
    per_account = (time.perf_counter() - t1) / sample
    # the two agree on the sample
    check = np.array([z for _, z in loop[:1000]], np.int64)
    mixed = np.where(
        employee[:1000],
        rules.credit_interest(opening[:1000], credited[:1000], RATE, True)[1],
        rules.credit_interest(opening[:1000], credited[:1000], RATE, False)[1],
    )
    assert (check == mixed).all()
    baseline = per_account * n
    print(
        f"numpy crediting: {n:,} accounts in {seconds:.3f} s "
        f"({n / seconds / 1e6:.1f} M accounts/s; interest ¥{(i_e.sum() + i_r.sum()) / 100:,.0f}); "
        f"plain-Python loop baseline {baseline:.1f} s (from {sample:,}); "
        f"ratio {baseline / seconds:.0f}x"
    )
    del z_e, z_r


def database_path(n: int, sample: int) -> None:
    from sqlalchemy import insert, select

    from minsheng.db import make_engine, make_sessionmaker, unit_of_work, upgrade
    from minsheng.demo.population import seed
    from minsheng.foundation.principals import system
    from minsheng.pensions import accounts
    from minsheng.pensions.enrolment import params
    from minsheng.pensions.models import PnAccount, PnContribution, PnEnrolment, PnStatement
    from minsheng.registry.models import Person

    by = system("bench")
    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{Path(d) / 'pensions.db'}")
        upgrade(engine)
        seed(engine, people=n + sample, seed=1, today=dt.date(2025, 1, 1))
        factory = make_sessionmaker(engine)
        rng = np.random.default_rng(2)
        with unit_of_work(factory) as s:
            people = list(s.scalars(select(Person.id).order_by(Person.id)))[: n + sample]
            s.execute(
                insert(PnEnrolment),
                [
                    {
                        "person_id": p,
                        "scheme": "resident_pension",
                        "division_code": "540102",
                        "start_date": dt.date(2024, 1, 1),
                    }
                    for p in people
                ],
            )
            enrolments = dict(s.execute(select(PnEnrolment.person_id, PnEnrolment.id)).all())
            opening = rng.integers(0, 5_000_000, len(people))
            s.execute(
                insert(PnAccount),
                [
                    {
                        "person_id": p,
                        "scheme": "resident_pension",
                        "balance": int(b),
                        "last_credited_year": 2023,
                    }
                    for p, b in zip(people, opening, strict=True)
                ],
            )
            s.execute(
                insert(PnContribution),
                [
                    {
                        "key": f"resident_pension:{p}:2024",
                        "person_id": p,
                        "enrolment_id": enrolments[p],
                        "scheme": "resident_pension",
                        "kind": "regular",
                        "year": 2024,
                        "credit_year": 2024,
                        "individual": 500_00,
                        "employer": 0,
                        "subsidy": 60_00,
                        "government_paid": False,
                        "paid_by": f"person:{p}",
                        "division_code": "540102",
                        "recorded_by": "bench",
                    }
                    for p in people
                ],
            )
        # baseline first, on the last ``sample`` accounts: the ORM one at a time
        info = params(dt.date(2024, 12, 31), None).info("pensions.resident.interest_rate")
        rate = Fraction(info.value)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        with unit_of_work(factory) as s:
            for acct in s.scalars(
                select(PnAccount).where(PnAccount.person_id.in_(people[n:])).order_by(PnAccount.id)
            ):
                waiting = sum(
                    c.individual + c.subsidy
                    for c in s.scalars(
                        select(PnContribution).where(
                            PnContribution.person_id == acct.person_id,
                            PnContribution.credit_year == 2024,
                        )
                    )
                )
                i, z = rules.credit_interest(
                    np.array([acct.balance]), np.array([waiting]), rate, False
                )
                s.add(
                    PnStatement(
                        account_id=acct.id,
                        year=2024,
                        opening=acct.balance,
                        credited=waiting,
                        interest=int(i[0]),
                        closing=int(z[0]),
                        rate_path=info.path,
                        rate_value=str(info.value),
                        rate_date=info.start,
                    )
                )
                acct.balance, acct.last_credited_year = int(z[0]), 2024
                s.flush()
        orm_rate = sample / (time.perf_counter() - t0)
        t1 = time.perf_counter()
        with unit_of_work(factory) as s:
            run = accounts.credit_year(s, 2024, by, today=dt.date(2025, 6, 1))
        seconds = time.perf_counter() - t1
        assert run.accounts == n, run
        t2 = time.perf_counter()
        with unit_of_work(factory) as s:
            again = accounts.credit_year(s, 2024, by, today=dt.date(2025, 6, 1))
        rerun = time.perf_counter() - t2
        assert again.accounts == 0
    rate_db = n / seconds
    print(
        f"SQLite crediting: {n:,} accounts in {seconds:.2f} s ({rate_db:,.0f} accounts/s; "
        f"3.65 M at this rate ≈ {3_650_000 / rate_db:.0f} s); rerun of the same year "
        f"{rerun:.2f} s (credits nothing); ORM one-by-one baseline {orm_rate:,.0f} accounts/s "
        f"(from {sample:,}); ratio {rate_db / orm_rate:.1f}x"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=3_650_000)
    ap.add_argument("--db-accounts", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=5_000)
    args = ap.parse_args()
    numpy_path(args.accounts)
    database_path(args.db_accounts, args.sample)


if __name__ == "__main__":
    main()
