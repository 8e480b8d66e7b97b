"""Inputs of the projects area (API bodies, CLI and form values): each field typed and bounded,
so a bad value is refused naming the field in Chinese, Tibetan and English before the service
runs. Amounts are yuan text (``"300.00"``), parsed to fen by the services."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from minsheng.core import money
from minsheng.fields import (
    Code,
    IdText,
    MoneyText,
    Name,
    OrgName,
    RecordId,
    ShortText,
    money_text,
)

MAX_RATE_FEN = 10_000 * money.YUAN  # ¥10,000: an engineering bound on a day, hour or piece rate

ContractValue = MoneyText
RateText = money_text(MAX_RATE_FEN)
Permit = Code


class FirmIn(BaseModel):
    """A firm by its unified social credit code; the name registers it when it is new."""

    model_config = ConfigDict(extra="forbid")

    credit_code: IdText = Field(description="统一社会信用代码 (18 characters, checked)")
    name: OrgName | None = Field(default=None, description="needed only for a firm not yet known")


class InstalmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_on: dt.date
    amount: ContractValue = Field(description="yuan")


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName
    division_code: Code = Field(description="the county responsible (6 digits)")
    contract_value: ContractValue = Field(description="施工合同额, yuan")
    contract_signed_on: dt.date
    start_date: dt.date
    end_date: dt.date | None = None
    permit_no: Permit | None = Field(default=None, description="施工许可证编号")
    officer_name: Name | None = Field(default=None, description="劳资专管员")
    developer: FirmIn
    general: FirmIn
    subcontractors: list[FirmIn] = Field(default_factory=list, max_length=50)
    schedule: list[InstalmentIn] = Field(default_factory=list, max_length=120)


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrgName | None = None
    contract_value: ContractValue | None = None
    end_date: dt.date | None = None
    permit_no: Permit | None = None
    officer_name: Name | None = None


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: dt.date


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[InstalmentIn] = Field(max_length=120)


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText = Field(min_length=1, max_length=100)
    credit_code: IdText = Field(description="the general contractor's or a subcontractor's")


class WorkerIn(BaseModel):
    """A worker's entry: the registered identity and the labour contract (art. 28)."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdText = Field(description="公民身份号码 (looked up by its hash, never stored here)")
    team_id: RecordId
    contract_no: Code | None = Field(default=None, description="劳动合同编号 — required")
    contract_signed_on: dt.date | None = Field(default=None, description="required")
    rate_kind: Code = Field(description="day | hour | piece")
    rate: RateText = Field(description="yuan per day, hour or piece")  # type: ignore[valid-type]
    overtime_rate: RateText | None = Field(default=None, description="yuan per overtime hour")  # type: ignore[valid-type]
    entry_on: dt.date
    work_injury: bool = Field(default=True, description="enrol in work-injury insurance")


class ExitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exit_on: dt.date


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: RecordId
