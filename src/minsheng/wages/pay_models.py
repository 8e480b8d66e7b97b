"""Wage-protection tables: pay (工资支付).

- ``wg_wage_accounts`` — a project's dedicated wage account (农民工工资专用账户, 人社部发〔2021〕
  53号): the bank, the account number (encrypted; its last four digits shown), opened on,
  filed on with the labour bureau, and its balance (fen, never negative: a check).
- ``wg_labour_transfers`` — labour-cost transfers from the developer into the account (人工费
  用拨付), one row per bank reference (a retried transfer is the same row).
- ``wg_pay_sheets`` / ``wg_pay_lines`` — the month's pay sheet (工资支付表) of one team, its
  lines per worker (attendance, rate, gross; a back-pay line makes good an earlier month) and
  each worker's confirmation (confirmed or disputed, on the phone).
- ``wg_wage_cards`` — a worker's own bank card for wages (encrypted; last four shown); without
  one, the bank account of the worker's social-security card is paid.
- ``wg_pay_runs`` / ``wg_payments`` — the payment engine's run and payment tables
  (:mod:`minsheng.payments.engine`): ``pay_key`` = worker and month, unique, so a worker is
  never paid twice for one month.

Pay records carry ``keep_until`` (条例 art. 15: at least 3 years); nothing deletes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.core.errors import ConflictError
from minsheng.db import Base
from minsheng.foundation.crypto import Encrypted

FEN = BigInteger
SHEET_STATES = ("open", "paying", "paid")  # 待确认/待发放 · 发放中 · 已发放
CONFIRMATIONS = ("pending", "confirmed", "disputed")


class WgWageAccount(Base):
    """The project's dedicated wage account (one per project)."""

    __tablename__ = "wg_wage_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    bank_name: Mapped[str] = mapped_column(String(40))
    account_number: Mapped[str] = mapped_column(Encrypted())
    account_tail: Mapped[str] = mapped_column(String(4))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date | None] = mapped_column(Date)  # 备案
    balance: Mapped[int] = mapped_column(FEN, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance"),
        CheckConstraint("filed_on IS NULL OR filed_on >= opened_on", name="filed"),
    )


class WgLabourTransfer(Base):
    """A labour-cost transfer from the developer into the account (its bank reference
    unique per account)."""

    __tablename__ = "wg_labour_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wg_wage_accounts.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(FEN)
    reference: Mapped[str] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        UniqueConstraint("account_id", "reference"),
    )


class WgPaySheet(Base):
    """A team's pay sheet for a month (one per team and month)."""

    __tablename__ = "wg_pay_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("wg_teams.id"))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    state: Mapped[str] = mapped_column(String(8), default="open")
    total: Mapped[int] = mapped_column(FEN, default=0)
    built_by: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    keep_until: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in SHEET_STATES)})", name="state"),
        CheckConstraint("total >= 0", name="total"),
        UniqueConstraint("team_id", "month"),
    )


class WgPayLine(Base):
    """One worker's pay on a sheet: for the sheet's month, or (``back_pay``) for an earlier
    month still unpaid (``for_month``)."""

    __tablename__ = "wg_pay_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("wg_pay_sheets.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("wg_workers.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    for_month: Mapped[str] = mapped_column(String(7))
    back_pay: Mapped[bool] = mapped_column(Boolean, default=False)
    days: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    pieces: Mapped[int] = mapped_column(Integer, default=0)
    ot_working_minutes: Mapped[int] = mapped_column(Integer, default=0)  # 150%
    ot_rest_minutes: Mapped[int] = mapped_column(Integer, default=0)  # 200%
    ot_holiday_minutes: Mapped[int] = mapped_column(Integer, default=0)  # 300%
    rate_kind: Mapped[str] = mapped_column(String(6))
    rate: Mapped[int] = mapped_column(FEN)
    overtime_rate: Mapped[int | None] = mapped_column(FEN)
    base: Mapped[int] = mapped_column(FEN)
    overtime_pay: Mapped[int] = mapped_column(FEN)
    gross: Mapped[int] = mapped_column(FEN)
    confirmation: Mapped[str] = mapped_column(String(10), default="pending")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    dispute_note: Mapped[str | None] = mapped_column(String(400))

    __table_args__ = (
        CheckConstraint(
            f"confirmation IN ({', '.join(repr(s) for s in CONFIRMATIONS)})", name="confirmation"
        ),
        CheckConstraint("gross >= 0 AND base >= 0 AND overtime_pay >= 0", name="amounts"),
        UniqueConstraint("sheet_id", "worker_id", "for_month"),
    )


class WgWageCard(Base):
    """A worker's own bank card for wages (工资卡), one per person."""

    __tablename__ = "wg_wage_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    bank_name: Mapped[str] = mapped_column(String(40))
    account_number: Mapped[str] = mapped_column(Encrypted())
    account_tail: Mapped[str] = mapped_column(String(4))
    set_on: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))


class WgPayRun(Base):
    """One pay run of a project's month on the payment engine (prepared → issued)."""

    __tablename__ = "wg_pay_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # set in the transaction that prepares the run (the engine makes the row without it)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    region: Mapped[str] = mapped_column(String(6))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    by: Mapped[str] = mapped_column(String(64))
    new_payments: Mapped[int] = mapped_column(Integer)
    new_total: Mapped[int] = mapped_column(FEN)
    state: Mapped[str] = mapped_column(String(10), server_default="issued", index=True)
    file_name: Mapped[str | None] = mapped_column(String(80))
    digest: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("state IN ('prepared', 'issued')", name="state"),)


class WgPayment(Base):
    """One worker's wages for one month paid (``pay_key`` = worker and month, unique)."""

    __tablename__ = "wg_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pay_key: Mapped[str] = mapped_column(String(40), unique=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("wg_pay_runs.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("wg_pay_lines.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("wg_workers.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"))
    month: Mapped[str] = mapped_column(String(7))  # the month paid for
    amount: Mapped[int] = mapped_column(FEN)
    account_tail: Mapped[str] = mapped_column(String(4))  # the card paid into
    keep_until: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)


# Records kept at least 3 years (条例 art. 15): nothing deletes a pay sheet, line or payment
# through the ORM before its ``keep_until`` (a payment's own, a line's through its sheet).
def _kept(keep_until: dt.date | None) -> None:
    if keep_until is not None and dt.date.today() < keep_until:
        raise ConflictError(
            "keep_until",
            "retention",
            f"工资支付记录须保存至{keep_until.isoformat()}，不得删除",
            f"pay records are kept until {keep_until.isoformat()}; they cannot be deleted",
            bo="གླ་ཕོགས་ཀྱི་ཟིན་ཐོ་ལོ་གསུམ་ཉར་དགོས་པས་སུབ་མི་ཆོག",
        )


@event.listens_for(WgPaySheet, "before_delete")
def _keep_sheet(_mapper: object, _conn: object, sheet: WgPaySheet) -> None:
    _kept(sheet.keep_until)


@event.listens_for(WgPayment, "before_delete")
def _keep_payment(_mapper: object, _conn: object, payment: WgPayment) -> None:
    _kept(payment.keep_until)


@event.listens_for(WgPayLine, "before_delete")
def _keep_line(_mapper: object, conn: Any, line: WgPayLine) -> None:
    kept = conn.execute(
        select(WgPaySheet.keep_until).where(WgPaySheet.id == line.sheet_id)
    ).scalar()
    _kept(kept)


__all__ = [
    "WgLabourTransfer",
    "WgPayLine",
    "WgPayRun",
    "WgPaySheet",
    "WgPayment",
    "WgWageAccount",
    "WgWageCard",
]
