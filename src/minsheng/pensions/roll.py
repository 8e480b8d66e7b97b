"""The monthly pension roll (养老金发放): every active award paid once per month, into the
bank account of the person's social-security card, on the shared payment engine
(``minsheng.payments.engine``: the lock, ``prepared`` → ``issued``, the crash-safe bank file
``MSBANK/1``, the fault hook ``MINSHENG_FAULT=payroll:<step>``).

What a roll of month M pays an award: every month from the month after ``paid_through`` (or
the award's first month) to M — so a retried roll pays nothing new, a back-dated claim is paid
its arrears, and an award resumed after a suspension is paid exactly the months withheld, once.
Each month paid is a payment whose key (award, month) is unique in the database. A suspended or
terminated award is skipped; no month after a person's recorded death is ever paid. A person
without a card bank account is listed as unpayable and paid nothing (their months wait).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import String, and_, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from minsheng.cards import service as cards
from minsheng.cards.models import SocialCard
from minsheng.core import divisions, export
from minsheng.core.errors import invalid
from minsheng.foundation import crypto
from minsheng.foundation.principals import Principal
from minsheng.payments import engine
from minsheng.pensions import rules
from minsheng.pensions.awards import month_of
from minsheng.pensions.models import PnAward, PnPayment, PnRollRun
from minsheng.registry.models import Person

LOCK_KEY = 0x4D53_504E  # pg_advisory_xact_lock key of the pension roll ("MSPN")
SCHEME_MEMO = {"resident_pension": "城乡居民养老金", "employee_pension": "职工养老金"}


class RollItem(NamedTuple):
    """One month of one award due (a tuple: hundreds of thousands are made per roll) — the
    payment as the engine inserts it (the ledger's ``item_columns``, in this order)."""

    key: str
    amount: int
    award_id: int
    person_id: int
    month: str
    division_code: str


@dataclass(frozen=True)
class RollResult:
    month: str
    region: str
    run_id: int
    state: str
    new_payments: int
    new_total: int
    already_paid: int
    unpayable: list[int] = field(default_factory=list)  # award ids without a bank account
    file_name: str | None = None
    digest: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "month": self.month,
            "region": self.region,
            "run_id": self.run_id,
            "state": self.state,
            "new_payments": self.new_payments,
            "new_total_fen": self.new_total,
            "already_paid": self.already_paid,
            "unpayable_awards": self.unpayable,
            "file": self.file_name,
            "digest": self.digest,
        }


def files_dir(data_dir: Path) -> Path:
    """Where the roll's bank files live: ``<data dir>/pensions`` (0700; files 0600)."""
    return data_dir / "pensions"


