"""Pension rules over numpy columns, pure: the same amounts as :func:`rules.resident_pension`,
:func:`rules.employee_pension` and the tier table, for millions of people at once (the
microsimulation). Each part is rounded once, exactly, by the rounding parameters, so a column
here equals the sum of the rules' parts person by person (``tests/pensions/test_microsim.py``
checks it on random people). Money is integer fen; contribution indexes are in permille.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from minsheng.pensions.rules import PensionParams, round_fen

I64 = np.ndarray[Any, np.dtype[np.int64]]

_R = "pensions.resident"
_E = "pensions.employee.pension"


def round_columns(p: PensionParams, numerator: I64, denominator: int) -> I64:
    """``numerator / denominator`` fen (non-negative) rounded as :func:`rules.round_fen` does:
    to ``pensions.rounding.unit_fen``, half up unless ``pensions.rounding.truncate``."""
    unit = p.int_("pensions.rounding.unit_fen")
    d = denominator * unit
    if p.flag("pensions.rounding.truncate"):
        out: I64 = (numerator // d) * unit
    else:
        out = ((2 * numerator + d) // (2 * d)) * unit
    return out


def tier_table(p: PensionParams) -> tuple[I64, I64]:
    """The resident tiers' yearly contributions and subsidies (fen), tier ``k`` at ``k - 1``."""
    tiers = p.tiers()
    return (
        np.array([a for a, _ in tiers], dtype=np.int64),
        np.array([s for _, s in tiers], dtype=np.int64),
    )


def resident_monthly(p: PensionParams, account: I64, years: I64) -> I64:
    """城乡居民 monthly pension per person: basic + 长缴多得 × years beyond the full years +
    account ÷ 139, each part rounded (as :func:`rules.resident_pension`)."""
    basic = round_fen(p, Fraction(p.int_(f"{_R}.basic_monthly")))[0]
    extra_years = np.maximum(0, years - p.int_(f"{_R}.full_years"))
    long = round_columns(p, extra_years * p.int_(f"{_R}.long_contribution_extra_monthly"), 1)
    on_account = round_columns(p, account, p.int_(f"{_R}.account_divisor"))
    out: I64 = basic + long + on_account
    return out


def divisors(p: PensionParams, age_months: I64) -> I64:
    """计发月数 per person by whole years of retirement age (the 国发〔2005〕38号 table); an age
    outside the table is an error, as in :func:`rules.account_divisor`."""
    prefix = f"{_E}.account_divisor.age_"
    table = {int(k.removeprefix(prefix)): p.int_(k) for k in p.infos if k.startswith(prefix)}
    lo, hi = min(table), max(table)
    lookup = np.array([table.get(a, 0) for a in range(lo, hi + 1)], dtype=np.int64)
    years = age_months // 12
    if len(years) and (years.min() < lo or years.max() > hi):
        raise ValueError(f"retirement ages outside the divisor table {lo}–{hi}")
    out: I64 = lookup[years - lo]
    return out


def employee_monthly(
    p: PensionParams, account: I64, months: I64, index_permille: I64, age_months: I64
) -> I64:
    """职工 monthly pension per person (as :func:`rules.employee_pension`): basic = (average
    monthly wage + average × index) ÷ 2 × months/12 × 1%, account ÷ the divisor of the
    retirement age, plus the transitional pension; each part rounded."""
    avg = p.int_("economy.average_wage_yearly")
    rate = p.ratio(f"{_E}.basic_rate_per_year")
    # avg/12 × (1 + i/1000) / 2 × m/12 × rate  =  avg (1000 + i) m num / (12·1000·2·12·den)
    num = avg * (1000 + index_permille) * months * rate.numerator
    basic = round_columns(p, num, 12 * 1000 * 2 * 12 * rate.denominator)
    div = divisors(p, age_months)
    unit = p.int_("pensions.rounding.unit_fen")
    if p.flag("pensions.rounding.truncate"):
        on_account = (account // (div * unit)) * unit
    else:
        on_account = ((2 * account + div * unit) // (2 * div * unit)) * unit
    transitional = round_fen(p, Fraction(p.int_(f"{_E}.transitional_monthly")))[0]
    out: I64 = basic + on_account + transitional
    return out
