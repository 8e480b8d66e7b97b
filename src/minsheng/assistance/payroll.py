"""The monthly payment run (发放): paying what is due (``dues.py``: 低保 and 特困 cases, one-off
临时救助, and the person benefits 残疾人两项补贴, 高龄老人补贴, 孤儿基本生活费) into the bank
file; the month's roll (花名册) is ``rolls.py``.

Idempotent per month and region: every payment has a key (benefit, case or person, month) that is
unique in the database, so a re-run — or an overlapping region — pays nobody twice; a re-run only
adds what became due since (a case approved in between). A case stopped mid-month is paid for the
month of the stop or not, as ``assistance.payment.stop_month_paid`` says.

One use case, whichever door starts it (:func:`issue`; the API and the CLI both call it):

1. finish any run of an overlapping region that a crash left ``prepared``;
2. *prepare* — under the payroll lock, record the run and its payments with the bank file's
   name and digest, state ``prepared``; commit;
3. *finish* — under the lock, write the bank file (``core.export.bank_file``) under a temporary
   name in the same directory, fsync, rename it into place, mark the run ``issued``; commit.

Killed anywhere, the database and the files agree: no file exists for a run that is not
committed, a temporary file never has a final name, and the next run (or a download) finishes a
``prepared`` run in the same file name — never in a second file. Runs are serialised by a
transaction-scoped advisory lock on PostgreSQL and by ``BEGIN IMMEDIATE`` on SQLite, so
concurrent runs over overlapping regions queue instead of colliding on ``pay_key``.

``MINSHENG_FAULT=payroll:<step>`` (test-only; ignored when ``MINSHENG_ENV=production``) makes the
process SIGKILL itself at a step — ``prepare`` (before the first commit), ``prepared``,
``temp_written``, ``renamed``, ``issued`` — for the fault-injection test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker, undefer

from minsheng.assistance import vocab
from minsheng.assistance.dues import due
from minsheng.assistance.household import parse_month
from minsheng.assistance.models import Payment, PayrollRun
from minsheng.core import divisions, export
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.db import unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
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


FAULT_ENV = "MINSHENG_FAULT"
FAULT_STEPS = ("prepare", "prepared", "temp_written", "renamed", "issued")
LOCK_KEY = 0x4D53_5059  # pg_advisory_xact_lock key of the payroll ("MSPY")


def _fault(step: str) -> None:
    """Test-only crash hook (see the module docstring)."""
    if os.environ.get(FAULT_ENV) == f"payroll:{step}" and os.environ.get("MINSHENG_ENV") != (
        "production"
    ):
        os.kill(os.getpid(), signal.SIGKILL)


def files_dir(data_dir: Path) -> Path:
    """Where payroll files live: ``<data dir>/payroll`` (0700; files 0600)."""
    return data_dir / "payroll"


def _lock(session: Session) -> None:
    """Serialise payroll runs (held to the end of the transaction). SQLite units of work already
    hold the database's write lock from their first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def _region(region: str, by: Principal) -> str:
    code = divisions.get(region, "region").code
    by.require_covers(code, "household")
    return code


def bank_file_name(month: str, region: str, run_id: int) -> str:
    return f"bank-{month}-{region}-run{run_id}.txt"


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
    _lock(session)
    items = due(session, month, prefix)
    keys = [d.key for d in items]
    paid: set[str] = set()
    for i in range(0, len(keys), 500):
        paid |= set(
            session.scalars(select(Payment.pay_key).where(Payment.pay_key.in_(keys[i : i + 500])))
        )
    new_items = [d for d in items if d.key not in paid]
    payroll = PayrollRun(
        month=key,
        region=code,
        by=by.actor,
        new_payments=len(new_items),
        new_total=sum(d.amount for d in new_items),
        state="prepared" if new_items else "issued",
    )
    session.add(payroll)
    session.flush()
    new = [
        Payment(
            pay_key=d.key,
            kind=d.kind,
            month=key,
            case_id=d.case_id,
            household_id=d.household_id,
            person_id=d.person_id,
            division_code=d.division_code,
            amount=d.amount,
            run_id=payroll.id,
        )
        for d in new_items
    ]
    session.add_all(new)
    try:
        session.flush()
    except IntegrityError:  # only if something bypassed the lock: a clean 409, never a 500
        raise ConflictError(
            "region",
            "payroll_busy",
            "另一个发放批次正在处理同一地区，请稍后重试",
            "another payroll run is paying the same region; try again",
            bo="ས་ཁུལ་འདིའི་འགྲེམ་སྤྲོད་གཞན་ཞིག་བྱེད་བཞིན་འདུག ཅུང་ཙམ་སྒུག་ནས་ཡང་བསྐྱར་ཚོད་ལྟ་གྱིས།",
        ) from None
    if new:
        payroll.file_name = bank_file_name(key, code, payroll.id)
        _, payroll.digest = _render(session, payroll, new)
    else:
        payroll.issued_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        by,
        "payroll",
        "assistance_payroll",
        payroll.id,
        code,
        {
            "month": key,
            "new": len(new),
            "new_total": payroll.new_total,
            "already_paid": len(paid),
            "state": payroll.state,
            "digest": payroll.digest,
        },
    )
    everything = month_payments(session, key, code)
    return PayrollResult(
        key,
        code,
        payroll.id,
        new,
        len(paid),
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


def _run_payments(session: Session, run_id: int) -> list[Payment]:
    return list(
        session.scalars(select(Payment).where(Payment.run_id == run_id).order_by(Payment.id))
    )


def finish(session: Session, run_id: int, directory: Path, by: Principal) -> PayrollRun | None:
    """Write a ``prepared`` run's bank file (temporary name, fsync, rename) and mark it
    ``issued``, under the payroll lock. A run already issued is left as it is. If the payees'
    details changed since the run was prepared, the file is written as they are now and the
    new digest recorded (the old one was never issued)."""
    _lock(session)
    payroll = session.get(PayrollRun, run_id, populate_existing=True)
    if payroll is None or payroll.state != "prepared":
        return payroll
    assert payroll.file_name is not None
    data, digest = _render(session, payroll, _run_payments(session, payroll.id))
    replaced = digest != payroll.digest
    export.private_dir(directory)
    export.remove_temps(directory, payroll.file_name)
    temp = export.write_temp(directory, payroll.file_name, data)
    _fault("temp_written")
    export.publish(temp, payroll.file_name)
    _fault("renamed")
    payroll.state = "issued"
    payroll.digest = digest
    payroll.issued_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        by,
        "issue",
        "assistance_payroll",
        payroll.id,
        payroll.region,
        {"file": payroll.file_name, "digest": digest, "replaced": replaced},
    )
    return payroll


