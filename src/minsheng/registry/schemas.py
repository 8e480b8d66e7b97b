"""Shapes of the registry's API: what comes in and what goes out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1  # primary keys are 32-bit on PostgreSQL
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class PersonIn(BaseModel):
    id_number: str = Field(description="公民身份号码 resident ID (18, or 15 in the old form)")
    name_zh: str = Field(min_length=1, max_length=64, description="姓名（汉文）")
    name_bo: str | None = Field(default=None, max_length=128, description="姓名（藏文）")
    sex: Literal["M", "F"] | None = Field(default=None, description="taken from the ID if absent")
    birth_date: dt.date | None = Field(default=None, description="taken from the ID if absent")
    division_code: str | None = Field(
        default=None, description="county of residence; from the ID if absent and Tibetan"
    )
    hukou: Literal["urban", "rural"] = Field(description="户籍性质 urban 城镇 / rural 农村")
    phone: str | None = None
    household_code: str | None = Field(default=None, description="户号 of the household to join")
    relationship: str | None = Field(default=None, description="与户主关系 (head, spouse, …)")


class PersonPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = Field(default=None, min_length=1, max_length=64)
    name_bo: str | None = Field(default=None, max_length=128)
    division_code: str | None = None
    hukou: Literal["urban", "rural"] | None = None
    phone: str | None = None
    death_date: dt.date | None = Field(default=None, description="死亡日期 date of death")


class HouseholdPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: Literal["urban", "rural"] | None = None
    address: str | None = Field(default=None, max_length=200)
    division_code: str | None = None


class EmployerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    division_code: str | None = None


class FacilityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    level: int | None = None


class PeriodEnd(BaseModel):
    """Close an enrolment or a status: the last day it applies (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    end_date: dt.date


class PersonOut(BaseModel):
    id: int
    id_number: str
    name_zh: str
    name_bo: str | None
    sex: str
    birth_date: dt.date
    division_code: str
    division_name: str
    hukou: str
    phone: str | None
    household_id: int | None
    household_code: str | None
    relationship: str | None
    death_date: dt.date | None = None


class PersonPage(BaseModel):
    total: int
    items: list[PersonOut]


class LookupIn(BaseModel):
    id_number: str


class HouseholdIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, description="户号")
    division_code: str
    area: Literal["urban", "rural"]
    address: str | None = Field(default=None, max_length=200)


class MemberIn(BaseModel):
    person_id: RecordId
    relationship: str


class HouseholdOut(BaseModel):
    id: int
    code: str
    division_code: str
    division_name: str
    area: str
    address: str | None
    members: list[PersonOut]


class EmployerIn(BaseModel):
    credit_code: str
    name: str = Field(min_length=1, max_length=200)
    division_code: str


class EmployerOut(BaseModel):
    id: int
    credit_code: str
    name: str
    division_code: str


class FacilityIn(BaseModel):
    code: str
    name: str = Field(min_length=1, max_length=200)
    level: int = Field(description="1 一级 / 2 二级 / 3 三级")
    division_code: str | None = Field(default=None, description="from the code if absent")


class FacilityOut(BaseModel):
    id: int
    code: str
    name: str
    level: int
    division_code: str


class EnrolmentIn(BaseModel):
    scheme: str = Field(description="employee_active | employee_retired | resident")
    start_date: dt.date
    end_date: dt.date | None = None
    employer_id: RecordId | None = None


class EnrolmentOut(BaseModel):
    id: int
    person_id: int
    scheme: str
    start_date: dt.date
    end_date: dt.date | None
    employer_id: int | None
    pooling_region: str


class StatusIn(BaseModel):
    kind: str = Field(
        description="tekun | dibao | dibao_edge | poverty_return | border | disability"
    )
    start_date: dt.date
    end_date: dt.date | None = None
    disability_grade: int | None = None
    certificate_no: str | None = None
    certificate_expiry: dt.date | None = None


class StatusOut(BaseModel):
    id: int
    person_id: int
    kind: str
    start_date: dt.date
    end_date: dt.date | None
    disability_grade: int | None
    certificate_no: str | None
    certificate_expiry: dt.date | None


class ImportProblem(BaseModel):
    line: int
    field: str
    rule: str
    zh: str
    en: str


class ImportReport(BaseModel):
    total: int
    imported: int
    rejected: int
    problems: list[ImportProblem]
    dry_run: bool = False
