"""The foundation's tables: the append-only audit log every service writes to."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base


class AuditEntry(Base):
    """One entry of the append-only audit log, chained to the one before by its hash."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # UTC ISO timestamp, part of the hash
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(6))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # how ``hash`` was made: "hmac-sha256" (keyed, since 0007) or "sha256" (unkeyed, written
    # before 0007 and awaiting ``minsheng audit rekey``)
    alg: Mapped[str] = mapped_column(String(16), default="hmac-sha256")


class AuditHead(Base):
    """The single row that serialises appends: the last sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
