"""Inputs of the job fairs' area (API bodies, form values): typed and bounded so a bad value
is refused naming the field before the service runs; the service checks what needs the
database or the clock (the county, the days, the vacancies)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import Code, IdText, Label, OrgName, Reason, RecordId, ShortText

MAX_BOOTHS = 300  # a fair's booths, all classes together
MAX_DAYS = 31  # a fair's days from first to last


class BoothsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    klass: Code = Field(description="standard, large or corner")
    count: int = Field(ge=1, le=MAX_BOOTHS)


class FairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName
    division_code: Code = Field(description="the county holding the fair")
    venue: ShortText = Field(min_length=1)
    theme: Code = Field(default="general")
    cadence: Code = Field(default="once", description="once, weekly or monthly")
    starts_on: dt.date
    ends_on: dt.date | None = None
    opens_at: dt.time = dt.time(10, 0)
    closes_at: dt.time = dt.time(16, 0)
    booths: list[BoothsIn] = Field(default_factory=list, max_length=3)


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wanted_class: Code = Field(default="standard")
    vacancy_ids: list[RecordId] = Field(min_length=1, max_length=100)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept: bool
    reason: Reason | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(min_length=2, description="why the fair is cancelled 取消原因")


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    booth_id: RecordId


class CheckinIn(BaseModel):
    """An ID number (swiped or typed at the entrance) or the QR token on a seeker's phone."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdText | None = None
    token: Label | None = None


class InterviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: IdText | None = None
    token: Label | None = None
    outcome: Code = Field(description="interviewed, intends or unsuitable")
    vacancy_id: RecordId | None = None
    note: ShortText = ""


__all__ = [
    "MAX_BOOTHS",
    "MAX_DAYS",
    "ApplicationIn",
    "BoothsIn",
    "CheckinIn",
    "DecisionIn",
    "FairIn",
    "InterviewIn",
    "MoveIn",
]
