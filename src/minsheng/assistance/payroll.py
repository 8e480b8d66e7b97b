"""The monthly payment run (发放): paying what is due (``dues.py``: 低保 and 特困 cases, one-off
临时救助, and the person benefits 残疾人两项补贴, 高龄老人补贴, 孤儿基本生活费) into the bank
file; the month's roll (花名册) is ``rolls.py``.

Idempotent per month and region: every payment has a key (benefit, case or person, month) that is
unique in the database, so a re-run — or an overlapping region — pays nobody twice; a re-run only
adds what became due since (a case approved in between). A case stopped mid-month is paid for the
month of the stop or not, as ``assistance.payment.stop_month_paid`` says.

The mechanics — the run lock, the ``prepared`` → ``issued`` marking, the crash-safe finish of
the bank file, the download, the fault hook ``MINSHENG_FAULT=payroll:<step>`` — are the shared
payment engine's (``minsheng.payments.engine``); this module says what is due and how its bank
file reads (:data:`LEDGER`). One use case, whichever door starts it (:func:`issue`; the API and
the CLI both call it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker, undefer

from minsheng.assistance import vocab
from minsheng.assistance.dues import Due, due
from minsheng.assistance.household import parse_month
from minsheng.assistance.models import Payment, PayrollRun
from minsheng.core import divisions, export
from minsheng.core.errors import invalid
from minsheng.foundation.principals import Principal
from minsheng.payments import engine
from minsheng.registry.models import Person


@dataclass(frozen=True)
class PayrollResult:
    month: str
    region: str
    run_id: int
    new: list[Payment]
    already_paid: int
    all_payments: list[Payment]
    state: str = "issued"
    file_name: str | None = None
    digest: str | None = None

    @property
    def new_total(self) -> int:
        return sum(p.amount for p in self.new)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.all_payments)

    def summary(self) -> dict[str, Any]:
        """What a run answers (the API, the supervisor's job page): amounts in fen."""
        return {
            "month": self.month,
            "region": self.region,
            "run_id": self.run_id,
            "state": self.state,
            "new_payments": len(self.new),
            "new_total": self.new_total,
            "already_paid": self.already_paid,
            "month_payments": len(self.all_payments),
            "month_total": self.total,
            "bank_file": self.file_name,
            "digest": self.digest,
        }


FAULT_ENV = engine.FAULT_ENV
FAULT_STEPS = engine.FAULT_STEPS
LOCK_KEY = 0x4D53_5059  # pg_advisory_xact_lock key of the payroll ("MSPY")


def files_dir(data_dir: Path) -> Path:
    """Where payroll files live: ``<data dir>/payroll`` (0700; files 0600)."""
    return data_dir / "payroll"


def _region(region: str, by: Principal) -> str:
    code = divisions.get(region, "region").code
    by.require_covers(code, "household")
    return code


def bank_file_name(month: str, region: str, run_id: int) -> str:
    return engine.file_name(LEDGER, month, region, run_id)


def run(
    session: Session, month_text: str, region: str, by: Principal, today: dt.date | None = None
) -> PayrollResult:
    """Record what is due for the month in the region and not yet paid: the run (``prepared``
    when it pays anyone, with its bank file's name and digest) and its payments. The caller
    commits, then :func:`finish` writes the file; :func:`issue` does all of it."""
    month = parse_month(month_text)
    today = today or dt.date.today()
    if month > today.replace(day=1):
        raise invalid(
            "month",
            "future",
            "不能发放未来月份",
            "a month in the future cannot be paid",
            bo="ཟླ་བ་མ་འོངས་པའི་འགྲེམ་སྤྲོད་བྱེད་མི་ཆོག",
        )
    code = _region(region, by)
    prefix = divisions.code_prefix(code)
    key = f"{month:%Y-%m}"
    engine.lock(session, LEDGER)
    done = engine.prepare(session, LEDGER, key, code, by, due(session, month, prefix))
    payroll = done.run
    everything = month_payments(session, key, code)
    return PayrollResult(
        key,
        code,
        payroll.id,
        done.new,
        done.already_paid,
        everything,
        payroll.state,
        payroll.file_name,
        payroll.digest,
    )


def month_payments(session: Session, month: str, region: str) -> list[Payment]:
    prefix = divisions.code_prefix(region)
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.month == month, Payment.division_code.like(prefix + "%"))
            .order_by(Payment.id)
        )
    )


