"""The monthly payment roll (发放): 低保 and 特困 cases, one-off 临时救助, and the person benefits
(残疾人两项补贴, 高龄老人补贴, 孤儿基本生活费).

Idempotent per month and region: every payment has a key (benefit, case or person, month) that is
unique in the database, so a re-run — or an overlapping region — pays nobody twice; a re-run only
adds what became due since (a case approved in between). A case stopped mid-month is paid for the
month of the stop or not, as ``assistance.payment.stop_month_paid`` says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from minsheng.assistance import rules, vocab
from minsheng.assistance.household import add_months, age_on, grade_on, params, parse_month
from minsheng.assistance.models import Case, Payment, PayrollRun
from minsheng.assistance.service import PAID_PROGRAMMES
from minsheng.auth import audit
from minsheng.auth.permissions import Principal
from minsheng.core import divisions, money
from minsheng.core.errors import invalid
from minsheng.registry import service as registry
from minsheng.registry.models import Person


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    case_id: int | None
    household_id: int
    person_id: int
    division_code: str
    amount: int


def _last_paid_month(case: Case, stop_month_paid: bool) -> dt.date | None:
    if case.stopped_on is None:
        return None
    stop = case.stopped_on.replace(day=1)
    return stop if stop_month_paid else add_months(stop, -1)


def due(session: Session, month: dt.date, prefix: str) -> list[Due]:
    """Everything due for ``month`` in the region, paid or not yet."""
    key = f"{month:%Y-%m}"
    out: list[Due] = []
    month_end = add_months(month, 1) - dt.timedelta(days=1)
    cases = session.scalars(
        select(Case).where(
            Case.division_code.like(prefix + "%"),
            Case.state.in_(("approved", "stopped")),
            Case.decided_on.is_not(None),
            Case.decided_on <= month_end,
        )
    ).all()
    heads = dict(
        session.execute(
            select(Person.household_id, Person.id).where(
                Person.relationship_to_head == "head", Person.division_code.like(prefix + "%")
            )
        ).all()
    )
    poor_households: set[int] = set()
    for case in cases:
        assert case.decided_on is not None
        p = params(month, case.division_code)
        first = add_months(
            case.decided_on.replace(day=1), p.count("assistance.payment.first_month_offset")
        )
        last = _last_paid_month(case, p.count("assistance.payment.stop_month_paid") == 1)
        payee = case.person_id or heads.get(case.household_id)
        if payee is None:
            continue
        if case.programme == "temporary":
            if case.state == "approved" and case.monthly_amount > 0 and month >= first:
                out.append(
                    Due(
                        f"temporary:c{case.id}",
                        "temporary",
                        case.id,
                        case.household_id,
                        payee,
                        case.division_code,
                        case.monthly_amount,
                    )
                )
            continue
        if case.programme not in PAID_PROGRAMMES or month < first:
            continue
        if last is not None and month > last:
            continue
        poor_households.add(case.household_id)
        if case.monthly_amount > 0:
            out.append(
                Due(
                    f"{case.programme}:c{case.id}:{key}",
                    case.programme,
                    case.id,
                    case.household_id,
                    payee,
                    case.division_code,
                    case.monthly_amount,
                )
            )
    out += _person_benefits(session, month, prefix, poor_households)
    return out


def _person_benefits(session: Session, month: dt.date, prefix: str, poor: set[int]) -> list[Due]:
    """Person benefits for everyone alive on the first of the month, vectorised per region."""
    people = session.scalars(
        select(Person)
        .where(
            Person.division_code.like(prefix + "%"),
            Person.household_id.is_not(None),
            (Person.death_date.is_(None)) | (Person.death_date >= month),
        )
        .options(selectinload(Person.statuses))
    ).all()
    out: list[Due] = []
    by_region: dict[str, list[Person]] = {}
    for person in people:
        by_region.setdefault(divisions.pooling_region(person.division_code), []).append(person)
    for region_people in by_region.values():
        p = params(month, region_people[0].division_code)
        age = np.array([age_on(x, month) for x in region_people], dtype=np.int64)
        grade = np.array([grade_on(x, month) for x in region_people], dtype=np.int64)
        orphan = np.array(
            ["orphan" in registry.statuses_on(x, month) for x in region_people], dtype=np.bool_
        )
        in_poor = np.array([x.household_id in poor for x in region_people], dtype=np.bool_)
        amounts = rules.person_benefits(p, age, grade, in_poor, orphan)
        for kind, col in amounts.items():
            for j in np.nonzero(col)[0]:
                x = region_people[int(j)]
                assert x.household_id is not None
                out.append(
                    Due(
                        f"{kind}:p{x.id}:{month:%Y-%m}",
                        kind,
                        None,
                        x.household_id,
                        x.id,
                        x.division_code,
                        int(col[j]),
                    )
                )
    return out


@dataclass(frozen=True)
class PayrollResult:
    month: str
    region: str
    run_id: int
    new: list[Payment]
    already_paid: int
    all_payments: list[Payment]

    @property
    def new_total(self) -> int:
        return sum(p.amount for p in self.new)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.all_payments)


def run(
    session: Session, month_text: str, region: str, by: Principal, today: dt.date | None = None
) -> PayrollResult:
    """Pay what is due for the month in the region and not yet paid."""
    month = parse_month(month_text)
    today = today or dt.date.today()
    if month > today.replace(day=1):
        raise invalid("month", "future", "不能发放未来月份", "a month in the future cannot be paid")
    code = divisions.get(region, "region").code
    by.require_covers(code, "household")
    prefix = divisions.code_prefix(code)
    key = f"{month:%Y-%m}"
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
    session.flush()
    audit.record(
        session,
        by,
        "payroll",
        "assistance_payroll",
        payroll.id,
        code,
        {"month": key, "new": len(new), "new_total": payroll.new_total, "already_paid": len(paid)},
    )
    everything = list(
        session.scalars(
            select(Payment)
            .where(Payment.month == key, Payment.division_code.like(prefix + "%"))
            .order_by(Payment.id)
        )
    )
    return PayrollResult(key, code, payroll.id, new, len(paid), everything)


def roll_csv(session: Session, payments: list[Payment]) -> str:
    """The month's roll: one row per payment, ID numbers masked."""
    people = _people(session, payments)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "month",
            "kind",
            "kind_zh",
            "case_id",
            "household_id",
            "person_id",
            "name",
            "id_masked",
            "division_code",
            "amount_yuan",
            "run_id",
        ]
    )
    for p in payments:
        person = people[p.person_id]
        w.writerow(
            [
                p.month,
                p.kind,
                vocab.label(vocab.PAYMENT_KINDS, p.kind),
                p.case_id or "",
                p.household_id,
                p.person_id,
                person.name_zh,
                person.id_masked,
                p.division_code,
                money.to_str(p.amount),
                p.run_id,
            ]
        )
    return buf.getvalue()


