"""The month's payment roll (发放花名册) for a region: one CSV row per payment, ID numbers
masked — written to the data directory by the CLI or downloaded (audited) for a run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from minsheng.assistance import vocab
from minsheng.assistance.models import Payment, PayrollRun
from minsheng.assistance.payroll import month_payments, people_of
from minsheng.core import export, money
from minsheng.core.errors import NotFoundError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

ROLL_HEADER = (
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
)


def roll_csv(session: Session, payments: list[Payment]) -> bytes:
    """The month's roll: one row per payment, ID numbers masked (the one CSV writer)."""
    people = people_of(session, payments)
    rows = (
        [
            p.month,
            p.kind,
            vocab.label(vocab.PAYMENT_KINDS, p.kind),
            p.case_id,
            p.household_id,
            p.person_id,
            people[p.person_id].name_zh,
            people[p.person_id].id_masked,
            p.division_code,
            money.to_str(p.amount),
            p.run_id,
        ]
        for p in payments
    )
    return export.csv_bytes(ROLL_HEADER, rows)


def roll_name(month: str, region: str) -> str:
    return f"payroll-{month}-{region}.csv"


def write_roll(session: Session, month: str, region: str, directory: Path) -> Path:
    """Write (replace) the month's roll for the region, owner-only, atomically."""
    data = roll_csv(session, month_payments(session, month, region))
    return export.write_private(directory, roll_name(month, region), data)


def roll_of(session: Session, run_id: int, by: Principal) -> tuple[str, bytes]:
    """The month's roll (as it stands now) for a run's region, for download (audited)."""
    payroll = session.get(PayrollRun, run_id)
    if payroll is None or not by.covers(payroll.region):  # elsewhere answers as missing
        raise NotFoundError(
            "run_id", "没有这个发放批次", "no such payroll run", bo="འགྲེམ་སྤྲོད་རིམ་པ་འདི་མི་འདུག"
        )
    payments = month_payments(session, payroll.month, payroll.region)
    audit.record(
        session,
        by,
        "download",
        "assistance_roll",
        payroll.id,
        payroll.region,
        {"month": payroll.month, "rows": len(payments)},
    )
    return roll_name(payroll.month, payroll.region), roll_csv(session, payments)