def _render(session: Session, run: PnRollRun, payments: list[Any]) -> tuple[bytes, str]:
    """The roll's bank file (MSBANK/1): payee, full ID number, amount in fen, and in the memo
    the month, the pension and the card's bank account the bank credits. Never logged.

    ``payments`` are the run's payments (all of them, whichever way the engine has them); the
    file is read from the database in one query in the payments' order (their ids), joined to
    the person, the award and the person's live card with an account (a person holds one at
    most, :data:`minsheng.cards.service.LIVE`; as in :func:`minsheng.cards.service.
    payee_accounts`). The ID number and the account are read as stored and decrypted once per
    person paid (not per month paid, nor for a card no longer live)."""
    pay = PnPayment.__table__.c
    card = SocialCard.__table__.c
    rows = (
        session.connection()
        .execute(
            select(
                pay.id,
                pay.person_id,
                pay.pay_key,
                pay.month,
                pay.amount,
                Person.name_zh,
                type_coerce(Person.id_number, String),  # the stored token: decrypted below
                PnAward.scheme,
                type_coerce(card.bank_account, String),
            )
            .join(Person, Person.id == pay.person_id)
            .join(PnAward, PnAward.id == pay.award_id)
            .outerjoin(
                SocialCard,
                and_(
                    card.person_id == pay.person_id,
                    card.state.in_(cards.LIVE),
                    card.bank_account.is_not(None),
                ),
            )
            .where(pay.run_id == run.id)
            .order_by(pay.id)
        )
        .all()
    )
    if len(rows) != len(payments):  # a second live card (never made): one row a payment
        last = {r[0]: r for r in rows}
        rows = list(last.values())
        if len(rows) != len(payments):
            raise RuntimeError(f"run {run.id}: {len(rows)} payments found, {len(payments)} given")
    tokens: dict[int, tuple[str, str | None]] = {}  # person → ID number, account (stored)
    for r in rows:
        tokens.setdefault(r[1], (r[6], r[8]))
    stored = [t for i, a in tokens.values() for t in ((i, a) if a else (i,))]
    plain = iter(crypto.decrypt_many(stored))
    known = {pid: (next(plain), next(plain) if a else "") for pid, (_, a) in tokens.items()}
    memo = {k: f" {v} " for k, v in SCHEME_MEMO.items()}
    return export.bank_file_rows(
        run.region,
        run.month,
        run.id,
        [
            (key, name, known[pid][0], amount, month + memo[scheme] + known[pid][1])
            for _, pid, key, month, amount, name, _, scheme, _ in rows
        ],
    )


LEDGER = engine.Ledger(
    name="pension",
    run_model=PnRollRun,
    payment_model=PnPayment,
    render=_render,
    make_payment=None,
    run_entity="pension_roll",
    file_entity="pension_bank_file",
    lock_key=LOCK_KEY,
    bulk=True,
    item_columns=("pay_key", "amount", "award_id", "person_id", "month", "division_code"),
    checked=True,
)


def pay_key(award_id: int, month: str) -> str:
    return f"pn:a{award_id}:{month}"


def due(session: Session, month: int, prefix: str) -> tuple[list[RollItem], list[int]]:
    """What the roll of ``month`` owes in the region, and the awards it cannot pay (no bank
    account); see the module docstring. One query (Core rows, no ORM loading per award): the
    region's active awards with a monthly amount and, as stored, a month not yet paid (a
    rerun reads nothing), with the holder's death date and whether they hold a live card with
    a bank account (:func:`minsheng.cards.service.with_payee_account`'s test, joined: nothing
    decrypted); the months are counted here."""
    key = rules.month_text(month)
    a, card = PnAward.__table__.c, SocialCard.__table__.c
    banked = (  # joined, not a subquery per award (PostgreSQL priced that so high that it
        # compiled the query with JIT for minutes)
        select(card.person_id)
        .where(card.state.in_(cards.LIVE), func.coalesce(card.bank_account_tail, "") != "")
        .distinct()
        .subquery()
    )
    # YYYY-MM texts compare as the months they name; a text of another length (never
    # written) is left for month_of below to read or refuse
    unpaid = or_(a.paid_through.is_(None), func.length(a.paid_through) != 7, a.paid_through < key)
    begun = or_(func.length(a.start_month) != 7, a.start_month <= key)
    rows = (
        session.connection()
        .execute(
            select(
                a.id,
                a.person_id,
                a.division_code,
                a.start_month,
                a.paid_through,
                a.monthly,
                Person.death_date,
                banked.c.person_id,
            )
            .join(Person, Person.id == a.person_id)
            .outerjoin(banked, banked.c.person_id == a.person_id)
            .where(
                a.division_code.like(prefix + "%"),
                a.state == "active",
                a.monthly > 0,
                unpaid,
                begun,
            )
            .order_by(a.id)
        )
        .all()
    )
    items: list[RollItem] = []
    unpayable: list[int] = []
    for award_id, person_id, division, start, through, monthly, death, holder in rows:
        first = _month(start)
        if through is not None:
            first = max(first, _month(through) + 1)
        last = month
        if death is not None:  # never a month after the death, terminated or not yet
            last = min(last, rules.month_index(death.year, death.month))
        if first > last:
            continue
        if holder is None:
            unpayable.append(award_id)
            continue
        for m in range(first, last + 1):
            text = _text(m)
            items.append(
                RollItem(pay_key(award_id, text), monthly, award_id, person_id, text, division)
            )
    return items, unpayable


