"""Assistance tables: what a caseworker records about a household, the cases and their
history, the payments, and the monitoring warnings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

FEN = BigInteger

PROGRAMMES = ("dibao", "tekun", "dibao_edge", "rigid_expense", "temporary")
CASE_STATES = ("applied", "checking", "notice", "approved", "rejected", "stopped")
WARNING_STATES = ("new", "checking", "assisted", "no_action")
EXPENSE_KINDS = ("medical", "education", "rehabilitation", "accident")
ASSET_KINDS = ("deposits", "securities", "other_financial")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Income(Base):
    """A member's income of one kind in one month (收入), as the caseworker recorded it."""

    __tablename__ = "as_incomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(FEN)
    recorded_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("person_id", "month", "kind"),
        CheckConstraint("amount >= 0", name="amount"),
    )


class Asset(Base):
    """A household's financial assets of one kind (家庭财产), latest valuation."""

    __tablename__ = "as_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(FEN)
    as_of: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("household_id", "kind"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint(_in("kind", ASSET_KINDS), name="kind"),
    )


class Expense(Base):
    """A rigid expense (刚性支出) in one month: medical, education, rehabilitation, accident."""

    __tablename__ = "as_expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(FEN)
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint(_in("kind", EXPENSE_KINDS), name="kind"),
    )


class Case(Base):
    """An application and, once decided, the decision it carries (申请 → 审核 → 公示 → 确认 → 发放
    → 复核 → 停发). ``person_id`` is set for 特困 and for a 单人户 member assessed alone."""

    __tablename__ = "as_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    programme: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    state: Mapped[str] = mapped_column(String(12), index=True)
    single: Mapped[bool] = mapped_column(default=False)  # 单人户
    care_level: Mapped[str | None] = mapped_column(String(12))
    has_supporter: Mapped[bool] = mapped_column(default=False)
    requested: Mapped[int | None] = mapped_column(FEN)  # 临时救助: amount asked for
    applied_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # next deadline of the current step
    notice_start: Mapped[dt.date | None] = mapped_column(Date)
    notice_end: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    review_due: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    stopped_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(400))  # of a rejection or a stop
    eligible: Mapped[bool | None] = mapped_column()  # the rules' finding at the last check
    monthly_amount: Mapped[int] = mapped_column(FEN, default=0)
    explanation: Mapped[str] = mapped_column(Text, default="[]")  # JSON steps
    created_by: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)  # user:N (分派)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("programme", PROGRAMMES), name="programme"),
        CheckConstraint(_in("state", CASE_STATES), name="state"),
        CheckConstraint("monthly_amount >= 0", name="amount"),
    )


class CaseEvent(Base):
    """One step of a case's history."""

    __tablename__ = "as_case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("as_cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(FEN, default=0)
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


PAYROLL_STATES = ("prepared", "issued")


class PayrollRun(Base):
    """One payroll run (发放批次). Its payments are committed with it as ``prepared``; the bank
    file (``file_name``, whose SHA-256 is ``digest``) is then written and renamed into place and
    the run marked ``issued``. A run left ``prepared`` by a crash is finished by the next run
    (see ``payroll.finish``). A run with no new payment has no file and is issued at once."""

    __tablename__ = "as_payroll_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    region: Mapped[str] = mapped_column(String(6))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    by: Mapped[str] = mapped_column(String(64))
    new_payments: Mapped[int] = mapped_column(Integer)
    new_total: Mapped[int] = mapped_column(FEN)
    state: Mapped[str] = mapped_column(String(10), server_default="issued", index=True)
    file_name: Mapped[str | None] = mapped_column(String(80))
    digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 hex, as in the trailer
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in PAYROLL_STATES)})", name="state"),
    )


class Payment(Base):
    """One month's payment of one benefit to one case or person. ``pay_key`` is unique: the same
    benefit for the same month is never paid twice, whatever the runs."""

    __tablename__ = "as_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pay_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("as_cases.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)  # the payee
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    amount: Mapped[int] = mapped_column(FEN)
    run_id: Mapped[int] = mapped_column(ForeignKey("as_payroll_runs.id"), index=True)

    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)


class Warning(Base):
    """A monitoring warning in a county caseworker's queue. ``open_key`` holds the cause key while
    the warning is open and is unique, so one cause never has two open warnings."""

    __tablename__ = "as_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    cause: Mapped[str] = mapped_column(String(24))
    cause_key: Mapped[str] = mapped_column(String(80), index=True)
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    state: Mapped[str] = mapped_column(String(12), index=True)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    handled_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(400))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)  # user:N (分派)

    __table_args__ = (CheckConstraint(_in("state", WARNING_STATES), name="state"),)


class WarningEvent(Base):
    """One step of a warning's history (as :class:`CaseEvent` is of a case's)."""

    __tablename__ = "as_warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("as_warnings.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