def _overlap(a: str, b: str) -> bool:
    pa, pb = divisions.code_prefix(a), divisions.code_prefix(b)
    return pa.startswith(pb) or pb.startswith(pa)


def unfinished(session: Session, region: str, by: Principal) -> list[int]:
    """Runs left ``prepared`` (a crash) in a region overlapping ``region`` that ``by`` covers."""
    runs = session.scalars(select(PayrollRun).where(PayrollRun.state == "prepared")).all()
    return [r.id for r in runs if _overlap(r.region, region) and by.covers(r.region)]


def issue(
    factory: sessionmaker[Session],
    month_text: str,
    region: str,
    by: Principal,
    directory: Path,
    today: dt.date | None = None,
) -> PayrollResult:
    """The payroll use case: finish what a crash left, prepare and commit, write and issue."""
    with unit_of_work(factory) as s:
        code = _region(region, by)
        left = unfinished(s, code, by)
    for run_id in left:
        with unit_of_work(factory) as s:
            finish(s, run_id, directory, by)
    with unit_of_work(factory) as s:
        result = run(s, month_text, code, by, today)
        _fault("prepare")
    _fault("prepared")
    if result.state == "prepared":
        with unit_of_work(factory) as s:
            done = finish(s, result.run_id, directory, by)
            assert done is not None
            digest = done.digest
        _fault("issued")
        result = dataclasses.replace(result, state="issued", digest=digest)
    return result


def bank_file_of(
    session: Session, run_id: int, by: Principal, directory: Path
) -> tuple[str, bytes]:
    """A run's bank file for download (audited): the stored file when it is the one the run
    vouches for (its digest), else the same file rendered again from the database. A run a
    crash left ``prepared`` is finished first."""
    payroll = session.get(PayrollRun, run_id)
    if payroll is None or not by.covers(payroll.region):  # elsewhere answers as missing
        raise NotFoundError(
            "run_id", "没有这个发放批次", "no such payroll run", bo="འགྲེམ་སྤྲོད་རིམ་པ་འདི་མི་འདུག"
        )
    if payroll.state == "prepared":
        finish(session, payroll.id, directory, by)
    if payroll.file_name is None or payroll.digest is None:
        raise NotFoundError(
            "run_id",
            "该批次没有新的转账，没有银行文件",
            "this run paid nobody new, so it has no bank file",
            bo="རིམ་པ་འདིར་དངུལ་སྤོ་གསར་པ་མེད་པས་དངུལ་ཁང་ཡིག་ཆ་མི་འདུག",
        )
    path = directory / payroll.file_name
    data = path.read_bytes() if path.is_file() else b""
    if export.bank_digest(data) != payroll.digest:
        data, digest = _render(session, payroll, _run_payments(session, payroll.id))
        if digest != payroll.digest:
            raise ConflictError(
                "run_id",
                "bank_file_changed",
                "银行文件已被移走，且收款人信息此后有变，无法重现原文件",
                "the bank file is gone and the payees' details changed since; it cannot be "
                "reproduced",
                bo="དངུལ་ཁང་ཡིག་ཆ་མི་འདུག་ལ་དངུལ་ལེན་མཁན་གྱི་ཆ་འཕྲིན་ཡང་བསྒྱུར་འདུག",
            )
        export.write_private(directory, payroll.file_name, data)
    audit.record(
        session,
        by,
        "download",
        "assistance_bank_file",
        payroll.id,
        payroll.region,
        {"file": payroll.file_name, "digest": payroll.digest, "count": payroll.new_payments},
    )
    return payroll.file_name, data


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
