"""Social-assistance rules for one person or request (POLICY.md §2), split from ``rules.py`` along
domain lines — pure and vectorised like it, every figure a parameter:

- 特困 (:func:`tekun`): no one obliged and able to support them, aged or minor or severely
  disabled, own income below the 特困 standard; paid the standard (≥ factor × 低保 standard,
  never below a local minimum) plus a care allowance by care level.
- Person benefits (:func:`person_benefits`): 残疾人两项补贴 (living subsidy for the disabled in
  低保/特困 households, nursing subsidy by grade), 高龄老人补贴 by age band, orphans' basic
  living allowance.
- 临时救助 (:func:`temporary_amount`): what was asked, up to the per-case cap and a number of
  months of the standard.

``minsheng.assistance.rules`` re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minsheng.assistance.figures import (
    I64,
    TEKUN_ELDERLY_AGE,
    TEKUN_MAX_GRADE,
    TEKUN_MINOR_AGE,
    TEMPORARY_CAP,
    TEMPORARY_MONTHS,
    AssistanceParams,
    Bools,
)

NO_DISABILITY = 0  # disability grade 0: none (grades run 1, the most severe, to 4)
PERSON_BENEFITS = ("disability_living", "disability_nursing", "elderly", "orphan")


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
    """特困: no supporter; aged ≥ ``age.elderly``, under ``age.minor`` or disability grade
    1..``max_disability_grade``; own income below the basic standard (max(⌈factor × 低保
    standard⌉, local minimum)) → the basic standard plus the care allowance of the care level."""
    t = p.t
    basic = t.tekun_standard[area]
    top = p.count(TEKUN_MAX_GRADE)
    qualifies = (
        (age >= p.count(TEKUN_ELDERLY_AGE))
        | (age < p.count(TEKUN_MINOR_AGE))
        | ((disability_grade > NO_DISABILITY) & (disability_grade <= top))
    )
    eligible = ~has_supporter & qualifies & (own_income < basic)
    care = t.care_allowance[care_level]
    return Tekun(
        eligible,
        np.where(eligible, basic, 0),
        np.where(eligible, care, 0),
        np.where(eligible, basic + care, 0),
    )


# ------------------------------------------------------------------------ person benefits

NURSING_GRADES = (1, 2)  # the grades with a nursing-subsidy parameter (…grade_1, …grade_2)
ELDERLY_BANDS = (100, 90, 80)  # the age bands of the elderly allowance (…age_100 …), highest first


def person_benefits(
    p: AssistanceParams,
    age: I64,
    disability_grade: I64,  # 0 = none
    poor_household: Bools,  # in a 低保 or 特困 household
    orphan: Bools,
) -> dict[str, I64]:
    """Monthly amounts of each person benefit, by kind (:data:`PERSON_BENEFITS`)."""
    disabled = disability_grade > NO_DISABILITY
    living = np.where(
        disabled & poor_household, p.fen("assistance.disability.living_subsidy_monthly"), 0
    )
    nursing = np.select(
        [disability_grade == g for g in NURSING_GRADES],
        [p.fen(f"assistance.disability.nursing_subsidy_monthly.grade_{g}") for g in NURSING_GRADES],
        0,
    )
    elderly = np.select(
        [age >= a for a in ELDERLY_BANDS],
        [p.fen(f"assistance.elderly_allowance_monthly.age_{a}") for a in ELDERLY_BANDS],
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
    by_standard = p.standard(area) * max(members, 1) * p.count(TEMPORARY_MONTHS)
    return max(0, min(requested, p.fen(TEMPORARY_CAP), by_standard))
