"""Request and response shapes of the assistance API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import (
    AssetText,
    Code,
    ExpenseText,
    IncomeText,
    PaymentText,
    Reason,
    RecordId,
    ShortText,
)


class IncomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: RecordId
    month: Code = Field(description="YYYY-MM")
    kind: Code = Field(description="wage | business | property | transfer | …")
    amount: IncomeText = Field(description="yuan, e.g. '1200.50'")


class IncomesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[IncomeIn] = Field(min_length=1, max_length=2000)


class AssetsIn(BaseModel):
    """Financial assets by kind (deposits, securities, other_financial), in yuan."""

    model_config = ConfigDict(extra="forbid")

    values: dict[Code, AssetText] = Field(max_length=16)
    as_of: dt.date | None = None


class ExpenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: Code
    kind: Code = Field(description="medical | education | rehabilitation | accident")
    amount: ExpenseText
    note: ShortText | None = None


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_id: RecordId
    programme: Code = Field(description="dibao | tekun | dibao_edge | …")
    person_id: RecordId | None = Field(
        default=None, description="特困: the person; 低保 单人户: the member assessed alone"
    )
    single: bool = Field(default=False, description="单人户 (a severely disabled member alone)")
    care_level: Code | None = None
    has_supporter: bool = False
    requested: PaymentText | None = Field(default=None, description="临时救助, yuan")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Code = Field(
        max_length=16, description="check | notice | approve | reject | review | stop"
    )
    reason: Reason | None = None


class WarningActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Code = Field(description="checking | assisted | no_action")
    reason: Reason | None = None


class Step(BaseModel):
    step: str
    zh: str
    en: str
    # the sentence's figures as shown (money, months): a Tibetan page fills them into the
    # sentence's Tibetan (``desk_pages.step_title``); a case explained before they were kept: {}
    figures: dict[str, str] = {}
    value: Any
    unit: str = ""  # "fen" for amounts
    parameters: list[dict[str, Any]] = []


class EventOut(BaseModel):
    day: dt.date
    action: str
    from_state: str | None
    to_state: str
    amount: int
    note: str | None
    by: str


class CaseOut(BaseModel):
    id: int
    household_id: int
    person_id: int | None
    programme: str
    division_code: str
    state: str
    single: bool
    care_level: str | None
    applied_on: dt.date
    due_on: dt.date | None
    notice_start: dt.date | None
    notice_end: dt.date | None
    decided_on: dt.date | None
    review_due: dt.date | None
    valid_until: dt.date | None
    stopped_on: dt.date | None
    reason: str | None
    eligible: bool | None
    monthly_amount: int
    overdue: bool
    explanation: list[Step]
    events: list[EventOut] = []
    assignee: str | None = None  # user:N (分派)


class WarningOut(BaseModel):
    id: int
    household_id: int
    division_code: str
    cause: str
    detail: dict[str, Any]
    state: str
    raised_on: dt.date
    deadline: dt.date
    overdue: bool
    handled_by: str | None
    resolution: str | None
    closed_on: dt.date | None
    assignee: str | None = None  # user:N (分派)


class AssignIn(BaseModel):
    """分派: the username of a caseworker whose region covers the record, or null to unassign."""

    model_config = ConfigDict(extra="forbid")

    assignee: ShortText | None = None


class PaymentOut(BaseModel):
    month: str
    kind: str
    amount: int
    person_id: int
    case_id: int | None
