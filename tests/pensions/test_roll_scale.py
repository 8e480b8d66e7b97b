"""The pension roll at scale (issue 12, "Correctness and speed"): a roll of a few thousand
claimants pays exactly what the plain per-award rule pays — award by award, read one at a time
through the ORM, as the roll was first written — and writes the same bank file records; and it
does so in a number of SQL statements that does not grow with the claimants (no query per
claimant, no query per chunk of 500).

The claimants are the demo population's people with awards and cards written in bulk and then
varied: arrears (a first month before the last paid), suspended and terminated awards, recorded
deaths before, in and after the months paid, no card, a card without a bank account, a card no
longer live, a replaced card (the old one still holding an account), claimants of other
prefectures (outside the roll's region)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select, update

from minsheng.cards.models import SocialCard
from minsheng.cards.service import LIVE
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.demo.population import seed
from minsheng.pensions import roll as rolls
from minsheng.pensions import rules
from minsheng.pensions.models import PnAward, PnPayment
from minsheng.registry.models import Person
from tests.assistance import bankfile_reader as reader
from tests.pensions.award_kit import BY

MONTH = "2025-06"
TODAY = dt.date(2025, 6, 30)


def _month(text: str) -> int:
    y, m = (int(x) for x in text.split("-"))
    return rules.month_index(y, m)


def population(engine: Engine, people: int) -> None:
    """``people`` claimants of every prefecture, varied as the module docstring says."""
    seed(engine, people=people, seed=5, today=dt.date(2025, 1, 1))
    with unit_of_work(make_sessionmaker(engine)) as s:
        rows = s.execute(select(Person.id, Person.division_code).order_by(Person.id)).all()
        s.execute(
            insert(PnAward),
            [
                {
                    "person_id": pid,
                    "scheme": ("resident_pension", "employee_pension")[i % 2],
                    "division_code": div,
                    "start_month": ("2025-05", "2025-01", "2024-11")[i % 3],
                    "monthly": 0 if i % 97 == 5 else 20_000 + (i % 11) * 1_000,
                    "parts": "[]",
                    "state": {8: "suspended", 9: "terminated"}.get(i % 10, "active"),
                    "last_certified_on": dt.date(2025, 1, 1),
                    "certification_due": dt.date(2026, 1, 1),
                    "paid_through": (None, "2025-05", "2025-03", "2025-06")[i % 4],
                    "overpaid": 0,
                    "by": "test",
                }
                for i, (pid, div) in enumerate(rows)
            ],
        )
        cards: list[dict[str, Any]] = []
        for i, (pid, div) in enumerate(rows):
            kind = i % 13
            if kind == 0:
                continue  # no card
            state = {1: "cancelled", 2: "lost", 3: "applied"}.get(kind, "active")
            banked = kind != 4
            if kind == 5:  # replaced: the old card keeps its (stale) account
                cards.append(_card(pid, div, f"R{i:08d}", "replaced", f"62159{i:011d}"))
            cards.append(_card(pid, div, f"C{i:08d}", state, f"62220{i:011d}" if banked else None))
        s.execute(insert(SocialCard), cards)
        deaths = {
            1: dt.date(2024, 12, 3),  # before every month due
            2: dt.date(2025, 4, 30),  # amid the arrears
            3: dt.date(2025, 6, 1),  # in the month paid
            4: dt.date(2025, 9, 9),  # recorded ahead (not before the month)
        }
        for i, (pid, _) in enumerate(rows):
            if i % 17 in deaths:
                s.execute(update(Person).where(Person.id == pid).values(death_date=deaths[i % 17]))


def _card(pid: int, div: str, number: str, state: str, account: str | None) -> dict[str, Any]:
    return {
        "person_id": pid,
        "number": number,
        "division_code": div,
        "state": state,
        "applied_on": dt.date(2024, 1, 1),
        "bank_name": "中国银行" if account else None,
        "bank_account": account,
        "bank_account_tail": account[-4:] if account else None,
        "version": 1,
    }


def per_award(engine: Engine, month: str, prefix: str) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The roll's rule award by award (the ORM, one award and one card look-up at a time):
    the bank file's records in order and the unpayable awards."""
    records: list[tuple[Any, ...]] = []
    unpayable: list[int] = []
    memo = {"resident_pension": "城乡居民养老金", "employee_pension": "职工养老金"}
    with make_sessionmaker(engine)() as s:
        awards = s.scalars(
            select(PnAward)
            .where(PnAward.division_code.like(prefix + "%"), PnAward.state == "active")
            .order_by(PnAward.id)
        ).all()
        for a in awards:
            person = s.get(Person, a.person_id)
            assert person is not None
            first = _month(a.start_month)
            if a.paid_through is not None:
                first = max(first, _month(a.paid_through) + 1)
            last = _month(month)
            if person.death_date is not None:
                last = min(last, rules.month_index(person.death_date.year, person.death_date.month))
            if first > last or a.monthly <= 0:
                continue
            card = next(
                (
                    c
                    for c in s.scalars(
                        select(SocialCard).where(SocialCard.person_id == a.person_id)
                    )
                    if c.state in LIVE and c.bank_account
                ),
                None,
            )
            if card is None:
                unpayable.append(a.id)
                continue
            for m in range(first, last + 1):
                text = rules.month_text(m)
                records.append(
                    (
                        rolls.pay_key(a.id, text),
                        person.name_zh,
                        person.id_number,
                        a.monthly,
                        f"{text} {memo[a.scheme]} {card.bank_account}",
                    )
                )
    return records, unpayable


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_roll_of_thousands_pays_exactly_the_per_award_rule(
    engine: Engine, tmp_path: Path
) -> None:
    population(engine, 2_400)
    expected, unpayable = per_award(engine, MONTH, "5401")
    assert len(expected) > 500 and unpayable  # the variations are there
    factory = make_sessionmaker(engine)
    r = rolls.issue(factory, MONTH, "540100", BY, tmp_path, today=TODAY)
    assert r.unpayable == unpayable
    assert (r.new_payments, r.new_total) == (len(expected), sum(x[3] for x in expected))
    f = reader.parse((tmp_path / str(r.file_name)).read_bytes())
    assert f.digest == r.digest
    got = [(x.ref, x.name, x.id_number, x.amount, x.memo) for x in f.records]
    assert got == expected
    with factory() as s:
        rows = s.execute(select(PnPayment.pay_key, PnPayment.amount).order_by(PnPayment.id)).all()
        assert [tuple(x) for x in rows] == [(x[0], x[3]) for x in expected]
        through = dict(s.execute(select(PnAward.id, PnAward.paid_through)).all())
        for key, *_ in expected:
            award_id, month = int(key.split(":")[1][1:]), key.split(":")[2]
            assert through[award_id] is not None and through[award_id] >= month
        # the file a download renders again from the database is the same file
        _, body = rolls.bank_file_of(s, r.run_id, BY, tmp_path / "elsewhere")
        assert body == (tmp_path / str(r.file_name)).read_bytes()
    again = rolls.issue(factory, MONTH, "540100", BY, tmp_path, today=TODAY)
    assert again.new_payments == 0 and again.unpayable == unpayable
    # the suspended resume: the next roll pays each the months withheld, once
    with unit_of_work(factory) as s:
        s.execute(update(PnAward).where(PnAward.state == "suspended").values(state="active"))
    expected, unpayable = per_award(engine, "2025-07", "5401")
    nxt = rolls.issue(factory, "2025-07", "540100", BY, tmp_path, today=dt.date(2025, 7, 31))
    f = reader.parse((tmp_path / str(nxt.file_name)).read_bytes())
    assert [(x.ref, x.name, x.id_number, x.amount, x.memo) for x in f.records] == expected
    assert nxt.unpayable == unpayable


def test_the_roll_runs_in_a_fixed_number_of_statements(engine: Engine, tmp_path: Path) -> None:
    """Thousands of payments, a few dozen statements: the work is done in bulk, not per
    claimant or per chunk of them."""
    population(engine, 4_000)
    with statements(engine) as seen:
        r = rolls.issue(make_sessionmaker(engine), MONTH, "540000", BY, tmp_path, today=TODAY)
    assert r.new_payments > 4_000
    assert len(seen) <= 25, (len(seen), r.new_payments)
