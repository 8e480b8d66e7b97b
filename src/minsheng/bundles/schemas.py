"""The one form of each bundle (what comes in; amounts are yuan as decimal strings)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import Code, IdText, IncomeText, RecordId


class RetirementIn(BaseModel):
    """退休一件事: the retiree, the retirement category and (optionally) the first month paid."""

    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    category: Code = Field(default="worker", description="worker | cadre | female-worker-50")
    start: str | None = Field(default=None, max_length=7, description="YYYY-MM, default: due")


class DeathIn(BaseModel):
    """身后一件事: the pensioner who died and the day."""

    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    died_on: dt.date


class HireIn(BaseModel):
    """员工录用一件事: the employee, the employer's credit code, the wage and the first day."""

    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    credit_code: IdText = Field(description="统一社会信用代码 of the employer")
    wage: IncomeText = Field(description="monthly wage (yuan): the contribution base")
    start_date: dt.date


class CardIn(BaseModel):
    """社保卡申领: the applicant and the issuing county (default: where the person lives)."""

    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    division_code: Code | None = None


FORMS: dict[str, type[BaseModel]] = {
    "retirement": RetirementIn,
    "death": DeathIn,
    "hire": HireIn,
    "card": CardIn,
}
