"""Employment tables: employers' vacancies and hire filings (用工登记备案).

- ``em_vacancies``: a post an employer (``employers``, the registry's) offers: title, occupation
  code, count and how many are filled, monthly wage range (fen), county, minimum education,
  skills, languages, requirements, closing date. Checked against the rules before it is
  published (``state``: draft → published, or refused with its reasons; closed when filled or
  past its closing date; taken down by a supervisor).
- ``em_hires``: each hire the employer files (用工登记备案), due within the parameter's days of
  the hire (``file_by``); a filed hire of a vacancy fills one of its places.
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
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

VACANCY_STATES = ("draft", "published", "refused", "closed", "taken_down")
HIRE_STATES = ("due", "filed")
MAX_WAGE_FEN = 100_000_000  # ¥1,000,000 a month: no posted monthly wage is larger


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EmVacancy(Base):
    """A vacancy (招聘岗位)."""

    __tablename__ = "em_vacancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the job's county
    title: Mapped[str] = mapped_column(String(100))
    occupation: Mapped[str] = mapped_column(String(10), index=True)  # classification code
    count: Mapped[int] = mapped_column(Integer)  # places offered
    filled: Mapped[int] = mapped_column(Integer, default=0)
    wage_min: Mapped[int] = mapped_column(BigInteger)  # monthly, fen
    wage_max: Mapped[int] = mapped_column(BigInteger)
    education: Mapped[str | None] = mapped_column(String(12))  # minimum
    skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    languages: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    requirements: Mapped[str] = mapped_column(Text, default="")
    closing_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    refusal: Mapped[str | None] = mapped_column(Text)  # JSON: the rules it broke
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(_in("state", VACANCY_STATES), name="state"),
        CheckConstraint("count >= 1 AND count <= 10000", name="count"),
        CheckConstraint("filled >= 0 AND filled <= count", name="filled"),
        CheckConstraint(
            f"wage_min >= 0 AND wage_min <= wage_max AND wage_max <= {MAX_WAGE_FEN}", name="wage"
        ),
        Index("ix_em_vacancies_state_closing", "state", "closing_on"),
    )


class EmHire(Base):
    """A hire an employer files (用工登记备案)."""

    __tablename__ = "em_hires"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("em_vacancies.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)  # the employer's county
    occupation: Mapped[str] = mapped_column(String(10))
    hired_on: Mapped[dt.date] = mapped_column(Date)
    file_by: Mapped[dt.date] = mapped_column(Date)  # the filing deadline
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(6), default="due")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("state", HIRE_STATES), name="state"),
        Index("ix_em_hires_hired_on", "hired_on"),
        # one hire of a person by an employer on a day: a concurrent double filing loses
        Index(
            "uq_em_hires_employer_person_day", "employer_id", "person_id", "hired_on", unique=True
        ),
    )


__all__ = ["HIRE_STATES", "MAX_WAGE_FEN", "VACANCY_STATES", "EmHire", "EmVacancy"]
