"""The microsimulation's population: the shared generator (``minsheng.population``) written as
Parquet partitions by household, plus the two programmes' columns the model reads.

The people, households, schemes and special groups come from ``minsheng.population`` (calibrated
to the 2020 census, the enrolment rates and POLICY.md §2's 低保 shares; every shape in
``population/assumptions.yaml``). This module registers two extensions of it (see
``minsheng.population.extensions``):

- ``assistance`` — monthly counted income per person and assets per household. A household the
  generator drew on 低保 gets an income below its prefecture's own standard (as the rules read
  it), one drawn on the edge an income between the standard and the edge line; the others are
  lifted above the edge line if their draws fell under it. So the rules find the published
  shares (≈4% urban, ≈7% rural) eligible.
- ``medical`` — one year of medical bills per insured person (``bills`` table), each with the
  person's facts the person-dependent ratios and caps read, as the window supplies them: age,
  years of continuous enrolment, zero-claim years (``medical/person_facts.py``).

Deterministic: partition ``k`` of seed ``S`` is drawn from ``default_rng([S, k])`` and each
extension from its own stream. Layout of a population directory: ``population/parquet.py``.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng import programmes
from minsheng.assistance import rules as arules
from minsheng.policy import load
from minsheng.population import Extension, Partition, assumptions, parquet, register
from minsheng.population.parquet import iter_partitions, meta

I64 = npt.NDArray[np.int64]
TABLES = ("households", "persons", "bills")
__all__ = ["TABLES", "Partition", "generate", "iter_partitions", "meta", "read", "write"]


def _share(rng: np.random.Generator, lo: I64, hi: I64) -> I64:
    """An integer uniformly in [lo, hi) per row (hi > lo)."""
    return lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)


def _permille(rng: np.random.Generator, bounds: list[float], n: int) -> I64:
    """Shares drawn uniformly between ``bounds``, in whole thousandths."""
    lo, hi = (int(Fraction(str(b)) * 1000) for b in bounds)
    return rng.integers(lo, hi + 1, n).astype(np.int64)


def _lines(prefs: list[str], day: dt.date) -> tuple[I64, I64]:
    """Each prefecture's 低保 standard and edge line per person and month (fen), [urban, rural]."""
    std = np.zeros((len(prefs), 2), dtype=np.int64)
    edge = np.zeros((len(prefs), 2), dtype=np.int64)
    for i, code in enumerate(prefs):
        p = arules.AssistanceParams.from_snapshot(load().at(day, code))
        f = p.ratio("assistance.dibao_edge.income_factor")
        std[i] = p.standards()
        edge[i] = p.standards() * f.numerator // f.denominator
    return std, edge


