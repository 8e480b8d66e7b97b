"""The synthetic population's people and households, drawn once for every sink.

``generate(people, seed, index, today, …)`` returns one :class:`Partition` of exactly ``people``
persons in households, with columns only (numpy arrays, integers and booleans; codes as short
strings). Partition ``k`` of seed ``S`` is drawn from ``default_rng([S, k])``; each extension
(``minsheng.population.extensions``) draws from its own stream, so adding a programme never
changes what the others see. Every shape comes from ``assumptions.yaml``.

Columns the generator makes (``GENERATED``)::

    households  household_id  global id (first_household + row)
                county        county code (current division)
                prefecture    prefecture code
                district      the county is a city district (…区)
                area          0 urban, 1 rural
                members       household size (1–8)
                group         the household's special group: GROUPS index (tekun > dibao >
                              dibao_edge > poverty_return > none)
                dibao         drawn below the 低保 standard (POLICY.md §2 rates by area)
                dibao_edge    drawn between the standard and the edge line
                poverty_return  a 返贫 monitored household (independent of the group)
                tekun         a lone person aged 60+ supported as 特困 (always also ``dibao``)
    persons     person_id     global id (first_person + row)
                household     row of the household in this partition (0-based)
                relationship  RELATIONSHIPS index (0 head, 1 spouse, 2 child, 3 parent)
                age           whole years on ``today``
                male          bool
                scheme        medical insurance: -1 none, 0 employee active, 1 employee
                              retired, 2 resident
                employee_retired  retired from an employee scheme (pension), insured or not
                works         has a wage (adults 18–59 at the employment rate)
                group         the household's group, per person
                grade         disability grade 1–4, 0 none
                border        lives on the border line (边境一线)

This module imports only ``core``: it touches no database, file or programme.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from minsheng.core import divisions
from minsheng.core.statuses import GROUPS  # the one vocabulary (medical group order)

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]

RELATIONSHIPS = ("head", "spouse", "child", "parent")
SCHEMES = ("employee_active", "employee_retired", "resident")  # scheme codes 0, 1, 2
GENERATED = {
    "households": (
        "household_id", "county", "prefecture", "district", "area", "members", "group",
        "dibao", "dibao_edge", "poverty_return", "tekun",
    ),
    "persons": (
        "person_id", "household", "relationship", "age", "male", "scheme",
        "employee_retired", "works", "group", "grade", "border",
    ),
}  # fmt: skip


@functools.cache
def assumptions() -> dict[str, Any]:
    """``assumptions.yaml``, parsed once (treat as read-only)."""
    text = resources.files("minsheng.population").joinpath("assumptions.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


@dataclass
class Partition:
    """Tables of one partition, each a dict of equally long columns. ``persons["household"]``
    (and an extension's ``bills["person"]``…) index rows of this partition; ``household_id`` /
    ``person_id`` are global. Extensions add columns to these tables or whole new tables."""

    data: dict[str, dict[str, np.ndarray]]
    index: int = 0
    seed: int = 0
    today: dt.date = field(default_factory=dt.date.today)

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return self.data

    @property
    def households(self) -> dict[str, np.ndarray]:
        return self.data["households"]

    @property
    def persons(self) -> dict[str, np.ndarray]:
        return self.data["persons"]

    @property
    def bills(self) -> dict[str, np.ndarray]:
        return self.data["bills"]

    def heads(self) -> I64:
        """Row of each household's head among the persons (heads come first)."""
        size = self.households["members"]
        out: I64 = (np.cumsum(size) - size).astype(np.int64)
        return out


@dataclass(frozen=True)
class Geography:
    """Counties with their share of the region's people and their urban share."""

    codes: list[str]
    prefecture: list[str]
    weight: F64
    district: B
    urban: F64
    border: B


@functools.cache
def geography() -> Geography:
    a = assumptions()
    cw, pops = a["county_weight"], a["prefecture_population"]
    codes: list[str] = []
    prefs: list[str] = []
    weights: list[float] = []
    district: list[bool] = []
    for pref in divisions.prefectures():
        cs = divisions.counties(pref.code)
        is_d = [c.name_zh.endswith("区") for c in cs]
        w = np.array([cw["district"] if d else cw["county"] for d in is_d], dtype=float)
        weights += list(w / w.sum() * float(pops[pref.code]))
        codes += [c.code for c in cs]
        prefs += [pref.code] * len(cs)
        district += is_d
    weight = np.array(weights) / sum(weights)
    d = np.array(district)
    share_d, in_d = float(a["urban_share"]["district_urban_share"]), float(weight[d].sum())
    # the other counties' urban share, so that the region's is the census one
    share_c = (float(a["urban_share"]["value"]) - share_d * in_d) / (1 - in_d)
    border = set(a["border_counties"]["codes"])
    return Geography(
        codes=codes,
        prefecture=prefs,
        weight=weight,
        district=d,
        urban=np.where(d, share_d, max(share_c, 0.0)),
        border=np.array([c in border for c in codes]),
    )


def _between(rng: np.random.Generator, lo: I64 | int, hi: I64 | int, n: int) -> I64:
    """An integer uniformly in [lo, hi] (inclusive) per row."""
    lo_a, hi_a = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    return (lo_a + (rng.random(n) * (hi_a - lo_a + 1)).astype(np.int64)).astype(np.int64)


def _sizes(rng: np.random.Generator, urban: B, a: dict[str, Any]) -> I64:
    out = np.empty(len(urban), dtype=np.int64)
    for name, mask in (("urban", urban), ("rural", ~urban)):
        dist = a["household_size"][name]
        k = np.array(list(dist), dtype=np.int64)
        p = np.array(list(dist.values()), dtype=float)
        out[mask] = rng.choice(k, size=int(mask.sum()), p=p / p.sum())
    return out


def generate(
    people: int,
    seed: int,
    index: int = 0,
    today: dt.date | None = None,
    first_household: int = 0,
    first_person: int = 0,
) -> Partition:
    """One partition of exactly ``people`` persons (``people`` ≥ 1)."""
    a, geo = assumptions(), geography()
    today = today or dt.date.today()
    rng = np.random.default_rng([seed, index])
    hs, st, en = a["households"], a["special_statuses"], a["enrolment"]

    # ---- households: county, area, size until exactly ``people`` are placed
    est = people // 2 + 16  # more than enough: no household size is below 1, most are 2+
    county = rng.choice(len(geo.codes), size=est, p=geo.weight).astype(np.int64)
    urban = rng.random(est) < geo.urban[county]
    size = _sizes(rng, urban, a)
    total = np.cumsum(size)
    cut = int(np.searchsorted(total, people))  # the household that reaches ``people``
    size[cut] -= int(total[cut] - people)  # the last household is trimmed
    county, urban, size = county[: cut + 1], urban[: cut + 1], size[: cut + 1]
    n_h = len(size)

    # ---- persons: relationship and age within each household
    hh = np.repeat(np.arange(n_h, dtype=np.int64), size)
    n = len(hh)
    first = np.cumsum(size) - size
    pos = np.arange(n, dtype=np.int64) - first[hh]
    ha = hs["head_age"]
    head_age = np.minimum(ha["start"] + rng.gamma(ha["shape"], ha["scale"], n_h), ha["max"]).astype(
        np.int64
    )
    has_spouse = (rng.random(n_h) < hs["spouse_rate"]) & (size >= 2)
    has_parent = (
        (rng.random(n_h) < hs["parent_rate"]) & (size >= 4) & (head_age < hs["parent_head_below"])
    )
    rel = np.full(n, 2, dtype=np.int64)  # child
    rel[pos == 0] = 0
    rel[(pos == 1) & has_spouse[hh]] = 1
    rel[(pos == size[hh] - 1) & has_parent[hh] & (pos >= 2)] = 3
    h_age = head_age[hh]
    sg, pg, cg = hs["spouse_age_gap"], hs["parent_age_gap"], hs["child_age_gap"]
    child_hi = h_age - cg[0]
    child_lo = np.minimum(np.maximum(h_age - cg[1], 0), child_hi)
    age = np.select(
        [rel == 0, rel == 1, rel == 3],
        [
            h_age,
            np.maximum(h_age + _between(rng, sg[0], sg[1], n), hs["spouse_min_age"]),
            h_age + _between(rng, pg[0], pg[1], n),
        ],
        _between(rng, child_lo, child_hi, n),
    )
    age = np.minimum(age, hs["max_age"]).astype(np.int64)
    head_male = rng.random(n_h) < hs["head_male_share"]
    male = np.select(
        [rel == 0, rel == 1],
        [head_male[hh], ~head_male[hh]],
        rng.random(n) < hs["other_male_share"],
    ).astype(bool)

    # ---- medical insurance and work
    urban_p = urban[hh]
    wa = a["employment"]["working_age"]
    adult = (age >= wa[0]) & (age <= wa[1])

    def by_area(rates: dict[str, float]) -> F64:
        return np.where(urban_p, rates["urban"], rates["rural"])

    insured = rng.random(n) < en["insured_rate"]
    active = adult & (rng.random(n) < by_area(en["employee_active_rate"]))
    retired = (age > wa[1]) & (rng.random(n) < by_area(en["employee_retired_rate"]))
    scheme = np.where(active, 0, np.where(retired, 1, 2)).astype(np.int64)
    scheme = np.where(insured, scheme, -1).astype(np.int64)
    works = adult & (rng.random(n) < a["employment"]["employment_rate"])

    # ---- special groups: 低保 / 边缘 by household at POLICY.md §2's rates; 特困 for lone
    # elderly among them; 返贫; disability and the border line by person
    u = rng.random(n_h)
    rate = np.where(urban, st["dibao_household_rate"]["urban"], st["dibao_household_rate"]["rural"])
    dibao = u < rate
    edge = ~dibao & (u < rate + st["dibao_edge_household_rate"])
    tekun = (
        (size == 1) & (head_age >= 60) & (rng.random(n_h) < st["tekun_single_elderly_rate"]) & dibao
    )
    ret = rng.random(n_h) < st["poverty_return_household_rate"]
    group_codes = [GROUPS.index(k) for k in ("tekun", "dibao", "dibao_edge", "poverty_return")]
    group_h = np.select([tekun, dibao, edge, ret], group_codes, 0).astype(np.int64)
    disabled = rng.random(n) < st["disability_rate"]
    dg = st["disability_grades"]
    grade = np.where(disabled, rng.integers(dg[0], dg[1] + 1, n), 0).astype(np.int64)
    border = geo.border[county[hh]] & (rng.random(n) < st["border_rate_in_border_counties"])

    codes = np.array(geo.codes)
    return Partition(
        data={
            "households": {
                "household_id": first_household + np.arange(n_h, dtype=np.int64),
                "county": codes[county],
                "prefecture": np.array(geo.prefecture)[county],
                "district": geo.district[county],
                "area": (~urban).astype(np.int64),
                "members": size.astype(np.int64),
                "group": group_h,
                "dibao": dibao,
                "dibao_edge": edge,
                "poverty_return": ret,
                "tekun": tekun,
            },
            "persons": {
                "person_id": first_person + np.arange(n, dtype=np.int64),
                "household": hh,
                "relationship": rel,
                "age": age,
                "male": male,
                "scheme": scheme,
                "employee_retired": retired,
                "works": works,
                "group": group_h[hh],
                "grade": grade,
                "border": border,
            },
        },
        index=index,
        seed=seed,
        today=today,
    )
