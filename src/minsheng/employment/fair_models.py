"""Employment tables: job fairs (招聘会): booths, allocation, on-site check-in,
interviews, the report.

- ``em_fairs``: a fair — name, county, venue, theme (graduates, rural labour, …), cadence (a
  one-off, the weekly fair or the monthly special: 周周有招聘、月月有专场), first and last day
  and the daily opening hours (local time), and its ``state``: planned → open (employers
  apply) → allocated (booths given). Whether it is *running* or *over* is read from the clock
  against the days and hours (:func:`minsheng.employment.fairs.phase`), not stored.
- ``em_fair_booths``: its booths — number, class (standard, large, corner), capacity (the posts
  a booth of the class shows) and the industry zone (a major occupation group) the allocation
  gave it.
- ``em_fair_applications``: an employer's booth application with the published vacancies it
  brings and the class it wants; accepted or refused by the organiser, then given a booth.
  ``booth_id`` is unique: a booth never holds two employers.
- ``em_fair_checkins``: a visitor checked in (one per fair and person, whatever the retries).
- ``em_fair_interviews``: what an employer recorded at its booth for a checked-in visitor
  (one per fair, employer and person; a later record replaces the outcome).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

THEMES = ("general", "graduates", "rural", "disabled", "women", "relocated")
CADENCES = ("once", "weekly", "monthly")
FAIR_STATES = ("planned", "open", "allocated", "cancelled")
BOOTH_CLASSES = ("standard", "large", "corner")
APPLICATION_STATES = ("applied", "accepted", "refused")
OUTCOMES = ("interviewed", "intends", "unsuitable")
VIA = ("id", "qr")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmFair(Base):
    """A job fair (招聘会)."""

    __tablename__ = "em_fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the county
    venue: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(10))
    cadence: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    opens_at: Mapped[dt.time] = mapped_column(Time)  # each day, local time
    closes_at: Mapped[dt.time] = mapped_column(Time)
    state: Mapped[str] = mapped_column(String(10), default="planned")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("theme", THEMES), name="theme"),
        CheckConstraint(_in("cadence", CADENCES), name="cadence"),
        CheckConstraint(_in("state", FAIR_STATES), name="state"),
        CheckConstraint("ends_on >= starts_on", name="days"),
        CheckConstraint("closes_at > opens_at", name="hours"),
    )


class EmFairBooth(Base):
    """A booth of a fair (展位)."""

    __tablename__ = "em_fair_booths"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("em_fairs.id"), index=True)
    number: Mapped[str] = mapped_column(String(8))
    klass: Mapped[str] = mapped_column(String(8))
    capacity: Mapped[int] = mapped_column(Integer)  # posts the booth shows
    zone: Mapped[str | None] = mapped_column(String(2))  # a major occupation group

    __table_args__ = (
        UniqueConstraint("fair_id", "number"),
        CheckConstraint(_in("klass", BOOTH_CLASSES), name="klass"),
        CheckConstraint("capacity >= 1 AND capacity <= 100", name="capacity"),
    )


class EmFairApplication(Base):
    """An employer's booth application (参会申请)."""

    __tablename__ = "em_fair_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("em_fairs.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    wanted_class: Mapped[str] = mapped_column(String(8))
    vacancy_ids: Mapped[str] = mapped_column(Text)  # JSON list of em_vacancies ids
    state: Mapped[str] = mapped_column(String(8), default="applied")
    reason: Mapped[str | None] = mapped_column(Text)  # why refused
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("em_fair_booths.id"), unique=True)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("fair_id", "employer_id"),
        CheckConstraint(_in("wanted_class", BOOTH_CLASSES), name="wanted_class"),
        CheckConstraint(_in("state", APPLICATION_STATES), name="state"),
    )


class EmFairCheckin(Base):
    """A visitor checked in at a fair's entrance (入场签到)."""

    __tablename__ = "em_fair_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("em_fairs.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    seeker_id: Mapped[int | None] = mapped_column(ForeignKey("em_seekers.id"))
    via: Mapped[str] = mapped_column(String(2))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("fair_id", "person_id"),
        CheckConstraint(_in("via", VIA), name="via"),
    )


class EmFairInterview(Base):
    """An interview or intention an employer recorded at its booth (现场面试 / 意向)."""

    __tablename__ = "em_fair_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("em_fairs.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("em_vacancies.id"))
    outcome: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(200), default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("fair_id", "employer_id", "person_id"),
        CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
    )


__all__ = [
    "APPLICATION_STATES",
    "BOOTH_CLASSES",
    "CADENCES",
    "FAIR_STATES",
    "OUTCOMES",
    "THEMES",
    "VIA",
    "EmFair",
    "EmFairApplication",
    "EmFairBooth",
    "EmFairCheckin",
    "EmFairInterview",
]
