"""The rules' data: bills as columns (:class:`Bills`, from readable :class:`BillRow` rows),
the running totals before each bill (:class:`Totals`) and what each fund did (:class:`Result`).
All typed; the codes are the enums of :mod:`minsheng.medical.tables`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.medical.tables import Area, Group, Scheme, Visit

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BillRow:
    """One bill as the rules see it (readable codes; see :class:`Bills` for the columns)."""

    scheme: str = "resident"
    visit: str = "inpatient"
    level: int = 2
    area: str = "local"
    full_self: int = 0
    over_limit: int = 0
    self_first: int = 0
    policy: int = 0
    total: int | None = None  # default: the sum of the four parts
    later_admission: bool = False
    admission: int = 0  # inpatient: the admission number of the year (0: 2 if later, else 1)
    referred_from: int = 0  # inpatient: the level of the hospital referring (0: none)
    special: bool = False
    group: str = "none"
    border: bool = False
    major_disease: bool = False
    account_balance: int = 0
    # the person, where a region's ratio or cap depends on them (person_terms.py; −1: not given)
    age: int = -1  # on the date of the bill
    enrolled_years: int = -1  # years of continuous enrolment before this one
    zero_claim_years: int = -1  # consecutive years up to last year the funds paid nothing

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> BillRow:
        """A row from a mapping (stored inputs, YAML cases); unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def amount(self) -> int:
        parts = self.full_self + self.over_limit + self.self_first + self.policy
        return parts if self.total is None else self.total


def _none() -> I64:
    return np.zeros(0, dtype=np.int64)


