"""Social-assistance rules, pure and vectorised: one household or a million, the same code.

POLICY.md §2. Every amount is integer fen per month; every ratio an exact fraction; every figure a
parameter read from a :class:`~minsheng.policy.Snapshot` (:class:`AssistanceParams`).

- 低保 (minimum living allowance): a household whose counted per-capita income is below the
  standard of its area and whose financial assets are within the limit gets
  补差 = (standard − per-capita income) × members. Per-capita income is rounded down to the fen,
  so per-capita income plus benefit always reaches the standard.
- 单人户: a severely disabled member of an edge family may be assessed alone (members = 1, their
  own income).
- 低保边缘家庭 (edge family): not eligible for 低保, per-capita income below factor × standard,
  assets within the limit.
- 刚性支出困难家庭 (rigid-expense hardship): neither of the above, yearly per-capita income below
  last year's per-capita disposable income, rigid expenses of the last 12 months above a share of
  the household's yearly income.
- 特困 (extreme poverty): no one obliged and able to support them, aged or minor or severely
  disabled, own income below the 特困 standard; paid the standard (≥ factor × 低保 standard,
  never below a local minimum) plus a care allowance by care level.
- Person benefits: 残疾人两项补贴 (living subsidy for the disabled in 低保/特困 households,
  nursing subsidy by grade), 高龄老人补贴 by age band, orphans' basic living allowance.
- 临时救助: what was asked, up to the per-case cap and a number of months of the standard.
- Dynamic monitoring (:func:`scan`): the warning causes of every household at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from minsheng.policy import Snapshot, ValueInfo

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

AREAS = ("urban", "rural")
INCOME_KINDS = ("wage", "business", "property", "transfer", "pension", "exempt")
CARE_LEVELS = ("self_care", "partial", "full")  # 全自理 / 半护理 / 全护理
PERSON_BENEFITS = ("disability_living", "disability_nursing", "elderly", "orphan")
CAUSES = (
    "income_below_standard",  # 收入低于低保标准
    "income_below_edge",  # 收入低于低保边缘线
    "medical_burden",  # 医疗负担重
    "member_disabled",  # 成员新近残疾
    "member_deceased",  # 成员死亡
    "member_unemployed",  # 成员失业
    "review_due",  # 复核到期
    "certificate_expiring",  # 残疾人证即将到期
)
NO_DATE = np.iinfo(np.int64).max // 2  # "no such date" in day-count columns

_PATHS = (
    *(f"assistance.income.counted_share.{k}" for k in INCOME_KINDS),
    "assistance.dibao.standard.urban_monthly",
    "assistance.dibao.standard.rural_yearly",
    "assistance.dibao.asset_limit_months",
    "assistance.dibao.single_household_max_disability_grade",
    "assistance.dibao.consumption_ratio.urban",
    "assistance.dibao.consumption_ratio.rural",
    "assistance.dibao_edge.income_factor",
    "assistance.rigid_expense.share_of_income",
    "assistance.rigid_expense.validity_months",
    "assistance.tekun.standard_factor",
    "assistance.tekun.minimum_yearly",
    "assistance.tekun.age.elderly",
    "assistance.tekun.age.minor",
    "assistance.tekun.max_disability_grade",
    "assistance.tekun.care_allowance.self_care",
    "assistance.tekun.care_allowance.partial",
    "assistance.tekun.care_allowance.full",
    "assistance.disability.living_subsidy_monthly",
    "assistance.disability.nursing_subsidy_monthly.grade_1",
    "assistance.disability.nursing_subsidy_monthly.grade_2",
    "assistance.elderly_allowance_monthly.age_80",
    "assistance.elderly_allowance_monthly.age_90",
    "assistance.elderly_allowance_monthly.age_100",
    "assistance.orphan.basic_living_monthly",
    "assistance.orphan.age_limit",
    "assistance.temporary.per_case_cap",
    "assistance.temporary.standard_months",
    "assistance.workflow.check_working_days",
    "assistance.workflow.notice_days",
    "assistance.workflow.decide_working_days",
    "assistance.workflow.review_months",
    "assistance.payment.first_month_offset",
    "assistance.payment.stop_month_paid",
    "assistance.monitoring.medical_selfpay_share",
    "assistance.monitoring.certificate_expiry_days",
    "assistance.monitoring.event_window_days",
    "assistance.monitoring.review_notice_days",
    "assistance.monitoring.deadline_working_days",
    "economy.per_capita_disposable_income",
    "economy.per_capita_consumption.urban",
    "economy.per_capita_consumption.rural",
)


def monthly(yearly: int) -> int:
    """A yearly amount in fen as a monthly one, rounded half up to the fen."""
    return (yearly * 2 + 12) // 24


@dataclass(frozen=True)
class AssistanceParams:
    """The assistance figures of one date in one region, with where each came from."""

    infos: dict[str, ValueInfo]

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> AssistanceParams:
        cached = snap.__dict__.get("_assistance_params")
        if isinstance(cached, AssistanceParams):
            return cached
        made = cls({p: snap.info(p) for p in _PATHS})
        snap.__dict__["_assistance_params"] = made
        return made

    def fen(self, path: str) -> int:
        value = self.infos[path].value
        assert isinstance(value, int) and not isinstance(value, bool), path
        return value

    def count(self, path: str) -> int:
        value = self.infos[path].value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return int(value)

    def ratio(self, path: str) -> Fraction:
        value = self.infos[path].value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return Fraction(value)

    # -- derived figures (monthly, fen) ----------------------------------------------------------

    def standard(self, area: str) -> int:
        """低保标准 per person per month."""
        if area == "urban":
            return self.fen("assistance.dibao.standard.urban_monthly")
        return monthly(self.fen("assistance.dibao.standard.rural_yearly"))

    def standards(self) -> I64:
        return np.array([self.standard(a) for a in AREAS], dtype=np.int64)

    def tekun_standard(self, area: str) -> int:
        """特困 basic living standard per month: ⌈factor × 低保标准⌉, never below the minimum."""
        f = self.ratio("assistance.tekun.standard_factor")
        by_factor = -((-self.standard(area) * f.numerator) // f.denominator)
        return max(by_factor, monthly(self.fen("assistance.tekun.minimum_yearly")))

    def care_allowances(self) -> I64:
        return np.array(
            [monthly(self.fen(f"assistance.tekun.care_allowance.{c}")) for c in CARE_LEVELS],
            dtype=np.int64,
        )

    def income_shares(self) -> tuple[I64, int]:
        """Counted share of each income kind, as integer numerators over one denominator."""
        fr = [self.ratio(f"assistance.income.counted_share.{k}") for k in INCOME_KINDS]
        den = int(np.lcm.reduce([x.denominator for x in fr]))
        return np.array([x.numerator * den // x.denominator for x in fr], dtype=np.int64), den


# ------------------------------------------------------------------------------- income


def counted_income(p: AssistanceParams, kind: I64, amount: I64) -> I64:
    """Each income record's counted amount (fen, rounded down): kind is an index of
    :data:`INCOME_KINDS`."""
    nums, den = p.income_shares()
    return (amount * nums[kind]) // den


def group_sum(group: I64, values: I64, n: int) -> I64:
    """Sum of ``values`` per group 0..n-1 (exact in int64)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, group, values)
    return out