_month = cache(month_of)
_text = cache(rules.month_text)


def run(
    session: Session, month_text: str, region: str, by: Principal, today: dt.date | None = None
) -> RollResult:
    """Record the month's roll in the region (``prepared`` when it pays anyone) and move each
    award's ``paid_through`` in the same transaction; :func:`issue` writes the file."""
    month = month_of(month_text)
    today = today or dt.date.today()
    if month > rules.month_index(today.year, today.month):
        raise invalid(
            "month",
            "future",
            "不能发放未来月份",
            "a month in the future cannot be paid",
            bo="ཟླ་བ་མ་འོངས་པའི་འགྲེམ་སྤྲོད་བྱེད་མི་ཆོག",
        )
    code = _region(region, by)
    engine.lock(session, LEDGER)
    with _collector_paused():
        items, unpayable = due(session, month, divisions.code_prefix(code))
        key = rules.month_text(month)
        detail = {"unpayable": len(unpayable)}
        done = engine.prepare(session, LEDGER, key, code, by, items, detail)
        del items
    if done.new:  # each award paid in the run: paid through the last month it paid
        pay = PnPayment.__table__.c
        last = (
            select(pay.award_id, func.max(pay.month).label("month"))
            .where(pay.run_id == done.run.id)
            .group_by(pay.award_id)
            .subquery()
        )
        session.execute(  # UPDATE … FROM: one join (a correlated subquery per award let the
            # planners scan the run's payments once per award — quadratic)
            update(PnAward)
            .where(PnAward.id == last.c.award_id)
            .values(paid_through=last.c.month)
            .execution_options(synchronize_session=False)
        )
    r = done.run
    return RollResult(
        key,
        code,
        r.id,
        r.state,
        r.new_payments,
        r.new_total,
        done.already_paid,
        unpayable,
        r.file_name,
        r.digest,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the roll makes and drops millions of
    short-lived rows (reference counting frees them; they form no cycles): it would otherwise
    walk them all again at each of its passes — about a seventh of a roll of 500,000."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _region(region: str, by: Principal) -> str:
    code = divisions.get(region, "region").code
    by.require_covers(code, "region")
    return code


def issue(
    factory: sessionmaker[Session],
    month_text: str,
    region: str,
    by: Principal,
    directory: Path,
    today: dt.date | None = None,
) -> RollResult:
    """The roll use case: finish what a crash left, prepare and commit, write and issue."""
    code = _region(region, by)
    result, digest = engine.issue(
        factory, LEDGER, code, by, directory, lambda s: run(s, month_text, code, by, today)
    )
    if digest is not None:
        result = dataclasses.replace(result, state="issued", digest=digest)
    return result  # type: ignore[no-any-return]


def issue_run(session: Session, run_id: int, by: Principal, directory: Path) -> PnRollRun:
    """The checker issues a prepared run (the bank file written, the run ``issued``); the
    supervisor who prepared it is refused (maker–checker), another region's run is missing,
    an issued run is answered as it is."""
    run = session.get(PnRollRun, run_id)
    if run is None or not by.covers(run.region):
        raise engine.no_run()
    engine.finish(session, LEDGER, run.id, directory, by)
    return run


def bank_file_of(
    session: Session, run_id: int, by: Principal, directory: Path
) -> tuple[str, bytes]:
    return engine.bank_file_of(session, LEDGER, run_id, by, directory)


def payments_of(session: Session, award_id: int) -> list[PnPayment]:
    return list(
        session.scalars(
            select(PnPayment).where(PnPayment.award_id == award_id).order_by(PnPayment.month)
        )
    )
