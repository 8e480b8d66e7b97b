"""Social-assistance rules, pure and vectorised: one household or a million, the same code.

POLICY.md §2. Every amount is integer fen per month; every ratio an exact fraction; every figure a
parameter read from a :class:`~minsheng.policy.Snapshot` (:class:`AssistanceParams`, in
``figures.py``). Each test is a function a policy reader can find by name:

- 低保 (minimum living allowance): :func:`income_test` — counted per-capita income
  (:func:`per_capita_income`, rounded down to the fen) below the standard of the household's
  area (:func:`dibao_standard`); :func:`asset_test` — financial assets within the limit;
  :func:`dibao_benefit` — 补差 = standard × members − household income, exact in fen, so income
  plus benefit reaches the standard × members exactly (the per-capita rounding kept as the
  named alternative ``assistance.dibao.gap_method: per_capita``).
- 单人户 (:func:`single_household_ok`): a severely disabled member of an edge family may be
  assessed alone (members = 1, their own income).
- 低保边缘家庭 (:func:`edge_test`): not eligible for 低保, per-capita income below
  factor × standard (:func:`edge_line`), assets within the limit.
- 刚性支出困难家庭 (:func:`rigid_expense_test`): neither of the above, yearly per-capita income
  below last year's per-capita disposable income, rigid expenses of the last 12 months above a
  share of the household's yearly income (:func:`rigid_line`).
- 特困 (:func:`tekun`): no one obliged and able to support them, aged or minor or severely
  disabled, own income below the 特困 standard; paid the standard (≥ factor × 低保 standard,
  never below a local minimum) plus a care allowance by care level.
- Person benefits: 残疾人两项补贴 (living subsidy for the disabled in 低保/特困 households,
  nursing subsidy by grade), 高龄老人补贴 by age band, orphans' basic living allowance.
- 临时救助: what was asked, up to the per-case cap and a number of months of the standard.
- Dynamic monitoring (:func:`scan`): the warning causes of every household at once.

特困, the person benefits and 临时救助 live in ``person_rules.py`` (re-exported here).

:func:`determine` runs the household tests over millions of rows (microsimulation, the
standard proposal). ``decision.decide`` runs the same named pieces on one case and returns,
with the finding, the steps that produced it — each naming exactly the figures it read (the
explanation comes from the rules; ``tests/assistance/test_explanation_reads.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Protocol

import numpy as np

from minsheng.assistance.dibao_shapes import (
    addon_amounts,
    band_index,
    band_share,
    minimum_per_member,
    round_money,
    rounding,
)
from minsheng.assistance.figures import (
    ADDON_CATEGORIES,
    AREAS,
    ASSET_LIMIT_MONTHS,
    CARE_LEVELS,
    DISPOSABLE_INCOME,
    EDGE_FACTOR,
    I64,
    INCOME_KINDS,
    RIGID_SHARE,
    RURAL,
    SANWU_PAYMENT,
    SANWU_PAYMENTS,
    SINGLE_MAX_GRADE,
    URBAN,
    AssistanceParams,
    Bools,
    Tables,
    monthly,
)
from minsheng.assistance.person_rules import (
    NO_DISABILITY,
    PERSON_BENEFITS,
    Tekun,
    person_benefits,
    tekun,
    temporary_amount,
)

__all__ = [
    "ADDON_CATEGORIES",
    "AREAS",
    "CARE_LEVELS",
    "CAUSES",
    "DIBAO",
    "EDGE",
    "INCOME_KINDS",
    "NO_DATE",
    "NO_DISABILITY",
    "PERSON_BENEFITS",
    "PROGRAMMES",
    "RIGID",
    "RURAL",
    "TEKUN",
    "TEMPORARY",
    "URBAN",
    "AssistanceParams",
    "Determination",
    "Households",
    "ScanInput",
    "Tables",
    "Tekun",
    "addon_amounts",
    "asset_test",
    "counted_income",
    "determine",
    "dibao_benefit",
    "dibao_payment",
    "dibao_standard",
    "edge_line",
    "edge_test",
    "group_min",
    "group_sum",
    "income_test",
    "monthly",
    "per_capita_income",
    "person_benefits",
    "proposed_standards",
    "rigid_expense_test",
    "rigid_line",
    "scan",
    "single_household_ok",
    "tekun",
    "temporary_amount",
]

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

# the programmes a case may be for (``models.PROGRAMMES``)
DIBAO, TEKUN, EDGE, RIGID, TEMPORARY = "dibao", "tekun", "dibao_edge", "rigid_expense", "temporary"
PROGRAMMES = (DIBAO, TEKUN, EDGE, RIGID, TEMPORARY)


# ------------------------------------------------------------------------------- income


def counted_income(p: AssistanceParams, kind: I64, amount: I64) -> I64:
    """Each income record's counted amount (fen, rounded down): the counted share of its kind
    (``assistance.income.counted_share.*``); kind is an index of :data:`INCOME_KINDS`."""
    t = p.t
    out: I64 = (amount * t.share_num[kind]) // t.share_den
    return out


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


def dibao_standard(p: AssistanceParams, area: I64) -> I64:
    """低保标准 of each household's area, per person per month (urban: the monthly standard;
    rural: the yearly one ÷ 12, rounded half up)."""
    out: I64 = p.t.standard[area]
    return out


def per_capita_income(income: I64, members: I64) -> I64:
    """Counted monthly income per member, rounded down to the fen (members ≥ 1, as in all the
    household tests: :func:`determine` counts a household of none as one)."""
    out: I64 = income // members
    return out


def asset_test(p: AssistanceParams, assets: I64, standard: I64, members: I64) -> tuple[I64, Bools]:
    """家庭财产: financial assets within ``asset_limit_months`` × standard × members.
    Returns (the household's limit, within it)."""
    limit = standard * members * p.count(ASSET_LIMIT_MONTHS)
    return limit, assets <= limit


def income_test(per_capita: I64, standard: I64) -> Bools:
    """家庭收入: per-capita income below the 低保 standard."""
    out: Bools = per_capita < standard
    return out


def dibao_benefit(
    standard: I64, income: I64, members: I64, eligible: Bools, method: str = "exact"
) -> I64:
    """低保金 (补差) per month, for those eligible: standard × members − household income, exact
    in fen (``method="exact"``, 民发〔2021〕57号's formula); or, where a region's rule says so,
    (standard − the per-capita income rounded down to the fen) × members (``"per_capita"``),
    which pays up to members − 1 fen more. ``assistance.dibao.gap_method`` names the one in
    force. Eligibility (per-capita income below the standard) makes both positive."""
    out: I64 = np.where(eligible, _gap(standard, income, members, method), 0)
    return out


def _gap(standard: I64, income: I64, members: I64, method: str) -> I64:
    if method == "per_capita":
        out: I64 = (standard - per_capita_income(income, members)) * members
    else:
        out = standard * members - income
    return out


def dibao_payment(
    p: AssistanceParams,
    standard: I64,
    income: I64,
    members: I64,
    eligible: Bools,
    sanwu: Bools | None = None,
) -> I64:
    """低保金 per month for the household, in the region's shape (issue 16 item 8): the gap
    (:func:`dibao_benefit`, ``gap_method`` exact | per_capita) or the band's share of the
    standard × members (``banded``); the full standard × members for “三无” households where
    ``sanwu_payment: full``; rounded by ``rounding.benefit``; never below the minimum per member
    × members where there is one (``minimum_payment_share``). The 分类施保 add-ons come on top
    (:func:`addon_amounts`, per member). Tibet's figures: the exact gap, to the fen."""
    method = p.gap_method()
    if method == "banded":
        band = band_index(p, per_capita_income(income, members), standard)
        base: I64 = band_share(p, band, standard) * members
    else:
        base = _gap(standard, income, members, method)
    if sanwu is not None and p.code(SANWU_PAYMENT, SANWU_PAYMENTS) == "full":
        base = np.where(sanwu, standard * members, base)
    rule = rounding(p, "benefit")
    if rule != "fen":  # amounts are whole fen: rounding to the fen changes nothing
        base = round_money(base, 1, rule)
    minimum = minimum_per_member(p, standard)
    if minimum is not None:
        base = np.maximum(base, minimum * members)
    out: I64 = np.where(eligible, base, 0)
    return out


def edge_line(p: AssistanceParams, standard: I64) -> I64:
    """低保边缘线 per person per month: ``dibao_edge.income_factor`` × standard, rounded down."""
    f = p.ratio(EDGE_FACTOR)
    out: I64 = (standard * f.numerator) // f.denominator
    return out


def edge_test(line: I64, per_capita: I64, assets_ok: Bools, dibao: Bools) -> Bools:
    """低保边缘家庭: not 低保, assets within the limit, per-capita income below the edge line."""
    out: Bools = ~dibao & assets_ok & (per_capita < line)
    return out


def rigid_line(p: AssistanceParams, income: I64) -> I64:
    """Rigid expenses of 12 months above this qualify: ``rigid_expense.share_of_income`` of the
    household's yearly income (12 × the counted monthly income), rounded down."""
    share = p.ratio(RIGID_SHARE)
    out: I64 = (income * 12 * share.numerator) // share.denominator
    return out


def rigid_expense_test(
    p: AssistanceParams, h: Households, line: I64, dibao: Bools, edge: Bools
) -> Bools:
    """刚性支出困难家庭: neither 低保 nor edge; yearly income below members × last year's
    per-capita disposable income; rigid expenses of 12 months above the line."""
    disposable = p.fen(DISPOSABLE_INCOME)
    below = h.income * 12 < disposable * h.members
    out: Bools = ~dibao & ~edge & below & (h.rigid > line)
    return out


def determine(p: AssistanceParams, h: Households) -> Determination:
    """低保, 低保边缘 and 刚性支出 status of every household at once."""
    h = replace(h, members=np.maximum(h.members, 1))
    standard = dibao_standard(p, h.area)
    per_capita = per_capita_income(h.income, h.members)
    limit, assets_ok = asset_test(p, h.assets, standard, h.members)
    dibao = income_test(per_capita, standard) & assets_ok
    line = edge_line(p, standard)
    edge = edge_test(line, per_capita, assets_ok, dibao)
    r_line = rigid_line(p, h.income)
    return Determination(
        standard=standard,
        per_capita=per_capita,
        asset_limit=limit,
        assets_ok=assets_ok,
        dibao=dibao,
        dibao_amount=dibao_payment(p, standard, h.income, h.members, dibao),
        edge_line=line,
        edge=edge,
        rigid_line=r_line,
        rigid=rigid_expense_test(p, h, r_line, dibao, edge),
    )


class BelowEdge(Protocol):
    """What :func:`single_household_ok` needs of the family (a :class:`Determination`)."""

    @property
    def per_capita(self) -> I64: ...

    @property
    def edge_line(self) -> I64: ...


def single_household_ok(p: AssistanceParams, family: BelowEdge, member_grade: I64) -> Bools:
    """单人户: the member's family is at most an edge family and the member is severely disabled
    (grade 1..max); such a member is then assessed alone with :func:`determine`."""
    top = p.count(SINGLE_MAX_GRADE)
    low_income = family.per_capita < family.edge_line
    out: Bools = low_income & (member_grade > NO_DISABILITY) & (member_grade <= top)
    return out


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
    standard = dibao_standard(p, x.area)
    per_capita = per_capita_income(x.income, np.maximum(x.members, 1))
    line = edge_line(p, standard)
    share = p.ratio("assistance.monitoring.medical_selfpay_share")
    yearly = x.income * 12
    window = p.count("assistance.monitoring.event_window_days")

    def recent(days_since: I64) -> Bools:
        return (days_since >= 0) & (days_since <= window)

    return {
        "income_below_standard": (per_capita < standard) & ~x.on_dibao,
        "income_below_edge": (per_capita >= standard)
        & (per_capita < line)
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
