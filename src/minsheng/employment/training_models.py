"""Employment tables: vocational training (职业培训): programmes, enrolment,
attendance, certificates, subsidy, placement.

- ``em_courses``: a course (培训班): name, occupation code, provider (an employer of the
  registry or a named training institution), county, start and end dates, hours, capacity and
  how many are enrolled (kept with the course row locked, never above the capacity — the
  database checks it too), free or not, its kind (就业技能 / 岗位技能提升 / 订单式: the subsidy
  follows the kind), and for an order-based course the employer it trains for and the places it
  promises to hire. ``state``: planned → enrolling → running → finished, a workflow on the
  case engine (:mod:`minsheng.employment.training_workflow`) whose steps are
  ``em_course_events``.
- ``em_enrolments``: a person on a course, once (``course_id, person_id`` unique); at the
  finish completed (with the certificate's number and the subsidy, fen) or not completed.
- ``em_attendance``: a trainee present on one session day (a working day of the course).
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
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.core.money import MAX_AMOUNT_FEN
from minsheng.db import Base

COURSE_STATES = ("planned", "enrolling", "running", "finished")
COURSE_KINDS = ("employment", "upgrade", "order")  # 就业技能 / 岗位技能提升 / 订单式
ENROLMENT_STATES = ("enrolled", "completed", "incomplete")
ENROLMENT_VIA = ("desk", "self")
MAX_CAPACITY = 1000
MAX_HOURS = 2000


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmCourse(Base):
    """A training course (职业培训班)."""

    __tablename__ = "em_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    occupation: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    provider_employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    provider_name: Mapped[str] = mapped_column(String(200))  # the employer's, or the school's
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the course's county
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    free: Mapped[bool] = mapped_column(Boolean, default=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    hire_promised: Mapped[int] = mapped_column(Integer, default=0)  # order-based: places
    state: Mapped[str] = mapped_column(String(10), default="planned")
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint(_in("state", COURSE_STATES), name="state"),
        CheckConstraint(_in("kind", COURSE_KINDS), name="kind"),
        CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CAPACITY}", name="capacity"),
        CheckConstraint("enrolled >= 0 AND enrolled <= capacity", name="enrolled"),
        CheckConstraint(f"hours >= 1 AND hours <= {MAX_HOURS}", name="hours"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
        CheckConstraint(
            "hire_promised >= 0 AND hire_promised <= capacity AND "
            "(kind = 'order' OR hire_promised = 0)",
            name="hire_promised",
        ),
        CheckConstraint("kind <> 'order' OR employer_id IS NOT NULL", name="order_employer"),
    )


class EmCourseEvent(Base):
    """A step of a course on the case engine (``employment.training_course``)."""

    __tablename__ = "em_course_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("em_courses.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


class EmEnrolment(Base):
    """A person enrolled on a course (培训报名)."""

    __tablename__ = "em_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("em_courses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    via: Mapped[str] = mapped_column(String(5))
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="enrolled")
    attended: Mapped[int] = mapped_column(Integer, default=0)  # set at the finish
    sessions: Mapped[int] = mapped_column(Integer, default=0)  # set at the finish
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    certificate_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    subsidy: Mapped[int] = mapped_column(BigInteger, default=0)  # fen
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("course_id", "person_id"),
        CheckConstraint(_in("state", ENROLMENT_STATES), name="state"),
        CheckConstraint(_in("via", ENROLMENT_VIA), name="via"),
        CheckConstraint(f"subsidy >= 0 AND subsidy <= {MAX_AMOUNT_FEN}", name="subsidy"),
    )


class EmAttendance(Base):
    """A trainee present on one session day (培训考勤)."""

    __tablename__ = "em_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("em_enrolments.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("enrolment_id", "day"),)


__all__ = [
    "COURSE_KINDS",
    "COURSE_STATES",
    "ENROLMENT_STATES",
    "MAX_CAPACITY",
    "MAX_HOURS",
    "EmAttendance",
    "EmCourse",
    "EmCourseEvent",
    "EmEnrolment",
]
