"""A synthetic population for microsimulation, written as Parquet partitions by household.

Calibrated to the published aggregates the demo uses (``demo/assumptions.yaml``: people by
prefecture from the 2020 census, the urban share, household sizes, scheme enrolment and insured
rate) and to POLICY.md §2's 低保 shares: a household is placed below the 低保 standard with the
probability of its area (and between the standard and the edge line with the edge rate), so the
share on 低保 comes out near the published one. One year of medical bills per insured person.
Deterministic: partition ``k`` of seed ``S`` is drawn from ``default_rng([S, k])``.

Layout of a population directory::

    meta.json                       people, households, seed, year, partitions, prefectures
    part-00000.parquet …            one file per partition, three tables stacked by ``table``
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from minsheng.assistance import rules as arules
from minsheng.demo.population import assumptions
from minsheng.policy import load

I64 = npt.NDArray[np.int64]
BORDER_PREFECTURES = ("540200", "540400", "540500", "542500")  # with border counties
TABLES = ("households", "persons", "bills")


@dataclass
class Partition:
    """Columns of one partition. Person ``household`` and bill ``person`` index rows of this
    partition (0-based); ``household_id`` / ``person_id`` are global."""

    households: dict[str, np.ndarray]
    persons: dict[str, np.ndarray]
    bills: dict[str, np.ndarray]

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return {"households": self.households, "persons": self.persons, "bills": self.bills}


def _sizes(rng: np.random.Generator, area: I64, a: dict[str, Any]) -> I64:
    out = np.empty(len(area), dtype=np.int64)
    for code, name in ((0, "urban"), (1, "rural")):
        dist = a["household_size"][name]
        k = np.array(list(dist), dtype=np.int64)
        p = np.array(list(dist.values()), dtype=float)
        mask = area == code
        out[mask] = rng.choice(k, size=int(mask.sum()), p=p / p.sum())
    return out


def generate(
    people: int, seed: int, index: int, year: int, first_household: int, first_person: int
) -> Partition:
    """One partition of about ``people`` persons."""
    a = assumptions()
    rng = np.random.default_rng([seed, index])
    prefs = list(k for k in a["prefecture_population"] if k != "source")
    weights = np.array([a["prefecture_population"][k] for k in prefs], dtype=float)
    n_h = max(1, int(people / 3.4) + 16)
    area = (rng.random(n_h) >= a["urban_share"]["value"]).astype(np.int64)  # 0 urban, 1 rural
    size = _sizes(rng, area, a)
    total = np.cumsum(size)
    cut = int(np.searchsorted(total, people))  # the household that reaches ``people``
    size[cut] -= int(total[cut] - people)  # exactly ``people``: the last household is trimmed
    area, size = area[: cut + 1], size[: cut + 1]
    n_h = len(size)
    prefecture = rng.choice(len(prefs), size=n_h, p=weights / weights.sum()).astype(np.int64)
    hh = np.repeat(np.arange(n_h, dtype=np.int64), size)
    n_p = len(hh)
    position = np.arange(n_p) - np.repeat(np.cumsum(size) - size, size)
    # Tibet's population is young (about 8.5% aged 60+ in the 2020 census): heads 22+, others
    # mostly children and young adults
    head_age = np.minimum(22 + rng.gamma(2.5, 9.0, n_h), 98).astype(np.int64)
    age = np.where(position == 0, head_age[hh], np.minimum(rng.gamma(2.0, 13.0, n_p), 98))
    age = age.astype(np.int64)
    adult = (age >= 18) & (age < 60)
    urban = area[hh] == 0
    e = a["enrolment"]
    insured = rng.random(n_p) < e["insured_rate"]
    active = adult & (
        rng.random(n_p)
        < np.where(urban, e["employee_active_rate"]["urban"], e["employee_active_rate"]["rural"])
    )
    retired = (age >= 60) & (
        rng.random(n_p)
        < np.where(urban, e["employee_retired_rate"]["urban"], e["employee_retired_rate"]["rural"])
    )
    scheme = np.where(active, 0, np.where(retired, 1, 2)).astype(np.int64)
    scheme = np.where(insured, scheme, -1)
    # monthly counted income
    wage = np.where(
        adult & (rng.random(n_p) < 0.75), rng.lognormal(np.log(np.where(urban, 4200, 1900)), 0.6), 0
    )
    pension = np.where(
        age >= 60,
        np.where(
            retired, rng.lognormal(np.log(5200), 0.3, n_p), rng.lognormal(np.log(900), 0.4, n_p)
        ),
        0,
    )
    income = ((wage + pension) * 100).astype(np.int64)
    # calibrate the share on 低保 and on the edge (POLICY.md §2; demo/assumptions.yaml)
    s = a["special_statuses"]
    params = arules.AssistanceParams.from_snapshot(load().at(dt.date(year, 6, 30), None))
    std = params.standards()[area]
    u = rng.random(n_h)
    p_dibao = np.where(
        area == 0, s["dibao_household_rate"]["urban"], s["dibao_household_rate"]["rural"]
    )
    below = u < p_dibao
    edge = (u >= p_dibao) & (u < p_dibao + s["dibao_edge_household_rate"])
    target = np.where(below, rng.uniform(0, 0.9, n_h), rng.uniform(1.0, 1.45, n_h)) * std * size
    household_income = np.bincount(hh, weights=income, minlength=n_h)
    scale = np.where(below | edge, target / np.maximum(household_income, 1), 1.0)
    income = np.where((below | edge)[hh], (income * scale[hh]).astype(np.int64), income)
    no_income = (below | edge) & (household_income == 0)
    first = np.cumsum(size) - size
    income[first[no_income]] = target[no_income].astype(np.int64)
    assets = np.where(
        below | edge,
        rng.integers(0, 500_000, n_h),
        rng.lognormal(np.log(3_000_000), 1.0, n_h).astype(np.int64),
    )
    # special groups (medical GROUPS: none, tekun, dibao, dibao_edge, poverty_return, …)
    tekun = (
        (size == 1) & (head_age >= 60) & (rng.random(n_h) < s["tekun_single_elderly_rate"]) & below
    )
    group_h = np.where(tekun, 1, np.where(below, 2, np.where(edge, 3, 0)))
    ret = (group_h == 0) & (rng.random(n_h) < s["poverty_return_household_rate"])
    group_h = np.where(ret, 4, group_h).astype(np.int64)
    group = group_h[hh]
    grade = np.where(rng.random(n_p) < s["disability_rate"], rng.integers(1, 5, n_p), 0).astype(
        np.int64
    )
    border_pref = np.isin(np.array(prefs)[prefecture], BORDER_PREFECTURES)
    border = border_pref[hh] & (rng.random(n_p) < 0.12)
    # one year of bills per insured person: outpatient visits, some admissions
    n_op = np.where(insured, rng.poisson(1.3, n_p), 0)
    n_ip = np.where(insured, rng.poisson(np.where(age >= 60, 0.25, 0.1)), 0)
    person = np.repeat(np.arange(n_p, dtype=np.int64), n_op + n_ip)
    nb = len(person)
    idx = np.arange(nb, dtype=np.int64)
    is_start = np.r_[True, person[1:] != person[:-1]] if nb else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(is_start, idx, 0)) if nb else idx
    inpatient = (idx - start) >= n_op[person]  # each person's visits, then admissions
    ip = inpatient.astype(np.int64)
    before = np.cumsum(ip) - ip
    later = inpatient & ((before - before[start]) > 0)  # not the first admission of the year
    policy = np.where(inpatient, rng.lognormal(9.3, 0.9, nb), rng.lognormal(4.8, 0.8, nb)) * 100
    full_self = (policy * rng.uniform(0.02, 0.15, nb)).astype(np.int64)
    self_first = (policy * rng.uniform(0.0, 0.06, nb)).astype(np.int64)
    policy = policy.astype(np.int64)
    sch = scheme[person]
    bills = {
        "person": person,
        "scheme": sch,
        "visit": inpatient.astype(np.int64),
        "level": rng.choice(np.array([1, 2, 3]), size=nb, p=[0.35, 0.4, 0.25]).astype(np.int64),
        "area": np.where(rng.random(nb) < 0.05, rng.integers(1, 3, nb), 0).astype(np.int64),
        "total": policy + full_self + self_first,
        "full_self": full_self,
        "over_limit": np.zeros(nb, dtype=np.int64),
        "self_first": self_first,
        "policy": policy,
        "later_admission": later,
        "special": np.isin(group[person], (1, 2, 4)) & (sch == 2),
        "group": group[person],
        "border": border[person],
        "major_disease": inpatient & (rng.random(nb) < 0.02),
        "account_balance": np.where(sch < 2, 80_000, 0).astype(np.int64),
    }
    return Partition(
        households={
            "household_id": first_household + np.arange(n_h, dtype=np.int64),
            "prefecture": np.array(prefs)[prefecture],
            "area": area,
            "members": size,
            "income": np.bincount(hh, weights=income, minlength=n_h).astype(np.int64),
            "assets": assets.astype(np.int64),
        },
        persons={
            "person_id": first_person + np.arange(n_p, dtype=np.int64),
            "household": hh,
            "age": age,
            "scheme": scheme,
            "income": income,
            "group": group,
            "grade": grade,
            "border": border,
        },
        bills=bills,
    )


def write(
    out: Path,
    people: int,
    seed: int,
    year: int,
    partition_size: int = 250_000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Generate and write a population; returns its ``meta.json``."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    parts = max(1, -(-people // partition_size))
    done = households = bills = first_h = first_p = 0
    for k in range(parts):
        n = min(partition_size, people - done)
        part = generate(n, seed, k, year, first_h, first_p)
        nh, npp = len(part.households["area"]), len(part.persons["age"])
        for name, cols in part.tables().items():
            pq.write_table(pa.table(cols), out / f"part-{k:05d}.{name}.parquet", compression="zstd")
        first_h += nh
        first_p += npp
        done += n
        households += nh
        bills += len(part.bills["person"])
        if progress:
            progress(done, people)
    meta = {
        "people": first_p,
        "households": households,
        "bills": bills,
        "seed": seed,
        "year": year,
        "partitions": parts,
        "generator": 1,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def read(directory: Path, k: int) -> Partition:
    tables = {
        name: {c: t.column(c).to_numpy() for c in t.column_names}
        for name in TABLES
        for t in [pq.read_table(directory / f"part-{k:05d}.{name}.parquet")]
    }
    return Partition(tables["households"], tables["persons"], tables["bills"])


def meta(directory: Path) -> dict[str, Any]:
    from minsheng.core.errors import invalid

    path = directory / "meta.json"
    if not path.exists():
        raise invalid(
            "population",
            "missing",
            f"{directory}中没有模拟人口，请先运行 minsheng sim population",
            f"no population in {directory}: run `minsheng sim population` first",
        )
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def iter_partitions(directory: Path) -> Iterator[Partition]:
    for k in range(meta(directory)["partitions"]):
        yield read(directory, k)
