"""A synthetic population for microsimulation, written as Parquet partitions by household.

Calibrated to the published aggregates the demo uses (``demo/assumptions.yaml``: people by
prefecture from the 2020 census, the urban share, household sizes, scheme enrolment and insured
rate) and to POLICY.md §2's 低保 shares: a household is placed below the 低保 standard with the
probability of its area (and between the standard and the edge line with the edge rate), so the
share on 低保 comes out near the published one. One year of medical bills per insured person.
Deterministic: partition ``k`` of seed ``S`` is drawn from ``default_rng([S, k])``.

Shapes no published figure fixes (age, wage and bill distributions…) are in the ``simulation``
section of ``demo/assumptions.yaml``, marked assumed. Layout of a population directory::

    meta.json                           people, households, bills, seed, year, partitions
    part-00000.households.parquet       one file per table and partition (zstd)
    part-00000.persons.parquet
    part-00000.bills.parquet
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.assistance import rules as arules
from minsheng.core import divisions
from minsheng.demo.population import assumptions
from minsheng.policy import load

I64 = npt.NDArray[np.int64]
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


def _border_rate(prefs: list[str], a: dict[str, Any]) -> npt.NDArray[np.float64]:
    """Share of border residents (边境一线) by prefecture: the border counties' rate times the
    share of the prefecture's counties that are border counties (populations by county are not
    in the census table we hold)."""
    border = set(a["border_counties"]["codes"])
    rate = float(a["special_statuses"]["border_rate_in_border_counties"])
    out = []
    for code in prefs:
        counties = [c.code for c in divisions.counties(code)]
        out.append(rate * sum(c in border for c in counties) / max(len(counties), 1))
    return np.array(out)


def _share(rng: np.random.Generator, lo: I64, hi: I64) -> I64:
    """An integer uniformly in [lo, hi) per row (hi > lo)."""
    return lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)


def _permille(rng: np.random.Generator, bounds: list[float], n: int) -> I64:
    """Shares drawn uniformly between ``bounds``, in whole thousandths."""
    lo, hi = (int(Fraction(str(b)) * 1000) for b in bounds)
    return rng.integers(lo, hi + 1, n).astype(np.int64)


def generate(
    people: int, seed: int, index: int, year: int, first_household: int, first_person: int
) -> Partition:
    """One partition of exactly ``people`` persons (all amounts integer fen)."""
    a = assumptions()
    sim = a["simulation"]
    rng = np.random.default_rng([seed, index])
    prefs = [k for k in a["prefecture_population"] if k != "source"]
    weights = np.array([a["prefecture_population"][k] for k in prefs], dtype=float)
    n_h = people // 2 + 16  # more than enough: no household size is below 1, most are 2+
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
    first = np.cumsum(size) - size  # each household's head
    position = np.arange(n_p) - first[hh]
    # Tibet's population is young (about 8.5% aged 60+ in the 2020 census)
    ag = sim["ages"]
    head_age = ag["head"]["start"] + rng.gamma(ag["head"]["shape"], ag["head"]["scale"], n_h)
    other_age = rng.gamma(ag["other"]["shape"], ag["other"]["scale"], n_p)
    age = np.minimum(np.where(position == 0, head_age[hh], other_age), ag["max"]).astype(np.int64)
    head_age = age[first]
    adult = (age >= 18) & (age < 60)
    urban = area[hh] == 0
    e = a["enrolment"]

    def by_area(rates: dict[str, float]) -> npt.NDArray[np.float64]:
        return np.where(urban, rates["urban"], rates["rural"])

    insured = rng.random(n_p) < e["insured_rate"]
    active = adult & (rng.random(n_p) < by_area(e["employee_active_rate"]))
    retired = (age >= 60) & (rng.random(n_p) < by_area(e["employee_retired_rate"]))
    scheme = np.where(active, 0, np.where(retired, 1, 2)).astype(np.int64)
    scheme = np.where(insured, scheme, -1)
    # monthly counted income, drawn in yuan and held as integer fen from here on
    works = adult & (rng.random(n_p) < sim["employment_rate"])
    wage = rng.lognormal(np.log(by_area(sim["wage_median_yuan"])), sim["wage_sigma"])
    pm, ps = sim["pension_median_yuan"], sim["pension_sigma"]
    pension = np.where(
        retired,
        rng.lognormal(np.log(pm["employee_retired"]), ps["employee_retired"], n_p),
        rng.lognormal(np.log(pm["resident"]), ps["resident"], n_p),
    )
    income = (np.where(works, wage, 0) + np.where(age >= 60, pension, 0)) * 100
    income = income.astype(np.int64)
    # calibrate the shares on 低保 and on the edge (POLICY.md §2) against each prefecture's own
    # standard and edge line, as the rules will read them
    day = dt.date(year, 6, 30)
    std_table = np.zeros((len(prefs), 2), dtype=np.int64)
    edge_table = np.zeros((len(prefs), 2), dtype=np.int64)
    for i, code in enumerate(prefs):
        p = arules.AssistanceParams.from_snapshot(load().at(day, code))
        f = p.ratio("assistance.dibao_edge.income_factor")
        std_table[i] = p.standards()
        edge_table[i] = p.standards() * f.numerator // f.denominator
    std, edge_line = std_table[prefecture, area] * size, edge_table[prefecture, area] * size
    st = a["special_statuses"]
    u = rng.random(n_h)
    p_dibao = np.where(
        area == 0, st["dibao_household_rate"]["urban"], st["dibao_household_rate"]["rural"]
    )
    below = u < p_dibao
    edge = ~below & (u < p_dibao + st["dibao_edge_household_rate"])
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
    # special groups (medical GROUPS: none, tekun, dibao, dibao_edge, poverty_return, …)
    tekun = (
        (size == 1) & (head_age >= 60) & (rng.random(n_h) < st["tekun_single_elderly_rate"]) & below
    )
    group_h = np.where(tekun, 1, np.where(below, 2, np.where(edge, 3, 0)))
    ret = (group_h == 0) & (rng.random(n_h) < st["poverty_return_household_rate"])
    group_h = np.where(ret, 4, group_h).astype(np.int64)
    group = group_h[hh]
    disabled = rng.random(n_p) < st["disability_rate"]
    grade = np.where(disabled, rng.integers(1, 5, n_p), 0).astype(np.int64)
    border = rng.random(n_p) < _border_rate(prefs, a)[prefecture[hh]]
    # one year of bills per insured person: outpatient visits, then admissions
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
    bills = {
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
        "border": border[person],
        "major_disease": inpatient & (rng.random(nb) < sim["major_disease_share"]),
        "account_balance": np.where(sch < 2, sim["employee_account_yuan"] * 100, 0).astype(
            np.int64
        ),
    }
    return Partition(
        households={
            "household_id": first_household + np.arange(n_h, dtype=np.int64),
            "prefecture": np.array(prefs)[prefecture],
            "area": area,
            "members": size,
            "income": arules.group_sum(hh, income, n_h),
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
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    import pyarrow.parquet as pq

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
