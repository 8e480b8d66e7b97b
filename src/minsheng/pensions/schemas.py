"""Shapes of the pensions API and CLI: what comes in (amounts are yuan as decimal strings)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.core import money
from minsheng.fields import Code, IdText, IncomeText, RecordId, money_text

TierText = money_text(money.MAX_INCOME_FEN)

YEAR = Field(ge=1992, le=2200, description="calendar year")


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    scheme: Code = Field(
        description="employee_pension | work_injury | unemployment | resident_pension"
    )
    credit_code: IdText | None = Field(
        default=None, description="统一社会信用代码 of the employer (employee schemes)"
    )
    wage: IncomeText | None = Field(
        default=None, description="monthly wage (yuan): the contribution base, clamped"
    )
    division_code: Code | None = Field(
        default=None,
        description="county where enrolled (resident scheme; default: the county of residence)",
    )
    start_date: dt.date
    end_date: dt.date | None = None


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    end_date: dt.date


class SuspendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: dt.date | None = Field(default=None, description="suspend from this day; null resumes")


class ResidentContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    year: int = YEAR
    tier: TierText = Field(description="the yearly tier paid (yuan), one of the table")  # type: ignore[valid-type]
    back_payment: bool = Field(default=False, description="补缴 of a past year")


class EmployeeContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    scheme: Code = "employee_pension"
    year: int = YEAR
    from_month: int = Field(default=1, ge=1, le=12)
    to_month: int = Field(default=12, ge=1, le=12)
    wage: IncomeText | None = Field(
        default=None, description="monthly wage (yuan); default the enrolment's base"
    )


class MedicalCreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = YEAR
    month: int = Field(ge=1, le=12)


class ClaimIn(BaseModel):
    """A pension claim (待遇申领): the scheme, the first month paid (default: the month the
    person qualifies, or this month if later) and, for employees, the retirement category."""

    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    scheme: Code = Field(description="resident_pension | employee_pension")
    start: str | None = Field(default=None, max_length=7, description="YYYY-MM")
    category: Code = Field(default="worker", description="worker | cadre | female-worker-50")


class RegionIn(BaseModel):
    """The region a roll or a certification scan covers (default: the caller's)."""

    model_config = ConfigDict(extra="forbid")

    region: Code | None = None


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=400, description="what the home visit found")


class FaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: str = Field(min_length=1, max_length=2000, description="the app's face-check token")
