"""Shapes of the registry's API: what comes in and what goes out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import MAX_ID, Code, IdText, Name, NameBo, OrgName, RecordId, ShortText

__all__ = ["MAX_ID", "RecordId"]  # re-exported: defined in minsheng.fields


class PersonIn(BaseModel):
    id_number: IdText = Field(description="公民身份号码 resident ID (18, or 15 in the old form)")
    name_zh: Name = Field(description="姓名（汉文）")
    name_bo: NameBo | None = Field(default=None, description="姓名（藏文）")
    sex: Literal["M", "F"] | None = Field(default=None, description="taken from the ID if absent")
    birth_date: dt.date | None = Field(default=None, description="taken from the ID if absent")
    division_code: Code | None = Field(
        default=None, description="county of residence; from the ID if absent and Tibetan"
    )
    hukou: Literal["urban", "rural"] = Field(description="户籍性质 urban 城镇 / rural 农村")
    phone: IdText | None = None
    household_code: Code | None = Field(default=None, description="户号 of the household to join")
    relationship: Code | None = Field(default=None, description="与户主关系 (head, spouse, …)")


class PersonPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: Name | None = None
    name_bo: NameBo | None = None
    division_code: Code | None = None
    hukou: Literal["urban", "rural"] | None = None
    phone: IdText | None = None
    death_date: dt.date | None = Field(default=None, description="死亡日期 date of death")


class HouseholdPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: Literal["urban", "rural"] | None = None
    address: ShortText | None = None
    division_code: Code | None = None


class EmployerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName | None = None
    division_code: Code | None = None


class FacilityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName | None = None
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
    id_number: IdText


class HouseholdIn(BaseModel):
    code: Code = Field(min_length=1, description="户号")
    division_code: Code
    area: Literal["urban", "rural"]
    address: ShortText | None = None


class MemberIn(BaseModel):
    person_id: RecordId
    relationship: Code


class HouseholdOut(BaseModel):
    id: int
    code: str
    division_code: str
    division_name: str
    area: str
    address: str | None
    members: list[PersonOut]


class EmployerIn(BaseModel):
    credit_code: Code
    name: OrgName
    division_code: Code


class EmployerOut(BaseModel):
    id: int
    credit_code: str
    name: str
    division_code: str


class FacilityIn(BaseModel):
    code: Code
    name: OrgName
    level: int = Field(description="1 一级 / 2 二级 / 3 三级")
    division_code: Code | None = Field(default=None, description="from the code if absent")


class FacilityOut(BaseModel):
    id: int
    code: str
    name: str
    level: int
    division_code: str


class EnrolmentIn(BaseModel):
    scheme: Code = Field(description="employee_active | employee_retired | resident")
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
    kind: Code = Field(
        description="tekun | dibao | dibao_edge | poverty_return | border | disability"
    )
    start_date: dt.date
    end_date: dt.date | None = None
    disability_grade: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    certificate_no: Code | None = None
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
    bo: str = ""


class ImportReport(BaseModel):
    total: int
    imported: int
    rejected: int
    problems: list[ImportProblem]
    dry_run: bool = False
    encoding: str | None = Field(
        default=None, description="how the file was read: utf-8, utf-8-sig, gb18030, utf-16"
    )
