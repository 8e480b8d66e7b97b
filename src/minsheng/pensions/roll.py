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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from minsheng.cards import service as cards
from minsheng.core import divisions, export
from minsheng.core.errors import invalid
from minsheng.foundation.principals import Principal
from minsheng.payments import engine
from minsheng.pensions import rules
from minsheng.pensions.awards import month_of
from minsheng.pensions.models import PnAward, PnPayment, PnRollRun
from minsheng.registry.models import Person

LOCK_KEY = 0x4D53_504E  # pg_advisory_xact_lock key of the pension roll ("MSPN")
SCHEME_MEMO = {"resident_pension": "城乡居民养老金", "employee_pension": "职工养老金"}


@dataclass(frozen=True)
class RollItem:
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
    the month, the pension and the card's bank account the bank credits. Never logged."""
    ids = sorted({p.person_id for p in payments})
    people: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        for pid, name, id_number in session.execute(
            select(Person.id, Person.name_zh, Person.id_number).where(
                Person.id.in_(ids[i : i + 500])
            )
        ):
            people[pid] = (name, id_number)
    accounts = cards.payee_accounts(session, ids)
    schemes = _schemes(session, payments)
    transfers = [
        export.Transfer(
            ref=p.pay_key,
            name=people[p.person_id][0],
            id_number=people[p.person_id][1],
            amount=p.amount,
            memo=f"{p.month} {SCHEME_MEMO[schemes[p.award_id]]} {accounts.get(p.person_id, '')}",
        )
        for p in payments
    ]
    return export.bank_file(run.region, run.month, run.id, transfers)


def _schemes(session: Session, payments: list[Any]) -> dict[int, str]:
    ids = sorted({p.award_id for p in payments})
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        out.update(
            session.execute(
                select(PnAward.id, PnAward.scheme).where(PnAward.id.in_(ids[i : i + 500]))
            ).all()
        )
    return out


def _payment(d: RollItem, run: PnRollRun) -> dict[str, object]:
    return {
        "pay_key": d.key,
        "award_id": d.award_id,
        "person_id": d.person_id,
        "month": d.month,
        "division_code": d.division_code,
        "amount": d.amount,
        "run_id": run.id,
    }


LEDGER = engine.Ledger(
    name="pension",
    run_model=PnRollRun,
    payment_model=PnPayment,
    render=_render,
    make_payment=_payment,
    run_entity="pension_roll",
    file_entity="pension_bank_file",
    lock_key=LOCK_KEY,
    bulk=True,
)


def pay_key(award_id: int, month: str) -> str:
    return f"pn:a{award_id}:{month}"


def due(session: Session, month: int, prefix: str) -> tuple[list[RollItem], list[int]]:
    """What the roll of ``month`` owes in the region, and the awards it cannot pay (no bank
    account); see the module docstring."""
    rows = session.execute(
        select(
            PnAward.id,
            PnAward.person_id,
            PnAward.division_code,
            PnAward.start_month,
            PnAward.paid_through,
            PnAward.monthly,
            Person.death_date,
        )
        .join(Person, Person.id == PnAward.person_id)
        .where(PnAward.division_code.like(prefix + "%"), PnAward.state == "active")
        .order_by(PnAward.id)
    ).all()
    accounts = cards.with_payee_account(session, [r.person_id for r in rows])
    items: list[RollItem] = []
    unpayable: list[int] = []
    for r in rows:
        first = month_of(r.start_month)
        if r.paid_through is not None:
            first = max(first, month_of(r.paid_through) + 1)
        last = month
        if r.death_date is not None:  # never a month after the death, terminated or not yet
            last = min(last, rules.month_index(r.death_date.year, r.death_date.month))
        if first > last or r.monthly <= 0:
            continue
        if r.person_id not in accounts:
            unpayable.append(r.id)
            continue
        for m in range(first, last + 1):
            text = rules.month_text(m)
            items.append(
                RollItem(pay_key(r.id, text), r.monthly, r.id, r.person_id, text, r.division_code)
            )
    return items, unpayable


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
    items, unpayable = due(session, month, divisions.code_prefix(code))
    key = rules.month_text(month)
    done = engine.prepare(session, LEDGER, key, code, by, items, {"unpayable": len(unpayable)})
    through: dict[int, str] = {}
    for p in done.new:
        through[p.award_id] = max(through.get(p.award_id, p.month), p.month)
    by_month: dict[str, list[int]] = defaultdict(list)
    for award_id, m in through.items():
        by_month[m].append(award_id)
    for m, ids in by_month.items():
        for i in range(0, len(ids), 500):
            session.execute(
                update(PnAward)
                .where(PnAward.id.in_(ids[i : i + 500]))
                .values(paid_through=m)
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
