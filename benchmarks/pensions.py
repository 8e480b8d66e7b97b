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
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

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


def roll_setup(engine: Any, n: int, sample: int) -> tuple[Any, list[Any], Any]:
    """The roll's database: the demo population's first ``n + sample`` people as claimants,
    each with an active resident award (paid through 2025-05, certification due over the
    year from 2026-05-20) and an active card with a bank account. Returns the session
    factory, the (person id, division) rows and the random generator the benchmark goes on
    drawing from."""
    from sqlalchemy import insert, select

    from minsheng.cards.models import SocialCard
    from minsheng.db import make_sessionmaker, unit_of_work
    from minsheng.demo.population import seed
    from minsheng.pensions.models import PnAward
    from minsheng.registry.models import Person

    seed(engine, people=n + sample, seed=1, today=dt.date(2025, 1, 1))
    factory = make_sessionmaker(engine)
    rng = np.random.default_rng(3)
    with unit_of_work(factory) as s:
        rows = s.execute(select(Person.id, Person.division_code).order_by(Person.id)).all()
        rows = rows[: n + sample]
        due = [
            dt.date(2026, 5, 20) + dt.timedelta(days=int(x))
            for x in rng.integers(0, 365, len(rows))
        ]
        s.execute(
            insert(PnAward),
            [
                {
                    "person_id": pid,
                    "scheme": "resident_pension",
                    "division_code": div,
                    "start_month": "2025-05",
                    "monthly": 26_500 + int(i % 7) * 100,
                    "parts": "[]",
                    "state": "active",
                    "last_certified_on": dt.date(2025, 5, 1),
                    "certification_due": due[i],
                    "paid_through": "2025-05",
                    "overpaid": 0,
                    "by": "bench",
                }
                for i, (pid, div) in enumerate(rows)
            ],
        )
        s.execute(
            insert(SocialCard),
            [
                {
                    "person_id": pid,
                    "number": f"A{i:08d}",
                    "division_code": div,
                    "state": "active",
                    "applied_on": dt.date(2024, 1, 1),
                    "bank_name": "中国银行",
                    "bank_account": f"6222{i:012d}",
                    "bank_account_tail": f"{i % 10000:04d}",
                    "version": 1,
                }
                for i, (pid, div) in enumerate(rows)
            ],
        )
    return factory, rows, rng


