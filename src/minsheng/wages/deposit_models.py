"""Wage-deposit (工资保证金) and blacklist (失信联合惩戒名单) tables.

A project's deposit (``wg_deposits``, one per project, lodged by its general contractor) keeps
its assessment (rate, required amount, or the exemption and its reason), its form (cash or a
bank guarantee with the bank, number and expiry), its deadlines and its balance — which the
database itself keeps at or above 0 and at most the largest amount. Its movements
(``wg_deposit_entries``: lodge, draw for confirmed arrears, top-up, return) are immutable:
written once, each with the balance after it, never updated or deleted (the ORM refuses).

A listing on the blacklist (``wg_blacklist``) is a case on the engine (``wages.blacklist``):
proposed by one officer, approved by another; early removal requested with a written pledge
and approved by another again. Its events are ``wg_blacklist_events``.
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
    Text,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.core.money import MAX_AMOUNT_FEN
from minsheng.db import Base

FEN = BigInteger
DEPOSIT_STATES = ("due", "exempt", "lodged", "notice", "returned")  # 待存/免存/已存/公示/已返还
DEPOSIT_FORMS = ("cash", "guarantee")
ENTRY_KINDS = ("lodge", "draw", "top_up", "return")
LISTING_STATES = (
    "draft",
    "proposed",
    "listed",
    "removal_requested",
    "removed",
    "ended",
    "rejected",
)
LISTING_REASONS = ("one_worker", "many_workers", "incident")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class WgDeposit(Base):
    """The wage deposit of one project (工资保证金), lodged by its general contractor."""

    __tablename__ = "wg_deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("wg_projects.id"), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)  # 总包
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    contract_value: Mapped[int] = mapped_column(FEN)  # as assessed
    rate_ppm: Mapped[int] = mapped_column(Integer)  # the rate in millionths; 0 when exempt
    band: Mapped[str] = mapped_column(String(8))  # exempt | lower | base | higher
    required: Mapped[int] = mapped_column(FEN)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    exemption_reason: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))
    lodge_by: Mapped[dt.date] = mapped_column(Date)
    form: Mapped[str | None] = mapped_column(String(10))
    bank: Mapped[str | None] = mapped_column(String(100))  # 存储银行 / 保函出具银行
    guarantee_no: Mapped[str | None] = mapped_column(String(40))  # 保函编号
    guarantee_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    lodged_on: Mapped[dt.date | None] = mapped_column(Date)
    balance: Mapped[int] = mapped_column(FEN, default=0)
    top_up_by: Mapped[dt.date | None] = mapped_column(Date)  # while a draw is not made good
    notice_from: Mapped[dt.date | None] = mapped_column(Date)  # 返还公示
    notice_until: Mapped[dt.date | None] = mapped_column(Date)
    return_by: Mapped[dt.date | None] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("state", DEPOSIT_STATES), name="state"),
        CheckConstraint(f"form IS NULL OR {_in('form', DEPOSIT_FORMS)}", name="form"),
        CheckConstraint(f"balance >= 0 AND balance <= {MAX_AMOUNT_FEN}", name="balance"),
        CheckConstraint(f"required >= 0 AND required <= {MAX_AMOUNT_FEN}", name="required"),
        CheckConstraint("contract_value >= 0", name="contract_value"),
        CheckConstraint("rate_ppm >= 0 AND rate_ppm <= 1000000", name="rate_ppm"),
        CheckConstraint("NOT exempt OR exemption_reason IS NOT NULL", name="exemption_reason"),
        CheckConstraint(
            "form IS NULL OR form <> 'guarantee' OR "
            "(bank IS NOT NULL AND guarantee_no IS NOT NULL AND guarantee_expires_on IS NOT NULL)",
            name="guarantee",
        ),
    )


class WgDepositEntry(Base):
    """One movement of a deposit — immutable: lodge, draw (confirmed arrears, with the
    complaint's or warning's reference and the day the workers must be paid by), top-up,
    return — with the balance after it."""

    __tablename__ = "wg_deposit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("wg_deposits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(FEN)
    balance_after: Mapped[int] = mapped_column(FEN)
    day: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(64))  # 投诉/预警编号 for a draw
    pay_by: Mapped[dt.date | None] = mapped_column(Date)  # a draw: paid to workers by
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint(f"amount > 0 AND amount <= {MAX_AMOUNT_FEN}", name="amount"),
        CheckConstraint("balance_after >= 0", name="balance_after"),
        CheckConstraint("kind <> 'draw' OR reference IS NOT NULL", name="draw_reference"),
    )


class WgDepositPayout(Base):
    """A draw paid out to the workers it was drawn for (the bank transfer that discharged the
    arrears): at most one per draw, recorded once — a draw without one past its ``pay_by`` is
    overdue. Immutable like the entries."""

    __tablename__ = "wg_deposit_payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("wg_deposit_entries.id"), unique=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("wg_deposits.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    workers: Mapped[int] = mapped_column(Integer)  # how many workers were paid
    reference: Mapped[str] = mapped_column(String(64))  # the bank transfer's reference
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("workers >= 1 AND workers <= 100000", name="workers"),)


class ImmutableEntry(RuntimeError):
    """A deposit entry was about to be changed or deleted."""


@event.listens_for(WgDepositEntry, "before_update")
def _no_update(mapper: Any, connection: Any, target: WgDepositEntry) -> None:
    raise ImmutableEntry(f"wg_deposit_entries {target.id} is immutable")


@event.listens_for(WgDepositEntry, "before_delete")
def _no_delete(mapper: Any, connection: Any, target: WgDepositEntry) -> None:
    raise ImmutableEntry(f"wg_deposit_entries {target.id} is immutable")


@event.listens_for(WgDepositPayout, "before_update")
@event.listens_for(WgDepositPayout, "before_delete")
def _payout_kept(mapper: Any, connection: Any, target: WgDepositPayout) -> None:
    raise ImmutableEntry(f"wg_deposit_payouts {target.id} is immutable")


class WgBlacklisting(Base):
    """A firm's listing on the arrears blacklist (拖欠农民工工资失信联合惩戒对象名单), from the
    proposal to its end: listed on, until (the term), the arrears put right on, the removal
    request with its written pledge (信用承诺), removed on and by whom."""

    __tablename__ = "wg_blacklist"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("wg_projects.id"))
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the deciding county
    reason: Mapped[str] = mapped_column(String(14))
    facts: Mapped[str] = mapped_column(String(400))  # 失信事实, published
    arrears: Mapped[int] = mapped_column(FEN)  # amount owed when proposed
    workers: Mapped[int] = mapped_column(Integer)  # workers owed
    reference: Mapped[str | None] = mapped_column(String(64))  # 处理决定/投诉编号
    state: Mapped[str] = mapped_column(String(18))
    proposed_on: Mapped[dt.date] = mapped_column(Date)
    listed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    until: Mapped[dt.date | None] = mapped_column(Date)
    put_right_on: Mapped[dt.date | None] = mapped_column(Date)  # arrears paid in full
    pledge: Mapped[str | None] = mapped_column(Text)  # the written pledge (信用承诺书)
    removal_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("state", LISTING_STATES), name="state"),
        CheckConstraint(_in("reason", LISTING_REASONS), name="reason"),
        CheckConstraint("arrears >= 0", name="arrears"),
        CheckConstraint("workers >= 0", name="workers"),
        CheckConstraint("until IS NULL OR until > listed_on", name="term"),
        CheckConstraint("removed_on IS NULL OR removed_on >= listed_on", name="removed"),
    )


class WgBlacklistEvent(Base):
    """A step of a listing's case (``cases.engine.write_event``)."""

    __tablename__ = "wg_blacklist_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("wg_blacklist.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(18))
    to_state: Mapped[str] = mapped_column(String(18))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
