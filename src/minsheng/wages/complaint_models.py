"""Wage-protection tables: arrears complaints (欠薪线索反映 / 劳动保障监察举报投诉) and the
steps taken on them (the case engine's events, workflow ``wages.complaint``).

A complaint is routed at filing to the county responsible for its project (``division_code``:
the project's county, or the county the worker named when the project is not on the platform),
whichever office or channel took it (``received_division``: the office's region, NULL for the
online channel). Personal data — the worker's name and phone, the facts as told — are in
encrypted columns and are shown only inside the responsible county's region; the state columns
(state, deadlines, outcome, amount recovered) are what every office may read.

An anonymous complaint keeps only the HMAC of its follow-up code (``followup_hash``) and the
Argon2id hash of its PIN (``pin_hash``): both are shown once, at filing. Money is integer fen,
bounded by :data:`minsheng.core.money.MAX_AMOUNT_FEN`.
"""

from __future__ import annotations

import datetime as dt

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
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base
from minsheng.foundation.crypto import Encrypted

FEN = BigInteger


class EncryptedText(Encrypted):
    """An encrypted column without the 256-character bound of :class:`Encrypted` (whose
    ciphertext of a 200-character text already exceeds it): the facts as told, a name, a typed
    project. The plain text is bounded where it is checked (``core.text`` kinds)."""

    impl = Text()
    cache_ok = True


COMPLAINT_STATES = (
    "received",  # 已收到，待受理
    "investigating",  # 已立案调查
    "extension_requested",  # 调查延期待批
    "referred",  # 已移送仲裁
    "refused",  # 不予受理
    "closed",  # 已结案
)
OUTCOMES = (
    "recovered",  # 已追回欠薪
    "settled",  # 调解达成协议
    "not_founded",  # 查无欠薪
    "arbitrated",  # 仲裁结案
    "transferred",  # 移送其他部门
    "withdrawn",  # 投诉人撤回
    "refused",  # 不予受理
)
CHANNELS = ("online", "office")  # 网上/手机 · 窗口
LANGS = ("zh", "bo")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class WgComplaint(Base):
    """One arrears complaint, its routing, its state on the case engine and its deadlines."""

    __tablename__ = "wg_complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the county responsible
    project_id: Mapped[int | None] = mapped_column(ForeignKey("wg_projects.id"), index=True)
    project_text: Mapped[str | None] = mapped_column(EncryptedText())  # typed when not found
    channel: Mapped[str] = mapped_column(String(8))
    received_division: Mapped[str | None] = mapped_column(String(6))  # the office that took it
    received_by: Mapped[str] = mapped_column(String(64))  # accountable name of who took it
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_name: Mapped[str | None] = mapped_column(EncryptedText())  # typed at an office
    phone: Mapped[str | None] = mapped_column(Encrypted())
    facts: Mapped[str] = mapped_column(EncryptedText())
    lang: Mapped[str] = mapped_column(String(2))
    amount_claimed: Mapped[int | None] = mapped_column(FEN)
    workers: Mapped[int | None] = mapped_column(Integer)  # how many workers are owed
    state: Mapped[str] = mapped_column(String(24), default="received", index=True)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    accept_by: Mapped[dt.date] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    investigate_by: Mapped[dt.date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    referred_on: Mapped[dt.date | None] = mapped_column(Date)
    refer_by: Mapped[dt.date | None] = mapped_column(Date)
    referral_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    recovered: Mapped[int] = mapped_column(FEN, default=0)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    followup_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(_in("state", COMPLAINT_STATES), name="state"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("lang", LANGS), name="lang"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("recovered >= 0", name="recovered"),
        CheckConstraint("amount_claimed IS NULL OR amount_claimed >= 0", name="amount_claimed"),
        CheckConstraint("workers IS NULL OR workers > 0", name="workers"),
        CheckConstraint("project_id IS NOT NULL OR project_text IS NOT NULL", name="project"),
        CheckConstraint(
            "anonymous OR person_id IS NOT NULL OR worker_name IS NOT NULL", name="named"
        ),
    )


class WgComplaintEvent(Base):
    """One step of a complaint (the case engine's ``Event``), with the amount it recorded."""

    __tablename__ = "wg_complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("wg_complaints.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(FEN, default=0)
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


__all__ = ["COMPLAINT_STATES", "OUTCOMES", "WgComplaint", "WgComplaintEvent"]
