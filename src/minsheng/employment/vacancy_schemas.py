"""Inputs of the vacancy area (API bodies, CLI and form values), each field typed and bounded.
Wages are monthly yuan text (``"2100.00"``), parsed to fen by the services; what the posting
rules decide (minimum wage, banned words, closing date, occupation) is left to
:mod:`minsheng.employment.vacancy_rules`, so a refused publish names every reason at once."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import Code, FreeText, IdText, Label, MoneyText, Reason, RecordId

WageText = MoneyText  # the services bound it by vacancy_models.MAX_WAGE_FEN


class VacancyIn(BaseModel):
    """A new vacancy (a draft). A recruiter's employer is their own; staff name one."""

    model_config = ConfigDict(extra="forbid")

    employer_id: RecordId | None = Field(default=None, description="staff only: the employer")
    title: Label = Field(description="岗位名称")
    occupation: Code = Field(description="职业代码 (2022 classification), e.g. 4-02")
    count: int = Field(ge=1, le=10_000, description="places offered")
    wage_min: WageText = Field(description="monthly wage from, yuan")
    wage_max: WageText = Field(description="monthly wage to, yuan")
    division_code: Code = Field(description="the job's county (6 digits)")
    education: Code | None = None
    skills: list[Label] = Field(default_factory=list, max_length=20)
    languages: list[Code] = Field(default_factory=list, max_length=5)
    requirements: FreeText = ""
    closing_on: dt.date


class VacancyPatch(BaseModel):
    """A change to a draft or refused vacancy: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    title: Label | None = None
    occupation: Code | None = None
    count: int | None = Field(default=None, ge=1, le=10_000)
    wage_min: WageText | None = None
    wage_max: WageText | None = None
    division_code: Code | None = None
    education: Code | None = None
    skills: list[Label] | None = Field(default=None, max_length=20)
    languages: list[Code] | None = Field(default=None, max_length=5)
    requirements: FreeText | None = None
    closing_on: dt.date | None = None


class TakeDownIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(min_length=2, description="why the supervisor takes it down")


class HireIn(BaseModel):
    """A hire the employer files (用工登记备案)."""

    model_config = ConfigDict(extra="forbid")

    employer_id: RecordId | None = Field(default=None, description="staff only: the employer")
    id_number: IdText = Field(description="the person's resident ID number (checked)")
    vacancy_id: RecordId | None = None
    occupation: Code | None = Field(default=None, description="the vacancy's when omitted")
    hired_on: dt.date
    file: bool = Field(default=True, description="file it now (else it stays due)")
