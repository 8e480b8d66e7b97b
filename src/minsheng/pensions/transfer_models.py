"""Stored pension transfers (转移接续, 城乡衔接): the case and its events (``pensions.transfer``
on the case engine, ``pensions.transfer_cases``). Imported at the end of
``pensions.models`` so the package's tables stay one module to the registry."""

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
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

FEN = BigInteger
TRANSFER_KINDS = ("employee", "link")
TRANSFER_STATES = ("applied", "confirmed", "sent", "done", "refused")
TRANSFER_SCHEMES = ("employee_pension", "resident_pension")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PnTransfer(Base):
    """One transfer of a person's pension relationship (``kind`` employee: between places,
    国办发〔2009〕66号) or account between the schemes (``kind`` link, 人社部发〔2014〕17号):
    the places (``from_division``/``to_division``, six-digit codes; one may be outside the
    region), the schemes the account leaves and enters, the amounts (fen) the rules computed
    on opening, the claim place, and each step's date and deadline. ``open_key`` holds the
    person id while the transfer is open (one open transfer a person); ``key`` is the caller's
    idempotency key (a retried open gives the same case)."""

    __tablename__ = "pn_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_division: Mapped[str] = mapped_column(String(6), index=True)
    to_division: Mapped[str] = mapped_column(String(6), index=True)
    from_scheme: Mapped[str] = mapped_column(String(20))
    to_scheme: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), default="applied", index=True)
    account: Mapped[int] = mapped_column(FEN, default=0)  # individual account moved
    pooled: Mapped[int] = mapped_column(FEN, default=0)  # pooled part moved (employee)
    claim_place: Mapped[str | None] = mapped_column(String(40))
    temporary_account: Mapped[bool] = mapped_column(default=False)
    request: Mapped[str] = mapped_column(Text)  # the rules' input (JSON, no ID number)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    confirm_by: Mapped[dt.date] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    send_by: Mapped[dt.date | None] = mapped_column(Date)
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    receive_by: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    credited: Mapped[int | None] = mapped_column(FEN)  # what the receipt credited, once
    refused_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("kind", TRANSFER_KINDS), name="kind"),
        CheckConstraint(_in("state", TRANSFER_STATES), name="state"),
        CheckConstraint(_in("from_scheme", TRANSFER_SCHEMES), name="from_scheme"),
        CheckConstraint(_in("to_scheme", TRANSFER_SCHEMES), name="to_scheme"),
        CheckConstraint(
            "account >= 0 AND pooled >= 0 AND (credited IS NULL OR credited >= 0)",
            name="amounts",
        ),
    )


class PnTransferEvent(Base):
    """One step of a transfer (the case engine's ``Event``), with the amount it moved."""

    __tablename__ = "pn_transfer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("pn_transfers.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(FEN, default=0)
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
