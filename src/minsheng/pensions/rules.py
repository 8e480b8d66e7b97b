"""Pension rules, pure: the statutory retirement date, the minimum contribution years, the
monthly pension of each scheme and its parts, yearly interest on individual accounts, the
unemployment benefit and the maternity allowance.

Every figure comes from the parameters (``pensions.*``, ``economy.*``): a :class:`PensionParams`
is made once from a :class:`~minsheng.policy.Snapshot` and remembers each figure's dated,
cited source, so every amount is returned as :class:`Part` s that name exactly the
parameters they read. Months are counted as a *month index* ``year * 12 + (month - 1)``;
ages and durations are in months. Money is integer fen; rounding is exact (fractions) and
happens once per part, by the rounding parameters.

The vectorised functions (:func:`retirement_index`, :func:`credit_interest`) take numpy columns
and serve the service for one person and the benchmarks / microsimulation for millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from minsheng.core import money
from minsheng.core.errors import invalid
from minsheng.policy import Snapshot, ValueInfo

I64 = np.ndarray[Any, np.dtype[np.int64]]

# --------------------------------------------------------------------------- vocabulary

# Retirement groups (original statutory ages): 男职工 60, 女干部 / 管理技术岗位 / 灵活就业女性 55,
# 女工人 50. The index of a group is its code in the vectorised functions.
GROUPS = ("male", "female_55", "female_50")
MALE, FEMALE_55, FEMALE_50 = range(3)
SEXES = ("male", "female")
# the CLI's and API's categories: a worker or cadre (the 55 group for women), or a woman
# worker under the old 50 rule
CATEGORIES = ("worker", "cadre", "female-worker-50")

MAX_MONTHS = 12 * 80  # a contribution record longer than 80 years is refused
MAX_INDEX = Fraction(10)  # a contribution index (own wage ÷ average wage) above 10 is refused
MAX_ACCOUNT_FEN = money.MAX_BALANCE_FEN


def group_of(sex: str, category: str) -> int:
    """The retirement group of a person (errors name the field)."""
    if sex not in SEXES:
        raise invalid("sex", "sex", "性别应为male或female", "sex must be male or female")
    if category not in CATEGORIES:
        raise invalid(
            "category",
            "category",
            "类别应为 worker、cadre 或 female-worker-50",
            "category must be worker, cadre or female-worker-50",
        )
    if sex == "male":
        if category == "female-worker-50":
            raise invalid(
                "category",
                "category_sex",
                "female-worker-50 只适用于女性",
                "female-worker-50 applies to women only",
            )
        return MALE
    return FEMALE_50 if category == "female-worker-50" else FEMALE_55


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class PensionParams:
    """The pension figures of one date in one region, each with where it came from."""

    infos: dict[str, ValueInfo]

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> PensionParams:
        cached = snap.__dict__.get("_pension_params")
        if isinstance(cached, PensionParams):
            return cached
        made = cls({p: snap.info(p) for p in _paths(snap)})
        snap.__dict__["_pension_params"] = made
        return made

    def info(self, path: str) -> ValueInfo:
        found = self.infos.get(path)
        if found is None:
            raise invalid(
                path,
                "not_in_force",
                f"参数{path}在该日期尚未生效",
                f"the parameter {path} is not in force on that date",
            )
        return found

    def int_(self, path: str) -> int:
        value = self.info(path).value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return int(value)

    def ratio(self, path: str) -> Fraction:
        value = self.info(path).value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return Fraction(value)

    def flag(self, path: str) -> bool:
        value = self.info(path).value
        assert isinstance(value, bool), path
        return value

    def codes(self, path: str) -> tuple[str, ...]:
        value = self.info(path).value
        assert isinstance(value, str | tuple), path
        return tuple(value.split()) if isinstance(value, str) else tuple(value)

    def tiers(self) -> list[tuple[int, int]]:
        """The resident scheme's (yearly contribution, yearly subsidy) tiers, in order."""
        names = sorted(
            p.rsplit(".", 1)[1]
            for p in self.infos
            if p.startswith("pensions.resident.tier_amounts.")
        )
        return [
            (
                self.int_(f"pensions.resident.tier_amounts.{n}"),
                self.int_(f"pensions.resident.tier_subsidies.{n}"),
            )
            for n in names
        ]


_ROOTS = (
    "pensions.retirement",
    "pensions.employee",
    "pensions.resident",
    "pensions.unemployment",
    "pensions.maternity",
    "pensions.certification",
    "pensions.rounding",
)
_ECONOMY = ("economy.minimum_wage_monthly", "economy.average_wage_yearly")


