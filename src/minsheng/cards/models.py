"""Card records (社会保障卡), their history, and the electronic codes already used."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base
from minsheng.foundation.crypto import Encrypted

CARD_STATES = ("applied", "made", "issued", "active", "lost", "replaced", "cancelled")


class SocialCard(Base):
    """One physical card of one person. A person holds at most one card that is not replaced
    or cancelled (a partial unique index would differ by database; the service checks it
    under the person's row lock)."""

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in CARD_STATES)})", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # the card's own number (卡号): never the ID number; 9 characters, the division's
    # prefecture and a sequence
    number: Mapped[str] = mapped_column(String(12), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # issuing county
    state: Mapped[str] = mapped_column(String(12), index=True)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    made_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    activated_on: Mapped[dt.date | None] = mapped_column(Date)
    lost_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)  # replaced or cancelled
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    bank_name: Mapped[str | None] = mapped_column(String(40))
    bank_account: Mapped[str | None] = mapped_column(Encrypted())  # 金融账户
    bank_account_tail: Mapped[str | None] = mapped_column(String(4))  # shown: last 4 digits
    reason: Mapped[str | None] = mapped_column(String(400))
    version: Mapped[int] = mapped_column(Integer, default=1)


class CardEvent(Base):
    """One step of a card's life (the case engine's :class:`~minsheng.cases.engine.Event`)."""

    __tablename__ = "card_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


class ECardUse(Base):
    """An electronic-card code that has been scanned: each code identifies once."""

    __tablename__ = "ecard_uses"
    __table_args__ = (UniqueConstraint("nonce", name="uq_ecard_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str] = mapped_column(String(64))