def bank_file(session: Session, payments: list[Payment], month: str, region: str) -> str:
    """The transfers of one run for the bank (惠民惠农"一卡通"): payee, full ID number (the bank
    matches the card on it), amount. Written with owner-only permissions; never logged."""
    people = _people(session, payments)
    total = sum(p.amount for p in payments)
    lines = [f"H|{region}|{month}|{len(payments)}|{money.to_str(total)}"]
    for i, p in enumerate(payments, 1):
        person = people[p.person_id]
        lines.append(
            f"D|{i}|{person.name_zh}|{person.id_number}|{money.to_str(p.amount)}"
            f"|{month} {vocab.label(vocab.PAYMENT_KINDS, p.kind)}"
        )
    return "\n".join(lines) + "\n"


def _people(session: Session, payments: list[Payment]) -> dict[int, Person]:
    ids = sorted({p.person_id for p in payments})
    out: dict[int, Person] = {}
    for i in range(0, len(ids), 500):
        for person in session.scalars(select(Person).where(Person.id.in_(ids[i : i + 500]))):
            out[person.id] = person
    return out


def write_files(session: Session, result: PayrollResult, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{result.month}-{result.region}"
    roll = directory / f"payroll-{stem}.csv"
    roll.write_text(roll_csv(session, result.all_payments), encoding="utf-8")
    bank = directory / f"bank-{stem}-run{result.run_id}.txt"
    fd = os.open(bank, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(bank_file(session, result.new, result.month, result.region))
    return roll, bank


def household_payments(session: Session, household_id: int, limit: int = 60) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.household_id == household_id)
            .order_by(Payment.month.desc(), Payment.id.desc())
            .limit(limit)
        )
    )