def _paths(snap: Snapshot) -> list[str]:
    """Every pension leaf already in force on the snapshot's date (a later reform's figures,
    such as the delay of retirement before 2024-09-13, are simply absent)."""
    leaves = [leaf for leaf in snap.tree.leaves() if leaf.path.startswith(_ROOTS + _ECONOMY)]
    return [leaf.path for leaf in leaves if leaf.first_date <= snap.date]


# --------------------------------------------------------------------------- explained amounts


@dataclass(frozen=True)
class Part:
    """One part of an amount, and every parameter it read (with date and source)."""

    name: str  # basic, long_contribution, account, transitional, ...
    zh: str
    amount: int  # fen
    formula: str  # in policy words, with the figures filled in
    parameters: tuple[ValueInfo, ...]


def round_fen(p: PensionParams, exact: Fraction) -> tuple[int, tuple[str, ...]]:
    """An exact amount in fen, rounded by the pension rounding parameters: to the fen or the
    yuan (``pensions.rounding.unit_fen``), half up or truncated (``…truncate``)."""
    unit = p.int_("pensions.rounding.unit_fen")
    truncate = p.flag("pensions.rounding.truncate")
    units = exact / unit
    whole = units.numerator // units.denominator
    if not truncate and (units - whole) * 2 >= 1:
        whole += 1
    return whole * unit, (
        "pensions.rounding.unit_fen",
        "pensions.rounding.truncate",
    )


def _part(
    p: PensionParams, name: str, zh: str, exact: Fraction, formula: str, paths: tuple[str, ...]
) -> Part:
    amount, rounding = round_fen(p, exact)
    used = tuple(dict.fromkeys(paths + rounding))
    return Part(name, zh, amount, formula, tuple(p.info(x) for x in used))


def _num(x: Fraction) -> str:
    """A ratio for a formula, as the decimal it was published as (0.01, 0.9)."""
    return str((Decimal(x.numerator) / Decimal(x.denominator)).normalize())


def _yuan(fen: int | Fraction) -> str:
    """An amount in yuan for a formula (an exact fraction shown to the fen)."""
    if isinstance(fen, Fraction):
        return f"{Decimal(fen.numerator) / Decimal(fen.denominator) / 100:.2f}"
    return money.to_str(fen)


# --------------------------------------------------------------------------- retirement age

_R = "pensions.retirement"


def _group_figures(p: PensionParams) -> tuple[I64, I64, I64, int, tuple[str, ...]]:
    """Original age, delay step and maximum delay per group (months), the first year of the
    delay, and the parameter paths; before the 2024 decision the delay is zero."""
    original = np.array([p.int_(f"{_R}.original_age_months.{g}") for g in GROUPS], np.int64)
    paths = tuple(f"{_R}.original_age_months.{g}" for g in GROUPS)
    if f"{_R}.delay.first_year" not in p.infos:
        zeros = np.zeros(len(GROUPS), np.int64)
        return original, np.ones(len(GROUPS), np.int64), zeros, 0, paths
    step = np.array([p.int_(f"{_R}.delay.step_months.{g}") for g in GROUPS], np.int64)
    most = np.array([p.int_(f"{_R}.delay.max_months.{g}") for g in GROUPS], np.int64)
    paths += (f"{_R}.delay.first_year",)
    paths += tuple(f"{_R}.delay.{k}.{g}" for k in ("step_months", "max_months") for g in GROUPS)
    return original, step, most, p.int_(f"{_R}.delay.first_year"), paths


