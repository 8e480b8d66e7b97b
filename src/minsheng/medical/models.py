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
    # "<actor>:<key>" (the key as the caller sent it, scoped to the caller) and the SHA-256
    # fingerprint of the bill as parsed: a retry must carry the same bill (docs/medical.md)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
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
    # 倾斜救助 and the commercial layer (migration 0039): None where the region's layer order
    # (``medical.layers.order``) has no such layer — every settlement made before it, Tibet's
    tilted: Mapped[int | None] = mapped_column(FEN)
    commercial: Mapped[int | None] = mapped_column(FEN)
    patient: Mapped[int] = mapped_column(FEN)
    account: Mapped[int] = mapped_column(FEN)
    cash: Mapped[int] = mapped_column(FEN)
    # what this settlement added to the running totals (negated on a reversal)
    op_deductible: Mapped[int] = mapped_column(FEN)
    ci_base: Mapped[int] = mapped_column(FEN)
    as_deductible: Mapped[int] = mapped_column(FEN)
    basic_above: Mapped[int] = mapped_column(FEN, default=0, server_default="0")  # year's cost
    cm_deductible: Mapped[int] = mapped_column(FEN, default=0, server_default="0")  # commercial
    explanation: Mapped[str] = mapped_column(Text)  # JSON
    # JSON of the bill as received, the patient referenced by person_id (never an ID number)
    bill: Mapped[str] = mapped_column(Text)
    inputs: Mapped[str] = mapped_column(Text)  # JSON: the rules' view of the bill (for replay)
    account_debits: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[person_id, fen], …]
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(String(64))
    # why it was reversed (冲销原因), on the reversal row; None on a settlement and on a reversal
    # made through the API without one (migration 0037)
    reason: Mapped[str | None] = mapped_column(String(200))


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
    # the year's cost above the deductible counted so far (cost bands, eligible-cost ceilings)
    op_cost: Mapped[int] = mapped_column(FEN, default=0, server_default="0")
    ip_cost: Mapped[int] = mapped_column(FEN, default=0, server_default="0")
    # the layers beyond the three (migration 0039): 倾斜救助 paid, the commercial layer's
    # deductible used and what it paid
    ta_paid: Mapped[int] = mapped_column(FEN, default=0, server_default="0")
    cm_deductible: Mapped[int] = mapped_column(FEN, default=0, server_default="0")
    cm_paid: Mapped[int] = mapped_column(FEN, default=0, server_default="0")
    admissions: Mapped[int] = mapped_column(Integer, default=0)  # inpatient settlements this year
    settlements: Mapped[int] = mapped_column(Integer, default=0)


class PersonalAccount(Base):
    """An employee's personal medical account (个人账户); with ``family_sharing`` it may also pay
    for relatives in the same household (家庭共济)."""

    __tablename__ = "med_accounts"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(FEN, default=0)
    family_sharing: Mapped[bool] = mapped_column(Boolean, default=True)


class Preview(Base):
    """A pre-settlement (预结算) as shown to the cashier: the bill (the patient referenced by
    person_id), its fingerprint and the figures shown. Confirming posts exactly this bill and
    only if the figures still come out the same; it expires after ``service.PREVIEW_TTL``."""

    __tablename__ = "med_previews"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    bill: Mapped[str] = mapped_column(Text)  # JSON, the patient as {"person_id": …}
    figures: Mapped[str] = mapped_column(Text)  # JSON: the amounts shown
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("med_settlements.id"))
