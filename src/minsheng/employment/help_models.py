"""Employment tables: hard-to-employ people (就业困难人员) and one-to-one help (一对一帮扶) on
the case engine.

- ``em_help_plans``: one help plan per person while it is open (``open_key`` = ``p<person>``
  while open, NULL once closed, unique — a person is in at most one open plan), the categories
  that made them hard to employ with the reason of each (``categories``, JSON), the helper
  caseworker (``assignee``), the deadlines (first contact, required services), the outcome and
  why the plan closed. The nightly refresh (:mod:`minsheng.employment.help_refresh`) opens and
  closes plans; caseworkers work them on :data:`minsheng.employment.help_workflow.HELP`.
- ``em_help_events``: each step of a plan's history (opened, assigned, a contact, a service,
  a response, an outcome, closed by the refresh).
- ``em_help_contacts``: the contact log (date, channel, note, next step and its day).
- ``em_help_services``: services delivered — a job lead (a vacancy) or a training offer (a
  course id or text) — and the person's response (accepted / refused).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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

PLAN_STATES = ("open", "employed", "training", "declined", "moved", "stopped", "ended")
CHANNELS = ("visit", "phone", "message", "office")
SERVICE_KINDS = ("job_lead", "training_offer")
RESPONSES = ("pending", "accepted", "refused")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmHelpPlan(Base):
    """A one-to-one help plan (一对一帮扶计划) for a hard-to-employ person."""

    __tablename__ = "em_help_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    seeker_id: Mapped[int | None] = mapped_column(ForeignKey("em_seekers.id"))
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the person's county
    open_key: Mapped[str | None] = mapped_column(String(24), unique=True)
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{category, reason}]
    state: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    contact_by: Mapped[dt.date] = mapped_column(Date)  # first contact, working days
    due_on: Mapped[dt.date] = mapped_column(Date)  # required services, working days
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)  # user:N
    hire_id: Mapped[int | None] = mapped_column(ForeignKey("em_hires.id"))
    outcome_note: Mapped[str | None] = mapped_column(String(400))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("state", PLAN_STATES), name="state"),
        Index("ix_em_help_plans_state_due", "state", "due_on"),
    )


class EmHelpEvent(Base):
    """One step of a plan's history."""

    __tablename__ = "em_help_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("em_help_plans.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(400))
    by: Mapped[str] = mapped_column(String(64))


class EmHelpContact(Base):
    """One entry of a plan's contact log (联系记录)."""

    __tablename__ = "em_help_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("em_help_plans.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(400))
    next_step: Mapped[str | None] = mapped_column(String(200))
    next_on: Mapped[dt.date | None] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),)


class EmHelpService(Base):
    """A service delivered on a plan: a job lead (岗位推荐) or a training offer (培训推荐)."""

    __tablename__ = "em_help_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("em_help_plans.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("em_vacancies.id"))
    course_id: Mapped[int | None] = mapped_column(Integer)  # training's course, when known
    text: Mapped[str | None] = mapped_column(String(200))
    offered_on: Mapped[dt.date] = mapped_column(Date)
    response: Mapped[str] = mapped_column(String(10), default="pending")
    responded_on: Mapped[dt.date | None] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("kind", SERVICE_KINDS), name="kind"),
        CheckConstraint(_in("response", RESPONSES), name="response"),
        CheckConstraint(
            "(kind = 'job_lead' AND vacancy_id IS NOT NULL) OR (kind = 'training_offer' AND "
            "(course_id IS NOT NULL OR text IS NOT NULL))",
            name="what",
        ),
        Index("ix_em_help_services_person_response", "person_id", "response", "responded_on"),
    )


__all__ = [
    "CHANNELS",
    "PLAN_STATES",
    "RESPONSES",
    "SERVICE_KINDS",
    "EmHelpContact",
    "EmHelpEvent",
    "EmHelpPlan",
    "EmHelpService",
]