def group_min(group: I64, values: I64, n: int, empty: int = int(NO_DATE)) -> I64:
    out = np.full(n, empty, dtype=np.int64)
    np.minimum.at(out, group, values)
    return out


# --------------------------------------------------------------------------- households


@dataclass(frozen=True)
class Households:
    """One row per household (or per 单人户 assessed alone). Income is the counted monthly
    income of all its members (average over the last 12 months); assets are financial assets;
    rigid is the rigid expenses (medical, education, rehabilitation, accidents) of the last 12
    months."""

    area: I64  # index of AREAS
    members: I64
    income: I64
    assets: I64
    rigid: I64

    @classmethod
    def of(
        cls,
        area: list[str] | tuple[str, ...],
        members: list[int],
        income: list[int],
        assets: list[int],
        rigid: list[int],
    ) -> Households:
        return cls(
            np.array([AREAS.index(a) for a in area], dtype=np.int64),
            np.array(members, dtype=np.int64),
            np.array(income, dtype=np.int64),
            np.array(assets, dtype=np.int64),
            np.array(rigid, dtype=np.int64),
        )


@dataclass(frozen=True)
class Determination:
    standard: I64  # 低保标准, per person per month
    per_capita: I64  # counted per-capita monthly income, rounded down
    asset_limit: I64  # for the whole household
    assets_ok: Bools
    dibao: Bools
    dibao_amount: I64  # per month, for the household
    edge_line: I64  # per person per month
    edge: Bools
    rigid_line: I64  # rigid expenses above this (12 months) qualify
    rigid: Bools


