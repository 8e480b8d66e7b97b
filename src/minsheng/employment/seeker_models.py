"""Employment tables: job seekers (求职登记).

- ``em_seekers``: one record per registered person (``person_id`` unique: duplicates are
  impossible), opened from the registry by an ID number and completed by the seeker: education,
  skills, certificates, wanted occupations (codes of the 2022 classification), expected monthly
  wage (fen), counties they would work in, languages, availability, and the consent for their
  profile to be shown to employers. ``confirmed_on`` is the last re-confirmation of interest; a
  record not re-confirmed in time lapses (``state``) and leaves the pool.
- ``em_seeker_statuses``: the status history (unemployed, employed, student, graduate of year Y),
  one row from each change.

List columns (skills, certificates, occupations, counties, languages) hold JSON arrays of short
strings (bounded by the service), read by matching and search.
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
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

EDUCATION = (
    "none",
    "primary",
    "junior",
    "senior",
    "vocational",
    "college",
    "bachelor",
    "master",
    "doctor",
)
STATUSES = ("unemployed", "employed", "student", "graduate")
STATES = ("active", "lapsed", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmSeeker(Base):
    """A job seeker's record (求职登记)."""

    __tablename__ = "em_seekers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # county of residence
    education: Mapped[str | None] = mapped_column(String(12))
    major: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    certificates: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    occupations: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of codes wanted
    wage_min: Mapped[int | None] = mapped_column(BigInteger)  # expected monthly wage, fen
    counties: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of division codes
    languages: Mapped[str] = mapped_column(Text, default="[]")  # JSON list: bo, zh, en, …
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)  # shown to employers
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="unemployed")
    graduate_year: Mapped[int | None] = mapped_column(Integer)
    confirmed_on: Mapped[dt.date] = mapped_column(Date)  # last re-confirmation of interest
    state: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("education IS NULL OR " + _in("education", EDUCATION), name="education"),
        CheckConstraint(
            "wage_min IS NULL OR (wage_min >= 0 AND wage_min <= 100000000)", name="wage"
        ),
        Index("ix_em_seekers_state_confirmed", "state", "confirmed_on"),
    )


class EmSeekerStatus(Base):
    """A status a seeker held from ``from_day`` (the history of :attr:`EmSeeker.status`)."""

    __tablename__ = "em_seeker_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("em_seekers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    graduate_year: Mapped[int | None] = mapped_column(Integer)
    from_day: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="status"),)


__all__ = ["EDUCATION", "STATES", "STATUSES", "EmSeeker", "EmSeekerStatus"]
