"""The medical ledger: immutable settlements and per-person yearly running totals."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

FEN = BigInteger  # amounts in fen can pass 2^31


class Settlement(Base):
    """One settled bill (kind "settle") or the reversal of one (kind "reverse", amounts negated).

    Never updated but for ``reversed_by_id``; a reversal is a new row.
    """

    __tablename__ = "med_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # settle | reverse
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("med_settlements.id"))
    reversed_by_id: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    service_date: Mapped[dt.date] = mapped_column(Date)
    visit: Mapped[str] = mapped_column(String(12))
    scheme: Mapped[str] = mapped_column(String(24))
    level: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(8))
    admission_no: Mapped[str | None] = mapped_column(String(40))
    diagnosis: Mapped[str | None] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(FEN)
    full_self: Mapped[int] = mapped_column(FEN)
    over_limit: Mapped[int] = mapped_column(FEN)
    self_first: Mapped[int] = mapped_column(FEN)
    policy: Mapped[int] = mapped_column(FEN)
    basic: Mapped[int] = mapped_column(FEN)
    ci: Mapped[int] = mapped_column(FEN)
    assistance: Mapped[int] = mapped_column(FEN)
    patient: Mapped[int] = mapped_column(FEN)
    account: Mapped[int] = mapped_column(FEN)
    cash: Mapped[int] = mapped_column(FEN)
    # what this settlement added to the running totals (negated on a reversal)
    op_deductible: Mapped[int] = mapped_column(FEN)
    ci_base: Mapped[int] = mapped_column(FEN)
    as_deductible: Mapped[int] = mapped_column(FEN)
    explanation: Mapped[str] = mapped_column(Text)  # JSON
    bill: Mapped[str] = mapped_column(Text)  # JSON of the bill as received
    inputs: Mapped[str] = mapped_column(Text)  # JSON: the rules' view of the bill (for replay)
    account_debits: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[person_id, fen], …]
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(String(64))


class LedgerYear(Base):
    """Running totals of one person in one calendar year, per fund (locked while settling)."""

    __tablename__ = "med_ledger"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    op_deductible: Mapped[int] = mapped_column(FEN, default=0)
    op_paid: Mapped[int] = mapped_column(FEN, default=0)
    ip_paid: Mapped[int] = mapped_column(FEN, default=0)
    ci_base: Mapped[int] = mapped_column(FEN, default=0)
    ci_paid: Mapped[int] = mapped_column(FEN, default=0)
    as_deductible: Mapped[int] = mapped_column(FEN, default=0)
    as_paid: Mapped[int] = mapped_column(FEN, default=0)
    admissions: Mapped[int] = mapped_column(Integer, default=0)  # inpatient settlements this year
    settlements: Mapped[int] = mapped_column(Integer, default=0)


class PersonalAccount(Base):
    """An employee's personal medical account (个人账户); with ``family_sharing`` it may also pay
    for relatives in the same household (家庭共济)."""

    __tablename__ = "med_accounts"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(FEN, default=0)
    family_sharing: Mapped[bool] = mapped_column(Boolean, default=True)
