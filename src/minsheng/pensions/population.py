"""The pensions extension of the synthetic population: each person's contribution history —
which pension scheme (none, employee, resident), years contributed, and the resident tier or
the employee's contribution index — for the microsimulation (Parquet) and the demo seed.

Shapes in the ``pensions`` section of ``population/assumptions.yaml``. Draws only from the
extension's own random stream, so other programmes' columns are unchanged.

Columns added to ``persons``:

- ``pension_scheme``: 0 none, 1 职工基本养老保险, 2 城乡居民基本养老保险
- ``contribution_years``: whole years contributed so far
- ``pension_tier``: the resident tier's number (1–12, ``pensions.resident.tier_amounts``), 0
  for others
- ``contribution_index``: the employee's contribution base ÷ the average wage, in permille
  (1000 = the average), 0 for others
- ``pension_retired``: a retired employee drawing the employee pension (the generator's
  ``employee_retired``, which the Parquet sink does not keep)
- ``retirement_group``: the retirement group of :mod:`minsheng.pensions.rules` (0 men, 1 the
  women's 55 group — who retired under the old 50 rule is not drawn)
- ``pension_statuses``: the household's statuses that make the government pay the premium, as
  bits (:data:`STATUS_BITS`: 1 低保, 2 特困, 4 返贫致贫); severe disability is the ``grade``
- ``pension_account``: the individual account balance so far (fen) — a synthetic shape, not
  a replay: residents' years × (their tier + its subsidy), employees' years × the average wage
  × their index × the individual rate, with the tier table, wage and rate in force on the
  partition's day (no interest; ``pensions.resident.tier_*``, ``economy.average_wage_yearly``,
  ``pensions.employee.contribution.individual_rate``)
"""

from __future__ import annotations

import numpy as np

from minsheng.pensions.rules import FEMALE_55, MALE, PensionParams
from minsheng.policy import load
from minsheng.population import Extension, register
from minsheng.population.generator import Partition, assumptions

NONE, EMPLOYEE, RESIDENT = 0, 1, 2
STATUS_BITS = {"dibao": 1, "tekun": 2, "poverty_return": 4}
SCHEME_START_YEAR = 2014  # 国发〔2014〕8号: the unified resident scheme


def contribution_history(part: Partition, rng: np.random.Generator) -> None:
    a = assumptions()["pensions"]
    ps = part.persons
    age, scheme, works = ps["age"], ps["scheme"], ps["works"]
    n = len(age)
    adult = age >= 16
    employee = (
        adult
        & ((scheme == 0) | (scheme == 1) | ps["employee_retired"])
        & (works | ps["employee_retired"])
    )
    student = (age >= 16) & (age <= 22) & (rng.random(n) < a["student_share_16_22"])
    resident = adult & ~employee & ~student & (rng.random(n) < a["resident_coverage"])
    which = np.where(employee, EMPLOYEE, np.where(resident, RESIDENT, NONE)).astype(np.int64)
    gap = 1 - a["years_gap_share"] * rng.random(n)
    possible_employee = np.clip(np.minimum(age, 60) - 18, 0, 42)
    possible_resident = np.clip(
        np.minimum(age - 16, part.today.year - SCHEME_START_YEAR + 1), 0, 15 + 30
    )
    years = np.where(
        which == EMPLOYEE,
        np.floor(possible_employee * gap),
        np.where(which == RESIDENT, np.floor(possible_resident * gap), 0),
    ).astype(np.int64)
    weights = np.asarray(a["tier_weights"], dtype=float)
    tiers = rng.choice(np.arange(1, len(weights) + 1), size=n, p=weights / weights.sum())
    index = np.rint(1000 * rng.lognormal(0.0, a["employee_index_sigma"], n)).astype(np.int64)
    ps["pension_scheme"] = which
    ps["contribution_years"] = years
    ps["pension_tier"] = np.where(which == RESIDENT, tiers, 0).astype(np.int64)
    ps["contribution_index"] = np.where(which == EMPLOYEE, np.clip(index, 600, 3000), 0)
    ps["pension_account"] = accounts(part, which, years, ps["pension_tier"])
    ps["pension_retired"] = (which == EMPLOYEE) & ps["employee_retired"]
    ps["retirement_group"] = np.where(ps["male"], MALE, FEMALE_55).astype(np.int64)
    h, hh = part.households, ps["household"]
    bits = sum(np.where(h[k][hh], b, 0) for k, b in STATUS_BITS.items())
    ps["pension_statuses"] = np.asarray(bits, dtype=np.int64)


def accounts(part: Partition, which: np.ndarray, years: np.ndarray, tier: np.ndarray) -> np.ndarray:
    """Each person's account balance so far (fen), from the region-wide figures of the day."""
    p = PensionParams.from_snapshot(load().at(part.today))
    tiers = p.tiers()
    yearly = np.array([0] + [a + s for a, s in tiers], dtype=np.int64)  # tier 0: none
    rate = p.ratio("pensions.employee.contribution.individual_rate")
    wage = p.int_("economy.average_wage_yearly")
    index = part.persons["contribution_index"]
    employee = years * wage * index * rate.numerator // (1000 * rate.denominator)
    resident = years * yearly[tier]
    out: np.ndarray = np.where(
        which == EMPLOYEE, employee, np.where(which == RESIDENT, resident, 0)
    ).astype(np.int64)
    return out


EXTENSION = register(Extension("pensions", contribution_history))