def determine(p: AssistanceParams, h: Households) -> Determination:
    """低保, 低保边缘 and 刚性支出 status of every household at once."""
    members = np.maximum(h.members, 1)
    standard = p.standards()[h.area]
    per_capita = h.income // members
    asset_limit = standard * members * p.count("assistance.dibao.asset_limit_months")
    assets_ok = h.assets <= asset_limit
    dibao = (per_capita < standard) & assets_ok
    amount = np.where(dibao, (standard - per_capita) * members, 0)
    f = p.ratio("assistance.dibao_edge.income_factor")
    edge_line = (standard * f.numerator) // f.denominator
    edge = ~dibao & assets_ok & (per_capita < edge_line)
    share = p.ratio("assistance.rigid_expense.share_of_income")
    yearly_income = h.income * 12
    rigid_line = (yearly_income * share.numerator) // share.denominator
    disposable = p.fen("economy.per_capita_disposable_income")
    rigid = ~dibao & ~edge & (yearly_income < disposable * members) & (h.rigid > rigid_line)
    return Determination(
        standard, per_capita, asset_limit, assets_ok, dibao, amount, edge_line, edge, rigid_line,
        rigid,
    )  # fmt: skip


def single_household_ok(p: AssistanceParams, family: Determination, member_grade: I64) -> Bools:
    """单人户: the member's family is at most an edge family and the member is severely disabled
    (grade 1..max); such a member is then assessed alone with :func:`determine`."""
    top = p.count("assistance.dibao.single_household_max_disability_grade")
    low_income = family.per_capita < family.edge_line
    return low_income & (member_grade >= 1) & (member_grade <= top)


# ------------------------------------------------------------------------------- 特困


@dataclass(frozen=True)
class Tekun:
    eligible: Bools
    basic: I64
    care: I64
    amount: I64  # per month: basic + care allowance


def tekun(
    p: AssistanceParams,
    area: I64,
    age: I64,
    disability_grade: I64,  # 0 = none
    own_income: I64,  # counted monthly income
    has_supporter: Bools,  # someone obliged and able to support them (法定赡养抚养扶养义务人)
    care_level: I64,  # index of CARE_LEVELS
) -> Tekun:
    basic = np.array([p.tekun_standard(a) for a in AREAS], dtype=np.int64)[area]
    top = p.count("assistance.tekun.max_disability_grade")
    qualifies = (
        (age >= p.count("assistance.tekun.age.elderly"))
        | (age < p.count("assistance.tekun.age.minor"))
        | ((disability_grade >= 1) & (disability_grade <= top))
    )
    eligible = ~has_supporter & qualifies & (own_income < basic)
    care = p.care_allowances()[care_level]
    return Tekun(
        eligible,
        np.where(eligible, basic, 0),
        np.where(eligible, care, 0),
        np.where(eligible, basic + care, 0),
    )


# ------------------------------------------------------------------------ person benefits