def _render(session: Session, payroll: PayrollRun, payments: list[Payment]) -> tuple[bytes, str]:
    """The run's bank file (惠民惠农"一卡通"; format ``MSBANK/1``, docs/formats.md): payee, full
    ID number (the bank matches the card on it), amount in fen. Deterministic: the same run and
    the same people give the same bytes. Never logged."""
    people = people_of(session, payments, with_id_number=True)
    transfers = [
        export.Transfer(
            ref=p.pay_key,
            name=people[p.person_id].name_zh,
            id_number=people[p.person_id].id_number,
            amount=p.amount,
            memo=f"{p.month} {vocab.label(vocab.PAYMENT_KINDS, p.kind)}",
        )
        for p in payments
    ]
    return export.bank_file(payroll.region, payroll.month, payroll.id, transfers)


def _payment(d: Due, payroll: PayrollRun) -> Payment:
    return Payment(
        pay_key=d.key,
        kind=d.kind,
        month=payroll.month,
        case_id=d.case_id,
        household_id=d.household_id,
        person_id=d.person_id,
        division_code=d.division_code,
        amount=d.amount,
        run_id=payroll.id,
    )


LEDGER = engine.Ledger(
    name="bank",
    run_model=PayrollRun,
    payment_model=Payment,
    render=_render,
    make_payment=_payment,
    run_entity="assistance_payroll",
    file_entity="assistance_bank_file",
    lock_key=LOCK_KEY,
)


def finish(session: Session, run_id: int, directory: Path, by: Principal) -> PayrollRun | None:
    """Write a ``prepared`` run's bank file and mark it ``issued`` (the engine's finish)."""
    result: PayrollRun | None = engine.finish(session, LEDGER, run_id, directory, by)
    return result


def unfinished(session: Session, region: str, by: Principal) -> list[int]:
    """Runs left ``prepared`` (a crash) in a region overlapping ``region`` that ``by`` covers."""
    return engine.unfinished(session, LEDGER, region, by)


def issue(
    factory: sessionmaker[Session],
    month_text: str,
    region: str,
    by: Principal,
    directory: Path,
    today: dt.date | None = None,
) -> PayrollResult:
    """The payroll use case: finish what a crash left, prepare and commit, write and issue."""
    code = divisions.get(region, "region").code
    by.require_covers(code, "household")
    result, digest = engine.issue(
        factory, LEDGER, code, by, directory, lambda s: run(s, month_text, code, by, today)
    )
    if digest is not None:
        result = dataclasses.replace(result, state="issued", digest=digest)
    return result  # type: ignore[no-any-return]


def bank_file_of(
    session: Session, run_id: int, by: Principal, directory: Path
) -> tuple[str, bytes]:
    """A run's bank file for download (audited; the engine's)."""
    return engine.bank_file_of(session, LEDGER, run_id, by, directory)


def people_of(
    session: Session, payments: list[Payment], with_id_number: bool = False
) -> dict[int, Person]:
    ids = sorted({p.person_id for p in payments})
    out: dict[int, Person] = {}
    query = select(Person)
    if with_id_number:
        query = query.options(undefer(Person.id_number))
    for i in range(0, len(ids), 500):
        for person in session.scalars(query.where(Person.id.in_(ids[i : i + 500]))):
            out[person.id] = person
    return out


def household_payments(session: Session, household_id: int, limit: int = 60) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.household_id == household_id)
            .order_by(Payment.month.desc(), Payment.id.desc())
            .limit(limit)
        )
    )