def assistance_columns(part: Partition, rng: np.random.Generator) -> None:
    """Income (persons, households) and assets (households), calibrated to the 低保 groups."""
    sim = assumptions()["simulation"]
    h, ps = part.households, part.persons
    hh, age, size, area = ps["household"], ps["age"], h["members"], h["area"]
    n_p, n_h = len(hh), len(size)
    first = part.heads()
    urban = area[hh] == 0
    # monthly counted income, drawn in yuan and held as integer fen from here on
    wage = rng.lognormal(
        np.log(np.where(urban, sim["wage_median_yuan"]["urban"], sim["wage_median_yuan"]["rural"])),
        sim["wage_sigma"],
    )
    pm, psg = sim["pension_median_yuan"], sim["pension_sigma"]
    pension = np.where(
        ps["employee_retired"],
        rng.lognormal(np.log(pm["employee_retired"]), psg["employee_retired"], n_p),
        rng.lognormal(np.log(pm["resident"]), psg["resident"], n_p),
    )
    income = (np.where(ps["works"], wage, 0) + np.where(age >= 60, pension, 0)) * 100
    income = income.astype(np.int64)
    prefs, pref_idx = np.unique(h["prefecture"], return_inverse=True)
    std_t, edge_t = _lines([str(p) for p in prefs], part.today)
    std, edge_line = std_t[pref_idx, area] * size, edge_t[pref_idx, area] * size
    below, edge = h["dibao"], h["dibao_edge"]
    lo, hi = (Fraction(str(x)) for x in sim["below_standard_share"])
    target = np.where(
        below,
        _share(rng, std * lo.numerator // lo.denominator, std * hi.numerator // hi.denominator + 1),
        _share(rng, std, np.maximum(edge_line, std + 1)),
    )
    household_income = arules.group_sum(hh, income, n_h)
    placed = below | edge
    # the others are not poor: one whose draws fell below the edge line is lifted above it, so
    # the shares below the lines are the published ones
    lifted = ~placed & (household_income < edge_line)
    target = np.where(lifted, _share(rng, edge_line, 2 * edge_line + 1), target)
    adjust = placed | lifted
    scaled = income * target[hh] // np.maximum(household_income[hh], 1)  # integer, exact
    income = np.where(adjust[hh], scaled, income)
    # the head takes what rounding (or a household with no income at all) left over
    income[first] += np.where(adjust, target - arules.group_sum(hh, income, n_h), 0)
    ay = sim["assets_yuan"]
    assets = np.where(
        placed,
        rng.integers(0, ay["low_income_max"] * 100, n_h),
        (rng.lognormal(np.log(ay["median"]), ay["sigma"], n_h) * 100).astype(np.int64),
    )
    h["income"] = arules.group_sum(hh, income, n_h)
    h["assets"] = assets.astype(np.int64)
    ps["income"] = income


def medical_bills(part: Partition, rng: np.random.Generator) -> None:
    """One year of bills per insured person: outpatient visits, then admissions."""
    sim = assumptions()["simulation"]
    ps = part.persons
    insured, age, scheme, group = ps["scheme"] >= 0, ps["age"], ps["scheme"], ps["group"]
    n_p = len(age)
    n_op = np.where(insured, rng.poisson(sim["outpatient_visits"], n_p), 0)
    adm = sim["admissions"]
    n_ip = np.where(insured, rng.poisson(np.where(age >= 60, adm["from_60"], adm["under_60"])), 0)
    person = np.repeat(np.arange(n_p, dtype=np.int64), n_op + n_ip)
    nb = len(person)
    idx = np.arange(nb, dtype=np.int64)
    is_start = np.r_[True, person[1:] != person[:-1]] if nb else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(is_start, idx, 0)) if nb else idx
    inpatient = (idx - start) >= n_op[person]
    ip = inpatient.astype(np.int64)
    before = np.cumsum(ip) - ip
    later = inpatient & ((before - before[start]) > 0)  # not the first admission of the year
    mu, sg = sim["bill_log_mean_yuan"], sim["bill_log_sigma"]
    policy = np.where(
        inpatient,
        rng.lognormal(mu["inpatient"], sg["inpatient"], nb),
        rng.lognormal(mu["outpatient"], sg["outpatient"], nb),
    )
    policy = (policy * 100).astype(np.int64)
    full_self = policy * _permille(rng, sim["full_self_share"], nb) // 1000
    self_first = policy * _permille(rng, sim["self_first_share"], nb) // 1000
    levels = sim["level_weights"]
    sch = scheme[person]
    part.data["bills"] = {
        "person": person,
        "scheme": sch,
        "visit": ip,
        "level": rng.choice(
            np.array(list(levels), dtype=np.int64), size=nb, p=list(levels.values())
        ),
        "area": np.where(
            rng.random(nb) < sim["out_of_area_share"], rng.integers(1, 3, nb), 0
        ).astype(np.int64),
        "total": policy + full_self + self_first,
        "full_self": full_self,
        "over_limit": np.zeros(nb, dtype=np.int64),
        "self_first": self_first,
        "policy": policy,
        "later_admission": later,
        "special": np.isin(group[person], (1, 2, 4)) & (sch == 2),
        "group": group[person],
        "border": ps["border"][person],
        "major_disease": inpatient & (rng.random(nb) < sim["major_disease_share"]),
        "account_balance": np.where(sch < 2, sim["employee_account_yuan"] * 100, 0).astype(
            np.int64
        ),
        **person_facts(rng, age, person),
    }


def person_facts(
    rng: np.random.Generator, age: I64, person: I64
) -> dict[str, npt.NDArray[np.int16]]:
    """Each bill's person facts (drawn per person, after every other draw of the stream, so the
    bills themselves are those of before): the age, the years of continuous enrolment before
    this one and the zero-claim years up to last year among them (``assumptions.yaml``)."""
    sim = assumptions()["simulation"]
    top = np.minimum(age, sim["enrolment_years_max"])
    enrolled = rng.integers(0, top + 1).astype(np.int64)
    run = rng.geometric(1 - sim["zero_claim_year_share"], len(age)).astype(np.int64) - 1
    facts = {  # small numbers: int16 on disk (read back as int64 where a term reads them)
        "age": age[person],
        "enrolled_years": enrolled[person],
        "zero_claim_years": np.minimum(run, enrolled)[person],
    }
    return {k: v.astype(np.int16) for k, v in facts.items()}


register(Extension("assistance", assistance_columns))
register(Extension("medical", medical_bills))


def programme_extensions() -> None:
    """Load every microsimulated programme's module (by its reference on the seam), so the
    population extensions they register (pensions' contribution histories) are written."""
    for p in programmes.microsimulated():
        assert p.microsim is not None
        programmes.resolve(p.microsim)


def write(out: Path, people: int, seed: int, year: int, *args: Any, **kw: Any) -> dict[str, Any]:
    """``population.parquet.write`` with every programme's extension registered."""
    programme_extensions()
    return parquet.write(out, people, seed, year, *args, **kw)


def generate(
    people: int, seed: int, index: int, year: int, first_household: int, first_person: int
) -> Partition:
    """One partition of exactly ``people`` persons with every registered programme's columns
    (all amounts integer fen), as ``write`` writes it."""
    programme_extensions()
    return parquet.partition(people, seed, index, year, first_household, first_person)


def read(directory: Path, k: int) -> Partition:
    return parquet.read(directory, k)
