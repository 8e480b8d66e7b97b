"""Employment tables: the digital gig market (数字零工市场): short jobs, apply, check-in,
completion, pay confirmed.

- ``em_gigs``: a short job (零工岗位) posted by an employer's recruiter (``employer_id``) or by a
  caseworker for an individual employer (``poster_name``, no ``employer_id``): title,
  occupation code, day pay (fen), county and address, first and last day, slots and how many
  are accepted (never more: a check constraint and a guarded update), requirements. ``state``:
  open → closed by its poster, or taken down by a supervisor with a reason.
- ``em_gig_applications``: one worker's application to one gig (one per gig and person: applying
  twice is one application), moving through ``employment.gig`` on the case engine
  (``gig_workflow``); the pay the poster recorded and the dispute's follow-up deadline.
- ``em_gig_events``: every step of an application or a gig (the case engine's events).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base
from minsheng.employment.gig_rules import MAX_DAY_PAY_FEN

GIG_STATES = ("open", "closed", "taken_down")
APPLICATION_STATES = (
    "applied",
    "accepted",
    "declined",
    "withdrawn",
    "checked_in",
    "completed",
    "paid",
    "confirmed",
    "disputed",
    "settled",
)
MAX_GIG_SLOTS = 1000  # the column's bound; the parameter employment.gig.max_slots is lower
MAX_PAID_FEN = MAX_DAY_PAY_FEN * 90  # the most one application is paid (90 days at the top)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmGig(Base):
    """A gig (零工岗位)."""

    __tablename__ = "em_gigs"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    poster_name: Mapped[str | None] = mapped_column(String(100))  # an individual employer
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the gig's county
    address: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(100))
    occupation: Mapped[str] = mapped_column(String(10))
    day_pay: Mapped[int] = mapped_column(BigInteger)  # fen
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    slots: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    requirements: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="open")
    takedown_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("state", GIG_STATES), name="state"),
        CheckConstraint(f"slots >= 1 AND slots <= {MAX_GIG_SLOTS}", name="slots"),
        CheckConstraint("accepted >= 0 AND accepted <= slots", name="accepted"),
        CheckConstraint(f"day_pay >= 0 AND day_pay <= {MAX_DAY_PAY_FEN}", name="day_pay"),
        CheckConstraint("ends_on >= starts_on", name="days"),
        CheckConstraint("employer_id IS NOT NULL OR poster_name IS NOT NULL", name="poster"),
        Index("ix_em_gigs_state_starts", "state", "starts_on"),
    )


class EmGigApplication(Base):
    """A worker's application to a gig (一键报名)."""

    __tablename__ = "em_gig_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("em_gigs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the gig's county
    state: Mapped[str] = mapped_column(String(12), default="applied")
    applied_on: Mapped[dt.date] = mapped_column(Date)
    checked_in_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    paid: Mapped[int | None] = mapped_column(BigInteger)  # fen, as the poster recorded
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    dispute_by: Mapped[dt.date | None] = mapped_column(Date)  # the caseworker's deadline
    settled: Mapped[int | None] = mapped_column(BigInteger)  # fen, as the dispute settled
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("state", APPLICATION_STATES), name="state"),
        CheckConstraint(f"paid IS NULL OR (paid >= 0 AND paid <= {MAX_PAID_FEN})", name="paid"),
        CheckConstraint(
            f"settled IS NULL OR (settled >= 0 AND settled <= {MAX_PAID_FEN})",
            name="settled",
        ),
        UniqueConstraint("gig_id", "person_id", name="uq_em_gig_applications_gig_person"),
        Index("ix_em_gig_applications_state_due", "state", "dispute_by"),
    )


class EmGigEvent(Base):
    """A step of an application (or of a gig: ``application_id`` empty)."""

    __tablename__ = "em_gig_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("em_gigs.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("em_gig_applications.id"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


__all__ = [
    "APPLICATION_STATES",
    "GIG_STATES",
    "MAX_GIG_SLOTS",
    "MAX_PAID_FEN",
    "EmGig",
    "EmGigApplication",
    "EmGigEvent",
]