def retirement_index(p: PensionParams, birth: I64, group: I64) -> I64:
    """The statutory retirement month (month index) of people born in month ``birth``.

    The original age of the group, plus the delay of the 2024 decision: a person who reaches
    the original age in January of ``first_year`` or later retires one month later for each
    started ``step_months`` of birth months after the first delayed cohort, up to
    ``max_months``. Monotone in the birth month (a later birth never retires earlier)."""
    original, step, most, first_year, _ = _group_figures(p)
    o, s, m = original[group], step[group], most[group]
    reached = birth + o  # the month the original age is reached
    k = reached - month_index(first_year, 1) if first_year else np.full_like(birth, -1)
    delay = np.where(k >= 0, np.minimum(k // s + 1, m), 0)
    return reached + delay


def minimum_contribution_months(p: PensionParams, retirement: I64) -> I64:
    """The employee scheme's minimum contribution months for retiring in month ``retirement``:
    15 years, rising by ``rise_months_per_year`` each year from ``rise_from_year`` to the
    maximum."""
    base = p.int_(f"{_R}.minimum_contribution.base_months")
    if f"{_R}.minimum_contribution.rise_from_year" not in p.infos:
        return np.full_like(retirement, base)
    start = p.int_(f"{_R}.minimum_contribution.rise_from_year")
    step = p.int_(f"{_R}.minimum_contribution.rise_months_per_year")
    top = p.int_(f"{_R}.minimum_contribution.maximum_months")
    years: I64 = np.maximum(0, retirement // 12 - start + 1)
    out: I64 = np.minimum(base + years * step, top)
    return out


@dataclass(frozen=True)
class Retirement:
    retirement_index: int
    age_months: int
    minimum_contribution_months: int
    parameters: tuple[ValueInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "retirement_date": month_text(self.retirement_index),
            "age": {"years": self.age_months // 12, "months": self.age_months % 12},
            "minimum_contribution_months": self.minimum_contribution_months,
            "parameters": [i.to_dict() for i in self.parameters],
        }


def retirement(p: PensionParams, birth: int, sex: str, category: str) -> Retirement:
    """The retirement date, age and minimum contribution months of one person, explained."""
    group = group_of(sex, category)
    at = int(retirement_index(p, np.array([birth], np.int64), np.array([group], np.int64))[0])
    minimum = int(minimum_contribution_months(p, np.array([at], np.int64))[0])
    paths = _group_figures(p)[4]
    paths += tuple(x for x in p.infos if x.startswith(f"{_R}.minimum_contribution."))
    return Retirement(at, at - birth, minimum, tuple(p.info(x) for x in paths))


# --------------------------------------------------------------------------- pensions


def account_divisor(p: PensionParams, age_months: int) -> tuple[int, str]:
    """计发月数 for the retirement age: the 国发〔2005〕38号 table, by whole years of age
    (``divisor_months_by_whole_years``)."""
    years = age_months // 12
    path = f"pensions.employee.pension.account_divisor.age_{years}"
    if path not in p.infos:
        raise invalid(
            "retirement_age",
            "no_divisor",
            f"退休年龄{years}岁不在计发月数表内",
            f"a retirement age of {years} is outside the divisor table",
        )
    return p.int_(path), path


def resident_pension(p: PensionParams, account_fen: int, contribution_years: int) -> list[Part]:
    """城乡居民基本养老保险 monthly pension = basic pension (+ 长缴多得 for each year beyond
    the full years) + individual account ÷ 139."""
    r = "pensions.resident"
    basic = p.int_(f"{r}.basic_monthly")
    full = p.int_(f"{r}.full_years")
    parts = [
        _part(
            p,
            "basic",
            "基础养老金",
            Fraction(basic),
            f"{_yuan(basic)}（缴费满{full}年）",
            (f"{r}.basic_monthly", f"{r}.full_years"),
        )
    ]
    extra_years = max(0, contribution_years - full)
    if extra_years:
        per = p.int_(f"{r}.long_contribution_extra_monthly")
        parts.append(
            _part(
                p,
                "long_contribution",
                "长缴多得加发",
                Fraction(per * extra_years),
                f"{_yuan(per)} × ({contribution_years} − {full})",
                (f"{r}.long_contribution_extra_monthly", f"{r}.full_years"),
            )
        )
    divisor = p.int_(f"{r}.account_divisor")
    parts.append(
        _part(
            p,
            "account",
            "个人账户养老金",
            Fraction(account_fen, divisor),
            f"{_yuan(account_fen)} ÷ {divisor}",
            (f"{r}.account_divisor",),
        )
    )
    return parts


def employee_pension(
    p: PensionParams,
    account_fen: int,
    contribution_months: int,
    average_index: Fraction,
    retirement_age_months: int,
) -> list[Part]:
    """职工基本养老金 (国发〔2005〕38号): basic = (last year's average monthly wage + own indexed
    monthly wage) ÷ 2 × years × 1%, where own indexed wage = average wage × the person's
    average contribution index; account = balance ÷ the divisor of the retirement age; plus the
    regional transitional pension."""
    e = "pensions.employee.pension"
    avg = Fraction(p.int_("economy.average_wage_yearly"), 12)
    rate = p.ratio(f"{e}.basic_rate_per_year")
    basic = (avg + avg * average_index) / 2 * Fraction(contribution_months, 12) * rate
    parts = [
        _part(
            p,
            "basic",
            "基础养老金",
            basic,
            f"({_yuan(avg)} + {_yuan(avg)} × {float(average_index):.4f}) ÷ 2 × "
            f"{contribution_months}/12 × {_num(rate)}",
            ("economy.average_wage_yearly", f"{e}.basic_rate_per_year"),
        )
    ]
    divisor, dpath = account_divisor(p, retirement_age_months)
    parts.append(
        _part(
            p,
            "account",
            "个人账户养老金",
            Fraction(account_fen, divisor),
            f"{_yuan(account_fen)} ÷ {divisor}",
            (dpath, f"{e}.divisor_months_by_whole_years"),
        )
    )
    transitional = p.int_(f"{e}.transitional_monthly")  # shown even when zero: it was read
    parts.append(
        _part(
            p,
            "transitional",
            "过渡性养老金",
            Fraction(transitional),
            _yuan(transitional),
            (f"{e}.transitional_monthly",),
        )
    )
    return parts


def total(parts: list[Part]) -> int:
    return sum(x.amount for x in parts)


# --------------------------------------------------------------------------- accounts


def credit_interest(
    opening: I64, credited: I64, rate: Fraction, monthly: bool, opening_months: int = 12
) -> tuple[I64, I64]:
    """One year of interest on individual accounts (记账利率 ``rate`` of that year).

    The opening balance earns the rate for ``opening_months`` of 12 (all year, or until the
    month a pension starts); the year's credits earn it for the months they were in the
    account — monthly credits (employees) by the month-product method, on average 6.5 of 12
    months (13/24 of the rate), a yearly payment (residents) nothing in its first year. Each
    part is rounded half up to the fen, exactly. Returns (interest, closing); with
    non-negative inputs the closing balance is never below opening + credited."""
    num, den = rate.numerator, rate.denominator
    on_opening = (opening * num * opening_months * 2 + 12 * den) // (2 * 12 * den)
    if monthly:
        on_credits = (credited * num * 13 * 2 + 24 * den) // (2 * 24 * den)
    else:
        on_credits = np.zeros_like(credited)
    interest = on_opening + on_credits
    return interest, opening + credited + interest


# --------------------------------------------------------------------------- other benefits


def unemployment_benefit(p: PensionParams, contribution_years: int) -> list[Part]:
    """失业保险金 (条例 art. 17–18): the monthly amount, a share of the minimum wage, and the
    longest duration by years contributed (at least one year)."""
    u = "pensions.unemployment"
    least = p.int_(f"{u}.minimum_years")
    if contribution_years < least:
        raise invalid(
            "contribution_years",
            "too_few_years",
            f"累计缴费不满{least}年，不能领取失业保险金",
            f"fewer than {least} years contributed: no unemployment benefit",
        )
    band = (
        "under_5_years"
        if contribution_years < 5
        else "under_10_years"
        if contribution_years < 10
        else "from_10_years"
    )
    share = p.ratio(f"{u}.share_of_minimum_wage")
    wage = p.int_("economy.minimum_wage_monthly")
    months = p.int_(f"{u}.duration_months.{band}")
    amount = _part(
        p,
        "monthly",
        "失业保险金（月）",
        wage * share,
        f"{_yuan(wage)} × {_num(share)}",
        ("economy.minimum_wage_monthly", f"{u}.share_of_minimum_wage"),
    )
    duration = Part(
        "months",
        "最长领取月数",
        months,
        f"{contribution_years}年 → {months}个月",
        (p.info(f"{u}.minimum_years"), p.info(f"{u}.duration_months.{band}")),
    )
    return [amount, duration]


def maternity_allowance(
    p: PensionParams, employer_average_wage: int, difficult: bool = False, babies: int = 1
) -> list[Part]:
    """生育津贴, paid directly to the insured: the employer's average monthly contribution wage
    ÷ 30 × leave days (basic, difficult birth, each extra baby, the regional extension)."""
    m = "pensions.maternity"
    if not 1 <= babies <= 10:
        raise invalid("babies", "range", "婴儿数应为1—10", "babies must be 1–10")
    wage = money.bounded(employer_average_wage, "employer_average_wage", money.MAX_INCOME_FEN)
    days = p.int_(f"{m}.leave_days.basic") + p.int_(f"{m}.leave_days.regional_extra")
    paths = [f"{m}.leave_days.basic", f"{m}.leave_days.regional_extra"]
    if difficult:
        days += p.int_(f"{m}.leave_days.difficult_birth")
        paths.append(f"{m}.leave_days.difficult_birth")
    if babies > 1:
        days += (babies - 1) * p.int_(f"{m}.leave_days.per_extra_baby")
        paths.append(f"{m}.leave_days.per_extra_baby")
    per = p.int_(f"{m}.days_per_month")
    return [
        _part(
            p,
            "allowance",
            "生育津贴",
            Fraction(wage * days, per),
            f"{_yuan(wage)} ÷ {per} × {days}",
            (f"{m}.days_per_month", *paths),
        )
    ]