@contextmanager
def _database(d: str, url: str | None) -> Iterator[tuple[Any, str]]:
    """A fresh migrated database: a SQLite file in ``d``, or a new database on the PostgreSQL
    server of ``url`` (dropped afterwards). Yields the engine and the dialect's name."""
    from sqlalchemy import create_engine

    from minsheng.config import normalise_url
    from minsheng.db import make_engine, upgrade

    if url is None:
        engine = make_engine(f"sqlite:///{Path(d) / 'roll.db'}")
        upgrade(engine)
        yield engine, "SQLite"
        engine.dispose()
        return
    admin_url = normalise_url(url)
    name = f"minsheng_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(engine)
        yield engine, "PostgreSQL"
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def roll_and_certification(
    n: int, sample: int, evidence_share: float, url: str | None = None
) -> None:
    """The monthly roll of ``n`` claimants on SQLite (the shared payment engine: the lock, the
    payments, the bank file written crash-safely and issued) beside the ORM one award at a
    time; then the certification matching over every claimant of the region, where a card
    event within the evidence window is drawn for ``evidence_share`` of them (an assumption:
    the demo population holds no card use or medical bill of claimants — see the report)."""
    from sqlalchemy import insert, select

    from minsheng.cards.models import CardEvent, SocialCard
    from minsheng.db import unit_of_work
    from minsheng.foundation.principals import system
    from minsheng.pensions import certification
    from minsheng.pensions import roll as rolls
    from minsheng.pensions.enrolment import params
    from minsheng.pensions.models import PnAward, PnPayment
    from minsheng.registry.models import Person

    by = system("bench")
    with tempfile.TemporaryDirectory() as d, _database(d, url) as (engine, db_name):
        t = time.perf_counter()
        factory, rows, rng = roll_setup(engine, n, sample)
        setup = time.perf_counter() - t
        claimants = [pid for pid, _ in rows[:n]]
        with unit_of_work(factory) as s:  # the sample awards wait for the baseline
            s.execute(
                PnAward.__table__.update()
                .where(PnAward.person_id.in_(select(Person.id).where(Person.id > claimants[-1])))
                .values(state="suspended")
            )
        directory = Path(d) / "pensions"
        t, c = time.perf_counter(), time.process_time()
        r = rolls.issue(factory, "2025-06", "540000", by, directory, today=dt.date(2025, 6, 30))
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        again = rolls.issue(factory, "2025-06", "540000", by, directory, today=dt.date(2025, 6, 30))
        rerun = time.perf_counter() - t
        # baseline: the sample's month the ORM way, one award at a time
        with unit_of_work(factory) as s:
            run = rolls.PnRollRun(
                month="2025-06",
                region="540000",
                by="bench",
                new_payments=0,
                new_total=0,
                state="issued",
            )
            s.add(run)
            s.flush()
            t = time.perf_counter()
            for award in s.scalars(select(PnAward).where(PnAward.state == "suspended")):
                key = rolls.pay_key(award.id, "2025-06")
                if s.scalar(select(PnPayment.id).where(PnPayment.pay_key == key)) is not None:
                    continue
                card = s.scalar(select(SocialCard).where(SocialCard.person_id == award.person_id))
                if card is None or not card.bank_account:
                    continue
                s.add(
                    PnPayment(
                        pay_key=key,
                        award_id=award.id,
                        person_id=award.person_id,
                        month="2025-06",
                        division_code=award.division_code,
                        amount=award.monthly,
                        run_id=run.id,
                    )
                )
                award.paid_through = "2025-06"
                s.flush()
            orm_rate = sample / (time.perf_counter() - t)
        size = (directory / str(r.file_name)).stat().st_size
        print(
            f"roll, {n:,} claimants on {db_name} (setup {setup:.0f} s): {seconds:.2f} s "
            f"(CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}) "
            f"({n / seconds:,.0f}/s; bar < 30 s: {'met' if seconds < 30 else 'NOT met'}); "
            f"{r.new_payments:,} payments, bank file {size / 1e6:.0f} MB; rerun {rerun:.2f} s "
            f"({again.new_payments} new); ORM one-by-one baseline {orm_rate:,.0f}/s "
            f"(from {sample:,}) → {n / orm_rate:.0f} s; ratio {n / orm_rate / seconds:.0f}x"
        )
        with unit_of_work(factory) as s:  # the baseline's sample leaves the matching
            s.execute(
                PnAward.__table__.update()
                .where(PnAward.state == "suspended")
                .values(state="terminated")
            )
            cards = dict(s.execute(select(SocialCard.person_id, SocialCard.id)).all())
            chosen = rng.random(len(claimants)) < evidence_share
            s.execute(
                insert(CardEvent),
                [
                    {
                        "card_id": cards[pid],
                        "day": dt.date(2026, 4, 1),
                        "action": "scan",
                        "from_state": "active",
                        "to_state": "active",
                        "by": "bench",
                    }
                    for pid, c in zip(claimants, chosen, strict=True)
                    if c
                ],
            )
        params(dt.date(2026, 5, 20), None)  # the shipped parameters, loaded once a process
        with unit_of_work(factory) as s:
            t, c = time.perf_counter(), time.process_time()
            res = certification.scan(s, "540000", by, today=dt.date(2026, 5, 20))
            scan_s, scan_cpu = time.perf_counter() - t, time.process_time() - c
        print(
            f"certification matching, {res.scanned:,} claimants: {scan_s:.2f} s "
            f"(CPU {scan_cpu:.1f} s; bar < 5 s: "
            f"{'met' if scan_s < 5 else 'NOT met'}); silent share {res.silent_share:.1%} "
            f"(card events drawn for {evidence_share:.1%}); certified silently "
            f"{sum(res.silent.values()):,}, tasks opened {res.tasks_opened:,}, "
            f"lapsed {res.lapsed:,}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=3_650_000)
    ap.add_argument("--db-accounts", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=5_000)
    ap.add_argument("--claimants", type=int, default=500_000)
    ap.add_argument("--evidence-share", type=float, default=0.978)
    ap.add_argument("--only", choices=("accounts", "roll"), default=None)
    ap.add_argument("--url", default=None, help="the roll on this PostgreSQL server instead")
    args = ap.parse_args()
    if args.only != "roll":
        numpy_path(args.accounts)
        database_path(args.db_accounts, args.sample)
    if args.only != "accounts":
        roll_and_certification(
            args.claimants, min(args.sample, 2_000), args.evidence_share, args.url
        )


if __name__ == "__main__":
    main()