def person_benefits(
    p: AssistanceParams,
    age: I64,
    disability_grade: I64,  # 0 = none
    poor_household: Bools,  # in a 低保 or 特困 household
    orphan: Bools,
) -> dict[str, I64]:
    """Monthly amounts of each person benefit, by kind (:data:`PERSON_BENEFITS`)."""
    disabled = disability_grade >= 1
    living = np.where(
        disabled & poor_household, p.fen("assistance.disability.living_subsidy_monthly"), 0
    )
    nursing = np.select(
        [disability_grade == 1, disability_grade == 2],
        [
            p.fen("assistance.disability.nursing_subsidy_monthly.grade_1"),
            p.fen("assistance.disability.nursing_subsidy_monthly.grade_2"),
        ],
        0,
    )
    elderly = np.select(
        [age >= 100, age >= 90, age >= 80],
        [p.fen(f"assistance.elderly_allowance_monthly.age_{a}") for a in (100, 90, 80)],
        0,
    )
    orphan_amount = np.where(
        orphan & (age < p.count("assistance.orphan.age_limit")),
        p.fen("assistance.orphan.basic_living_monthly"),
        0,
    )
    columns = (living, nursing, elderly, orphan_amount)
    return {k: c.astype(np.int64) for k, c in zip(PERSON_BENEFITS, columns, strict=True)}


# ---------------------------------------------------------------------------- 临时救助


def temporary_amount(p: AssistanceParams, requested: int, members: int, area: str) -> int:
    """临时救助: what was asked, up to the per-case cap and N months of the standard × members."""
    by_standard = (
        p.standard(area) * max(members, 1) * p.count("assistance.temporary.standard_months")
    )
    return max(0, min(requested, p.fen("assistance.temporary.per_case_cap"), by_standard))


# ------------------------------------------------------------------------ standard proposal


def proposed_standards(p: AssistanceParams) -> dict[str, int]:
    """Next standards from last year's consumption: urban per month, rural per year, each
    rounded up to the whole yuan (in fen)."""

    def up_to_yuan(fen_value: Fraction) -> int:
        return -((-fen_value.numerator * 1) // (fen_value.denominator * 100)) * 100

    urban = Fraction(p.fen("economy.per_capita_consumption.urban")) * p.ratio(
        "assistance.dibao.consumption_ratio.urban"
    )
    rural = Fraction(p.fen("economy.per_capita_consumption.rural")) * p.ratio(
        "assistance.dibao.consumption_ratio.rural"
    )
    return {"urban_monthly": up_to_yuan(urban / 12), "rural_yearly": up_to_yuan(rural)}


# ------------------------------------------------------------------------------ monitoring


@dataclass(frozen=True)
class ScanInput:
    """One row per household for the dynamic-monitoring scan. Day columns count days from the
    scan date (negative: in the past); :data:`NO_DATE` where there is none."""

    area: I64
    members: I64
    income: I64  # counted monthly income
    on_dibao: Bools  # 低保 or 特困 in payment
    on_edge: Bools
    medical_selfpay: I64  # patients' own share of medical bills this year (medical ledger)
    review_in: I64  # days until the next review of a decision
    disabled_since: I64  # days since a member's disability status began (most recent)
    deceased_since: I64
    unemployed_since: I64
    certificate_in: I64  # days until a member's disability certificate expires (soonest)


def scan(p: AssistanceParams, x: ScanInput) -> dict[str, Bools]:
    """Every warning cause of every household (:data:`CAUSES`)."""
    members = np.maximum(x.members, 1)
    standard = p.standards()[x.area]
    per_capita = x.income // members
    f = p.ratio("assistance.dibao_edge.income_factor")
    edge_line = (standard * f.numerator) // f.denominator
    share = p.ratio("assistance.monitoring.medical_selfpay_share")
    yearly = x.income * 12
    window = p.count("assistance.monitoring.event_window_days")

    def recent(days_since: I64) -> Bools:
        return (days_since >= 0) & (days_since <= window)

    return {
        "income_below_standard": (per_capita < standard) & ~x.on_dibao,
        "income_below_edge": (per_capita >= standard)
        & (per_capita < edge_line)
        & ~x.on_dibao
        & ~x.on_edge,
        "medical_burden": (x.medical_selfpay > 0)
        & (x.medical_selfpay * share.denominator > yearly * share.numerator),
        "member_disabled": recent(x.disabled_since),
        "member_deceased": recent(x.deceased_since),
        "member_unemployed": recent(x.unemployed_since),
        "review_due": x.review_in <= p.count("assistance.monitoring.review_notice_days"),
        "certificate_expiring": x.certificate_in
        <= p.count("assistance.monitoring.certificate_expiry_days"),
    }
