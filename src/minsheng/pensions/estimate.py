"""A pension estimate from a contribution history (``minsheng pensions estimate FILE``, the
citizen's "if I keep paying" page): the individual account year by year, then the monthly
pension with its parts, every figure named. The file format is in ``docs/pensions.md``.

Pure: parameters in, numbers out (core and policy only). Each year's account is credited with
the 记账利率 in force on 1 January of that year (a year not yet announced uses the latest
published rate, whose date the explanation shows).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np

from minsheng.core import money
from minsheng.core.errors import invalid
from minsheng.pensions import rules
from minsheng.pensions.rules import Part, PensionParams
from minsheng.policy import ParameterTree, ValueInfo

SCHEMES = ("employee", "resident")
MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
MAX_YEARS = 80
FIRST_YEAR = 1950


@dataclass(frozen=True)
class Year:
    """One year of the account: what was credited, the interest, the closing balance."""

    year: int
    months: int
    credited: int  # fen: own contributions (employee 8 %) or contribution + subsidy (resident)
    subsidy: int
    interest: int
    closing: int
    index: Fraction | None  # employee: own base ÷ average wage of that year
    rate: ValueInfo


@dataclass
class Estimate:
    scheme: str
    retirement_index: int
    age_months: int
    contribution_months: int
    minimum_months: int
    years: list[Year] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def monthly(self) -> int:
        return rules.total(self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "retirement_date": rules.month_text(self.retirement_index),
            "age": {"years": self.age_months // 12, "months": self.age_months % 12},
            "contribution_months": self.contribution_months,
            "minimum_contribution_months": self.minimum_months,
            "account_balance": money.to_str(self.years[-1].closing if self.years else 0),
            "monthly_pension": money.to_str(self.monthly),
            "parts": [
                {
                    "name": p.name,
                    "zh": p.zh,
                    "amount": money.to_str(p.amount),
                    "formula": p.formula,
                    "parameters": [i.to_dict() for i in p.parameters],
                }
                for p in self.parts
            ],
            "account": [
                {
                    "year": y.year,
                    "months": y.months,
                    "credited": money.to_str(y.credited),
                    "subsidy": money.to_str(y.subsidy),
                    "interest": money.to_str(y.interest),
                    "closing": money.to_str(y.closing),
                    "index": None if y.index is None else f"{float(y.index):.4f}",
                    "rate": {"value": str(y.rate.value), "start": y.rate.start.isoformat()},
                }
                for y in self.years
            ],
        }


def month_of(raw: Any, name: str) -> int:
    m = MONTH.fullmatch(raw) if isinstance(raw, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise invalid(name, "month", f"{name}应为YYYY-MM", f"{name} must be YYYY-MM")
    return rules.month_index(int(m.group(1)), int(m.group(2)))


def date_of(raw: Any, name: str) -> dt.date:
    try:
        return (
            dt.date.fromisoformat(raw)
            if isinstance(raw, str) and len(raw) == 10
            else _bad_date(name)
        )
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> dt.date:
    raise invalid(name, "date", f"{name}应为YYYY-MM-DD", f"{name} must be YYYY-MM-DD")


def _amount(raw: Any, name: str, maximum: int = money.MAX_INCOME_FEN) -> int:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise invalid(name, "amount", f"{name}应为金额（元）", f"{name} must be an amount in yuan")
    fen = money.parse(str(raw), name)
    if fen < 0:
        raise invalid(name, "negative", f"{name}不能为负数", f"{name} cannot be negative")
    return money.bounded(fen, name, maximum)


def _int(raw: Any, name: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise invalid(
            name,
            "range",
            f"{name}应为{low}—{high}的整数",
            f"{name} must be a whole number {low}–{high}",
        )
    return raw


def _ratio(raw: Any, name: str) -> Fraction:
    try:
        value = Fraction(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        raise invalid(name, "number", f"{name}应为数字", f"{name} must be a number") from None
    if isinstance(raw, bool) or not 0 <= value <= rules.MAX_INDEX:
        raise invalid(name, "range", f"{name}应在0—10之间", f"{name} must be within 0–10")
    return value


def estimate(tree: ParameterTree, data: Any, region: str | None = None) -> Estimate:
    """The estimate for one contribution history (the parsed JSON file)."""
    if not isinstance(data, dict):
        raise invalid("file", "object", "文件应为JSON对象", "the file must hold a JSON object")
    scheme = data.get("scheme")
    if scheme not in SCHEMES:
        raise invalid(
            "scheme",
            "scheme",
            "scheme应为employee或resident",
            "scheme must be employee or resident",
        )
    birth = month_of(data.get("birth"), "birth")
    sex, category = data.get("sex"), data.get("category", "worker")
    today = dt.date.today()
    if birth > rules.month_index(today.year, today.month):
        raise invalid(
            "birth", "future", "出生月份不能晚于本月", "the birth month cannot be in the future"
        )
    history = data.get("history")
    if not isinstance(history, list) or not 1 <= len(history) <= MAX_YEARS:
        raise invalid("history", "list", "history应为1—80个年度", "history must list 1–80 years")
    opening = _amount(data.get("opening_balance", "0"), "opening_balance", rules.MAX_ACCOUNT_FEN)
    now = tree.at(today, region)
    p = PensionParams.from_snapshot(now)
    if scheme == "employee":
        ret = rules.retirement(p, birth, str(sex), str(category))
        retire_at, age = ret.retirement_index, ret.age_months
    else:
        rules.group_of(str(sex), str(category))  # checks the fields
        age = p.int_("pensions.resident.claim_age") * 12
        retire_at = birth + age
    est = Estimate(scheme, retire_at, age, 0, 0)
    entries = _entries(tree, p, history, scheme, birth, retire_at, today, region)
    balance = opening
    indexes: list[tuple[Fraction, int]] = []
    claim_year, claim_month = divmod(retire_at, 12)
    for year in range(min(entries), claim_year + 1):
        yp, credited, subsidy, months, index = entries.get(
            year, (_year_params(tree, p, year, today, region), 0, 0, 0, None)
        )
        path = f"pensions.{scheme}.{'pension.' if scheme == 'employee' else ''}interest_rate"
        last = year == claim_year  # interest until the pension starts; that year's credits none
        interest, closing = rules.credit_interest(
            np.array([balance], np.int64),
            np.array([credited], np.int64),
            yp.ratio(path),
            monthly=scheme == "employee" and not last,
            opening_months=claim_month if last else 12,
        )
        balance = money.bounded(int(closing[0]), "account_balance", rules.MAX_ACCOUNT_FEN)
        est.years.append(
            Year(year, months, credited, subsidy, int(interest[0]), balance, index, yp.info(path))
        )
        est.contribution_months += months
        if index is not None:
            indexes.append((index, months))
    if scheme == "employee":
        est.minimum_months = rules.retirement(
            p, birth, str(sex), str(category)
        ).minimum_contribution_months
        if est.contribution_months < est.minimum_months:
            raise invalid(
                "history",
                "too_few_months",
                f"累计缴费{est.contribution_months}个月，不足最低缴费年限{est.minimum_months}个月",
                f"{est.contribution_months} months contributed, "
                f"fewer than the minimum {est.minimum_months}",
            )
        weight = sum(m for _, m in indexes)
        average = sum((x * m for x, m in indexes), Fraction(0)) / weight if weight else Fraction(0)
        est.parts = rules.employee_pension(p, balance, est.contribution_months, average, age)
    else:
        full = p.int_("pensions.resident.full_years")
        est.minimum_months = full * 12
        if est.contribution_months < est.minimum_months:
            raise invalid(
                "history",
                "too_few_years",
                f"累计缴费不足{full}年",
                f"fewer than {full} years contributed",
            )
        est.parts = rules.resident_pension(p, balance, est.contribution_months // 12)
    return est


def _year_params(
    tree: ParameterTree, p: PensionParams, year: int, today: dt.date, region: str | None
) -> PensionParams:
    """A past year's figures as in force at its end; this and future years: today's."""
    if year < today.year:
        return PensionParams.from_snapshot(tree.at(dt.date(year, 12, 31), region))
    return p


def _entries(
    tree: ParameterTree,
    p: PensionParams,
    history: list[Any],
    scheme: str,
    birth: int,
    retire_at: int,
    today: dt.date,
    region: str | None,
) -> dict[int, tuple[PensionParams, int, int, int, Fraction | None]]:
    """Every year of the history, checked: (that year's parameters, credited, subsidy, months,
    contribution index)."""
    out: dict[int, tuple[PensionParams, int, int, int, Fraction | None]] = {}
    for i, entry in enumerate(history):
        where = f"history[{i}]"
        if not isinstance(entry, dict):
            raise invalid(where, "object", f"{where}应为对象", f"{where} must be an object")
        year = _int(entry.get("year"), f"{where}.year", FIRST_YEAR, 2200)
        if year in out or (out and year < max(out)):
            raise invalid(
                f"{where}.year", "order", "年度应递增且不重复", "years must rise and not repeat"
            )
        if year * 12 + 11 < birth + 16 * 12:
            raise invalid(
                f"{where}.year", "too_young", "16周岁前不能缴费", "no contributions before age 16"
            )
        if year > retire_at // 12:
            raise invalid(
                f"{where}.year",
                "after_claim",
                f"{rules.month_text(retire_at)}起领取待遇，此后年度不再缴费",
                f"the pension starts {rules.month_text(retire_at)}: "
                "no contributions after that year",
            )
        yp = _year_params(tree, p, year, today, region)
        year_est = _employee_year if scheme == "employee" else _resident_year
        credited, subsidy, months, index = year_est(yp, entry, where)
        if scheme == "employee" and year == retire_at // 12 and months > retire_at % 12:
            raise invalid(
                f"{where}.months",
                "after_claim",
                f"{rules.month_text(retire_at)}起领取待遇，该年最多缴费{retire_at % 12}个月",
                f"the pension starts {rules.month_text(retire_at)}: at most {retire_at % 12} "
                "months that year",
            )
        out[year] = (yp, credited, subsidy, months, index)
    return out


def _employee_year(
    yp: PensionParams, entry: dict[str, Any], where: str
) -> tuple[int, int, int, Fraction | None]:
    """An employee year: ``months`` of contributions on a monthly ``base`` (clamped to the
    floor and ceiling of that year's average wage); 8 % goes to the account."""
    months = _int(entry.get("months", 12), f"{where}.months", 1, 12)
    if "index" in entry:
        index = _ratio(entry["index"], f"{where}.index")
        avg = Fraction(yp.int_("economy.average_wage_yearly"), 12)
        base_exact = avg * index
    else:
        base = _amount(entry.get("base"), f"{where}.base")
        if "average_wage" in entry:
            avg = Fraction(_amount(entry["average_wage"], f"{where}.average_wage"))
        else:
            avg = Fraction(yp.int_("economy.average_wage_yearly"), 12)
        if avg <= 0:
            raise invalid(
                f"{where}.average_wage",
                "positive",
                "平均工资应大于0",
                "the average wage must be positive",
            )
        c = "pensions.employee.contribution"
        low, high = (
            avg * yp.ratio(f"{c}.base_floor_share"),
            avg * yp.ratio(f"{c}.base_ceiling_share"),
        )
        base_exact = min(max(Fraction(base), low), high)
        index = base_exact / avg
    rate = yp.ratio("pensions.employee.contribution.individual_rate")
    if yp.flag("pensions.employee.contribution.round_monthly_then_sum"):
        credited = money.apply_ratio(round_half_up(base_exact), rate) * months
    else:
        credited = round_half_up(base_exact * rate * months)
    return credited, 0, months, index


def _resident_year(
    yp: PensionParams, entry: dict[str, Any], where: str
) -> tuple[int, int, int, Fraction | None]:
    """A resident year: the chosen tier's contribution (yuan per year) and its subsidy; a
    government-paid year (``"government_paid": true``) pays the parameters' tier."""
    tiers = yp.tiers()
    if not tiers:
        raise invalid(
            f"{where}.year",
            "not_in_force",
            "该年度没有城乡居民养老保险缴费档次（2014年2月起）",
            "no resident contribution tiers are in force in that year (from February 2014)",
        )
    if entry.get("government_paid") is True:
        paid, subsidy = tiers[yp.int_("pensions.resident.government_paid.tier") - 1]
    else:
        paid = _amount(entry.get("tier"), f"{where}.tier")
        found = [s for a, s in tiers if a == paid]
        if not found:
            allowed = "、".join(money.to_str(a) for a, _ in tiers)
            raise invalid(
                f"{where}.tier",
                "tier",
                f"缴费档次应为以下之一：{allowed}",
                f"the tier must be one of: {allowed}",
            )
        subsidy = found[0]
    return paid + subsidy, subsidy, 12, None


def round_half_up(x: Fraction) -> int:
    return (x.numerator * 2 + x.denominator) // (2 * x.denominator)


__all__ = ["Estimate", "Year", "estimate"]
