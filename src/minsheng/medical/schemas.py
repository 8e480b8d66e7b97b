"""The bill format (docs/medical.md) and the settlement answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from minsheng.fields import (
    BalanceText,
    CatalogueCode,
    Code,
    DiagnosisCode,
    IdText,
    Label,
    PriceText,
    RecordId,
)

Money = str  # a decimal string of yuan, e.g. "123.45" (never a float); inputs use fields.*Text


class Patient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: IdText | None = Field(
        default=None, description="公民身份号码, as presented at the window"
    )
    ecard: str | None = Field(
        default=None,
        max_length=200,
        description="电子社保卡码 as scanned at the window (instead of the ID number)",
    )
    person_id: RecordId | None = Field(
        default=None,
        description="internal id: refused for preview/settle by staff and tokens (stored bills "
        "reference the patient this way)",
    )


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: CatalogueCode = Field(description="医保目录编码")
    name: Label = ""
    category: Literal["甲", "乙", "丙"] = Field(description="甲类 / 乙类 / 丙类 (out of catalogue)")
    quantity: str = Field(default="1", max_length=12, description="decimal, e.g. '0.5'")
    unit_price: PriceText
    price_limit: PriceText | None = Field(default=None, description="最高限价 per unit")
    self_pay_first: str = Field(
        default="0", max_length=8, description="乙类先行自付比例, e.g. '0.1'"
    )
    registration: bool = Field(default=False, description="挂号费 (waived on a follow-up visit)")


class BillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient: Patient
    facility_code: Code = Field(description="定点医疗机构编码 H + 11 digits")
    visit: Literal["outpatient", "inpatient"]
    service_date: dt.date = Field(description="outpatient visit or inpatient discharge date")
    admission_no: CatalogueCode | None = None
    diagnosis: DiagnosisCode | None = Field(default=None, description="ICD-10 医保版")
    out_of_area_filed: bool = Field(
        default=False, description="异地就医已备案 (for care outside the pooling region)"
    )
    major_disease: bool = Field(default=False, description="重特大疾病 (assistance cap)")
    referred_from_level: int = Field(
        default=0, ge=0, le=3, description="转诊: the referring hospital's level (0: none)"
    )
    account_balance: BalanceText = Field(
        default="0", description="personal account available, with family mutual aid"
    )
    lines: list[Line] = Field(min_length=1, max_length=5000)


class FundStep(BaseModel):
    fund: str
    base: int
    deductible: int
    ratio: str
    cap_left: int | None
    cap_reached: bool
    amount: int
    parameters: list[dict[str, Any]]
    # person-dependent terms used (medical/person_terms.py): name (a msgid), fact, added
    terms: list[dict[str, Any]] = Field(default_factory=list)
    # the shapes the step used (issue 16 item 11): the admission number of the year (inpatient),
    # the cost bands (分段, from 1) the bill's cost fell in, the year's cost counted above the
    # deductible under bands or a ceiling; None where the step used none
    admission: int | None = None
    bands: list[int] | None = None
    counted: int | None = None
    # 大病 / 大额: the segments of the scale (brackets, from 1) the bill's self-pay fell in, and
    # how its thresholds are measured (above_deductible | absolute); None where none was used
    segments: list[int] | None = None
    threshold_basis: str | None = None


class SettlementOut(BaseModel):
    id: int | None
    kind: str
    person_id: int
    year: int
    facility_id: int
    service_date: dt.date
    visit: str
    scheme: str
    level: int
    area: str
    total: int
    full_self: int
    over_limit: int
    self_first: int
    policy: int
    basic: int
    ci: int
    assistance: int
    # 倾斜救助 and the commercial supplementary layer (惠民保-style); null where the region's
    # layer order (``medical.layers.order``) has no such layer (Tibet's has neither)
    tilted: int | None = None
    commercial: int | None = None
    patient: int
    account: int
    cash: int
    reverses_id: int | None = None
    reversed_by_id: int | None = None
    explanation: list[FundStep]
    preview: bool = False
    fingerprint: str | None = Field(default=None, description="SHA-256 of the bill as parsed")
    # a pre-settlement only: confirm it by id and fingerprint before it expires
    preview_id: int | None = None
    expires_at: dt.datetime | None = None
    person: PatientOut | None = Field(default=None, description="who the patient is (previews)")

    @property
    def funds_paid(self) -> int:
        """What the funds paid: basic, 大病, 医疗救助 and the layers beyond (where the region
        has them); with the patient's share, the whole bill."""
        return self.basic + self.ci + self.assistance + (self.tilted or 0) + (self.commercial or 0)


class PatientOut(BaseModel):
    """Who the patient is, for the cashier to check the person at the window."""

    name_zh: str
    name_bo: str | None
    id_masked: str
    scheme: str
    groups: list[str] = Field(description="special groups on the day of service (特困, 低保…)")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fingerprint: str = Field(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")


SettlementOut.model_rebuild()  # PatientOut is defined after it
