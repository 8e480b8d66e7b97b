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
"""

from __future__ import annotations

import numpy as np

from minsheng.population import Extension, register
from minsheng.population.generator import Partition, assumptions

NONE, EMPLOYEE, RESIDENT = 0, 1, 2
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


EXTENSION = register(Extension("pensions", contribution_history))
