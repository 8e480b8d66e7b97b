"""Inputs of the job seekers' area (API bodies, form values, CLI): each field typed and bounded
so a bad value is refused naming the field before the service runs. The service checks again
what needs the registry or the classification (occupation codes, counties, the wage in fen)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.core import money
from minsheng.fields import Code, IdText, Label, ShortText, money_text

MAX_WAGE_FEN = 1_000_000 * money.YUAN  # ¥1,000,000 a month: the column's check (an input bound)
MAX_ITEMS = 20  # skills, certificates, occupations, counties, languages: at most this many each

WageText = money_text(MAX_WAGE_FEN)


class RegisterIn(BaseModel):
    """A walk-in's ID number, swiped or typed (never stored or logged here)."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdText = Field(description="公民身份号码 (18 characters, checked)")


class ProfileIn(BaseModel):
    """A seeker's profile; a field left out is left as it is (a partial update)."""

    model_config = ConfigDict(extra="forbid")

    education: Code | None = Field(default=None, description="none … doctor (EDUCATION)")
    major: ShortText | None = Field(default=None, max_length=100)
    skills: list[Label] | None = Field(default=None, max_length=MAX_ITEMS)
    certificates: list[Label] | None = Field(default=None, max_length=MAX_ITEMS)
    occupations: list[Code] | None = Field(
        default=None, max_length=MAX_ITEMS, description="codes of the 2022 classification"
    )
    wage_min: WageText | None = Field(  # type: ignore[valid-type]
        default=None, description="expected monthly wage, yuan"
    )
    counties: list[Code] | None = Field(
        default=None, max_length=MAX_ITEMS, description="county division codes"
    )
    languages: list[Code] | None = Field(
        default=None, max_length=MAX_ITEMS, description="ISO 639 codes: bo, zh, en …"
    )
    available_from: dt.date | None = None
    consent: bool | None = Field(default=None, description="shown to employers")


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Code = Field(description="unemployed | employed | student | graduate")
    graduate_year: int | None = Field(default=None, ge=1950, le=2100)
    from_day: dt.date | None = Field(default=None, description="today when left out")


__all__ = ["MAX_ITEMS", "MAX_WAGE_FEN", "ProfileIn", "RegisterIn", "StatusIn", "WageText"]