@dataclass
class Bills:
    """Columns of N bills (already split into their parts)."""

    scheme: I64  # Scheme
    visit: I64  # Visit
    level: I64  # 1, 2, 3
    area: I64  # Area
    total: I64  # medfee_sumamt
    full_self: I64  # 全自费
    over_limit: I64  # 超限价自费
    self_first: I64  # 先行自付
    policy: I64  # 政策范围内
    later_admission: Bools  # inpatient, not the first admission of the year
    special: Bools  # 特困 / 低保 / 返贫致贫 (residents): "一降一升一取消"
    group: I64  # Group (assistance group)
    border: Bools  # 边境一线
    major_disease: Bools  # 重特大疾病 (assistance cap)
    account_balance: I64  # personal accounts that may pay: own (employees) + family (家庭共济)
    admission: I64 = field(default_factory=_none)  # 1, 2, …; 0 / left out: 2 if later, else 1
    referred_from: I64 = field(default_factory=_none)  # the referring level (0: none)
    age: I64 = field(default_factory=_none)  # person_terms.py; −1 / left out: not given
    enrolled_years: I64 = field(default_factory=_none)
    zero_claim_years: I64 = field(default_factory=_none)

    def __post_init__(self) -> None:
        n = len(self.total)
        if len(self.admission) != n:
            self.admission = np.zeros(n, dtype=np.int64)
        if len(self.referred_from) != n:
            self.referred_from = np.zeros(n, dtype=np.int64)
        for name in ("age", "enrolled_years", "zero_claim_years"):
            if len(getattr(self, name)) != n:
                setattr(self, name, np.full(n, -1, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.total)

    def admission_number(self) -> I64:
        """The admission number of the year: the stated one, else 2 for a later admission."""
        stated: I64 = np.where(self.admission > 0, self.admission, self.later_admission + 1)
        return stated

    @classmethod
    def of(cls, rows: Iterable[BillRow | Mapping[str, Any]]) -> Bills:
        """Bills from readable rows (:class:`BillRow`, or mappings with its keys)."""
        rs = [r if isinstance(r, BillRow) else BillRow.of(r) for r in rows]

        def ints(values: Iterable[int]) -> I64:
            return np.array(list(values), dtype=np.int64)

        def flags(values: Iterable[bool]) -> Bools:
            return np.array([bool(v) for v in values], dtype=np.bool_)

        return cls(
            scheme=ints(Scheme[r.scheme.upper()] for r in rs),
            visit=ints(Visit[r.visit.upper()] for r in rs),
            level=ints(r.level for r in rs),
            area=ints(Area[r.area.upper()] for r in rs),
            total=ints(r.amount for r in rs),
            full_self=ints(r.full_self for r in rs),
            over_limit=ints(r.over_limit for r in rs),
            self_first=ints(r.self_first for r in rs),
            policy=ints(r.policy for r in rs),
            later_admission=flags(r.later_admission or r.admission > 1 for r in rs),
            admission=ints(r.admission for r in rs),
            referred_from=ints(r.referred_from for r in rs),
            special=flags(r.special for r in rs),
            group=ints(Group[r.group.upper()] for r in rs),
            border=flags(r.border for r in rs),
            major_disease=flags(r.major_disease for r in rs),
            account_balance=ints(r.account_balance for r in rs),
            age=ints(r.age for r in rs),
            enrolled_years=ints(r.enrolled_years for r in rs),
            zero_claim_years=ints(r.zero_claim_years for r in rs),
        )

    def row(self, i: int) -> Bills:
        """Bill ``i`` alone, as a one-row Bills."""
        return Bills(**{k: v[i : i + 1] for k, v in self.__dict__.items()})


@dataclass
class Totals:
    """Per person and year, before the bill: what each fund has already used."""

    op_deductible: I64  # outpatient pooling deductible used (yearly)
    op_paid: I64  # basic fund, outpatient, paid
    ip_paid: I64  # basic fund, inpatient, paid
    ci_base: I64  # compliant self-pay entered into 大病 / 大额
    ci_paid: I64  # 大病 / 大额 paid
    as_deductible: I64  # assistance deductible used
    as_paid: I64  # assistance paid
    # the year's cost above the deductible (bands and ceilings; left out: zeros)
    op_cost: I64 = field(default_factory=_none)
    ip_cost: I64 = field(default_factory=_none)
    # the layers beyond the three (``medical.layers.order``; left out: zeros)
    ta_paid: I64 = field(default_factory=_none)  # 倾斜救助 paid
    cm_deductible: I64 = field(default_factory=_none)  # commercial layer's deductible used
    cm_paid: I64 = field(default_factory=_none)  # commercial layer paid

    def __post_init__(self) -> None:
        n = len(self.op_deductible)
        for name in ("op_cost", "ip_cost", "ta_paid", "cm_deductible", "cm_paid"):
            if len(getattr(self, name)) != n:
                setattr(self, name, np.zeros(n, dtype=np.int64))

    def row(self, i: int) -> Totals:
        return Totals(**{k: v[i : i + 1] for k, v in self.__dict__.items()})

    @classmethod
    def zeros(cls, n: int) -> Totals:
        return cls(*(np.zeros(n, dtype=np.int64) for _ in fields(cls)))

    def after(self, r: Result) -> Totals:
        """The running totals once the bills of ``r`` are posted (row by row)."""
        return Totals(
            self.op_deductible + r.op_deductible,
            self.op_paid + np.where(r.inpatient, 0, r.basic),
            self.ip_paid + np.where(r.inpatient, r.basic, 0),
            self.ci_base + r.ci_base,
            self.ci_paid + r.ci,
            self.as_deductible + r.as_deductible,
            self.as_paid + r.assistance,
            self.op_cost + np.where(r.inpatient, 0, r.basic_above),
            self.ip_cost + np.where(r.inpatient, r.basic_above, 0),
            self.ta_paid + r.tilted,
            self.cm_deductible + r.cm_deductible,
            self.cm_paid + r.commercial,
        )


@dataclass
class Basic:
    """基本医保 on each bill."""

    base: I64  # 政策范围内 amount
    deductible: I64  # the part of the deductible (起付线) this bill bears
    ratio_num: I64  # over ``den``
    den: int
    cap: I64  # the yearly cap
    cap_left: I64
    amount: I64
    above: I64  # the cost above the deductible this bill adds to the year's (bands, ceiling)
    counted: I64  # the part of it under the year's eligible-cost ceiling
    band_first: I64  # the first and last cost band the bill's cost fell in
    band_last: I64


@dataclass
class Critical:
    """大病保险 / 大额医疗补助 on each bill (zero on outpatient bills)."""

    base: I64  # compliant self-pay this bill enters into the running total
    deductible: I64
    cap: I64  # −1 where there is no cap
    cap_left: I64  # −1 where there is no cap
    amount: I64


@dataclass
class Assistance:
    """医疗救助 on each bill."""

    eligible: Bools
    base: I64  # what is still self-paid in the policy range
    deductible_total: I64  # the yearly deductible of the group
    deductible: I64
    ratio_num: I64  # over ``den``
    den: int
    cap: I64
    cap_left: I64
    amount: I64


@dataclass
class Tilted:
    """倾斜救助 on each bill: a stay's policy-range self-pay left after the layers before it,
    above the threshold, at the group's ratio, up to the yearly cap left."""

    eligible: Bools
    base: I64  # the policy-range self-pay left
    threshold: I64  # the part of the threshold this bill bears
    ratio_num: I64  # over ``den``
    den: int
    cap_left: I64
    amount: I64

    @classmethod
    def off(cls, n: int, den: int = 1) -> Tilted:
        zero = np.zeros(n, dtype=np.int64)
        return cls(np.zeros(n, dtype=np.bool_), zero, zero, zero, den, zero, zero)


@dataclass
class Commercial:
    """The commercial supplementary layer (惠民保-style) on each bill: everything still
    self-paid (out-of-catalogue costs included) above the yearly deductible left, at its
    ratio, up to the yearly cap left."""

    covered: Bools
    base: I64  # everything still self-paid
    deductible_total: I64  # the yearly deductible
    deductible: I64  # the part of it this bill bears
    ratio_num: I64  # over ``den``
    den: int
    cap_left: I64
    amount: I64

    @classmethod
    def off(cls, n: int, den: int = 1) -> Commercial:
        zero = np.zeros(n, dtype=np.int64)
        return cls(np.zeros(n, dtype=np.bool_), zero, zero, zero, zero, den, zero, zero)


@dataclass
class Result:
    """What each fund pays on each bill, and what it used of each limit."""

    inpatient: Bools
    basic_base: I64
    basic_deductible: I64
    basic_ratio_num: I64
    ratio_den: int
    basic_cap: I64
    basic_cap_left: I64
    basic: I64
    basic_above: I64  # cost above the deductible, added to the year's (bands, ceilings)
    basic_counted: I64  # the part of it under the eligible-cost ceiling
    basic_band_first: I64
    basic_band_last: I64
    op_deductible: I64  # the part of the yearly outpatient deductible this bill used
    compliant: I64  # 合规自付 after basic
    ci_base: I64  # compliant self-pay this bill enters into 大病 / 大额
    ci_deductible: I64
    ci_cap: I64  # −1 where there is no cap
    ci_cap_left: I64  # −1 where there is no cap
    ci: I64
    ci_before: I64  # the year's compliant self-pay in 大病 / 大额 before the bill (its segments)
    as_eligible: Bools
    as_base: I64
    as_deductible_total: I64
    as_deductible: I64
    as_ratio_num: I64
    as_ratio_den: int
    as_cap: I64
    as_cap_left: I64
    assistance: I64
    ta_eligible: Bools  # 倾斜救助 (off unless ``medical.layers.order`` lists it)
    ta_base: I64
    ta_threshold: I64
    ta_ratio_num: I64
    ta_ratio_den: int
    ta_cap_left: I64
    tilted: I64
    cm_covered: Bools  # the commercial layer (off unless ``medical.layers.order`` lists it)
    cm_base: I64
    cm_deductible_total: I64
    cm_deductible: I64
    cm_ratio_num: I64
    cm_ratio_den: int
    cm_cap_left: I64
    commercial: I64
    patient: I64
    account: I64
    cash: I64
