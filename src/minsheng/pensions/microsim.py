"""Pensions in the microsimulation: per household and year (fen), with the live rules and the
parameters in force on ``as_of`` in each household's prefecture.

Outputs:

- ``resident_pension`` — 城乡居民基本养老金 of every resident-scheme member at or above
  ``pensions.resident.claim_age`` (:func:`columns.resident_monthly` × 12);
- ``employee_pension`` — 职工基本养老金 of every retired employee
  (:func:`columns.employee_monthly` × 12; retirement at the group's original age: men 60,
  women the 55 group — the population does not say who retired under the old 50 rule);
- ``government_paid_premiums`` — 政府代缴: the government-paid tier's contribution for each
  contributing resident (16 to the claim age) whose household is on one of
  ``pensions.resident.government_paid.statuses`` (低保, 特困, 返贫致贫) or who is severely
  disabled (grade up to ``severe_disability_max_grade``);
- ``tier_subsidies`` — 缴费补贴 (多缴多得) of every contributing resident at their tier (the
  government-paid tier for those the government pays for).

The population's pensions columns come from the pensions extension
(:mod:`minsheng.pensions.population`); a population written before it was registered gets
them here, from the extension's own random stream, so the figures are the same either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.pensions import columns
from minsheng.pensions.population import (
    EMPLOYEE,
    RESIDENT,
    STATUS_BITS,
    contribution_history,
)
from minsheng.pensions.rules import GROUPS, PensionParams
from minsheng.policy import ParameterTree
from minsheng.population.extensions import stream
from minsheng.population.generator import Partition, generate
from minsheng.programmes import Columns

I64 = npt.NDArray[np.int64]
OUTPUTS = (
    "resident_pension",  # 城乡居民基本养老金
    "employee_pension",  # 职工基本养老金
    "government_paid_premiums",  # 政府代缴
    "tier_subsidies",  # 缴费补贴
)
COLUMNS = (
    "pension_scheme",
    "contribution_years",
    "pension_tier",
    "contribution_index",
    "pension_account",
    "pension_retired",
    "retirement_group",
    "pension_statuses",
)


def _persons(part: Columns) -> Mapping[str, Any]:
    """The persons' columns with the pensions extension's. A population written before the
    extension was registered lacks them: its partition is generated again (the generator is
    deterministic by seed and partition, and the ids must match) and the extension run on it
    from its own stream — the columns ``minsheng sim population`` would have written."""
    ps = part.persons
    if all(c in ps for c in COLUMNS):
        return ps
    if not isinstance(part, Partition):
        raise ValueError(f"the population lacks the pensions columns {COLUMNS}")
    h = part.households
    again = generate(
        len(ps["person_id"]),
        part.seed,
        part.index,
        part.today,
        int(h["household_id"][0]) if len(h["household_id"]) else 0,
        int(ps["person_id"][0]) if len(ps["person_id"]) else 0,
    )
    if not np.array_equal(again.persons["person_id"], ps["person_id"]) or not np.array_equal(
        again.persons["age"], ps["age"]
    ):
        raise ValueError("the population's partition is not the generator's: regenerate it")
    contribution_history(again, stream(part.seed, part.index, "pensions"))
    return {**ps, **{c: again.persons[c] for c in COLUMNS}}


def _sum(index: I64, values: I64, n: int) -> I64:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, values.astype(np.int64))
    return out


def government_paid(p: PensionParams, ps: Mapping[str, Any], sel: I64) -> npt.NDArray[np.bool_]:
    """Whether each person of ``sel`` is one the government pays for (bool column): a status
    of ``pensions.resident.government_paid.statuses`` (disability: up to the severe grade)."""
    g = "pensions.resident.government_paid"
    out = np.zeros(len(sel), dtype=np.bool_)
    for code in p.codes(f"{g}.statuses"):
        if code == "disability":
            grade = ps["grade"][sel]
            out |= (grade >= 1) & (grade <= p.int_(f"{g}.severe_disability_max_grade"))
        elif code in STATUS_BITS:
            out |= (ps["pension_statuses"][sel] & STATUS_BITS[code]) != 0
    return out


def simulate(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Yearly pensions, government-paid premiums and tier subsidies per household (fen)."""
    h = part.households
    ps = _persons(part)
    n_h = len(h["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in OUTPUTS}
    pref_of_person = np.asarray(h["prefecture"])[ps["household"]]
    for region in np.unique(h["prefecture"]):
        p = PensionParams.from_snapshot(tree.at(as_of, str(region)))
        here = pref_of_person == region
        scheme, age = ps["pension_scheme"], ps["age"]
        claim_age = p.int_("pensions.resident.claim_age")
        # 城乡居民: claimants
        sel = np.nonzero(here & (scheme == RESIDENT) & (age >= claim_age))[0]
        monthly = columns.resident_monthly(
            p, ps["pension_account"][sel], ps["contribution_years"][sel]
        )
        out["resident_pension"] += _sum(ps["household"][sel], monthly * 12, n_h)
        # 职工: retirees
        sel = np.nonzero(here & (scheme == EMPLOYEE) & ps["pension_retired"])[0]
        original = np.array(
            [p.int_(f"pensions.retirement.original_age_months.{g}") for g in GROUPS], np.int64
        )
        retire_age = original[ps["retirement_group"][sel]]
        monthly = columns.employee_monthly(
            p,
            ps["pension_account"][sel],
            ps["contribution_years"][sel] * 12,
            ps["contribution_index"][sel],
            retire_age,
        )
        out["employee_pension"] += _sum(ps["household"][sel], monthly * 12, n_h)
        # 城乡居民: contributors (16 to the claim age), government-paid or at their own tier
        minimum = p.int_("pensions.resident.minimum_age")
        sel = np.nonzero(here & (scheme == RESIDENT) & (age >= minimum) & (age < claim_age))[0]
        amounts, subsidies = columns.tier_table(p)
        gov_tier = p.int_("pensions.resident.government_paid.tier")
        paid = government_paid(p, ps, sel)
        tier = np.where(paid, gov_tier, ps["pension_tier"][sel]) - 1
        owner = ps["household"][sel]
        out["government_paid_premiums"] += _sum(owner, np.where(paid, amounts[tier], 0), n_h)
        out["tier_subsidies"] += _sum(owner, subsidies[tier], n_h)
    return out
