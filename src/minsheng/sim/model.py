"""Baseline and reform over one partition of a synthetic population, with the live rules.

Each registered programme with a microsimulation (``PROGRAMME.microsim``, see
:mod:`minsheng.programmes`) computes its outputs per household and year in fen — medical
(``medical/microsim.py``: basic insurance, critical illness, medical assistance) and assistance
(``assistance/microsim.py``: 低保, 特困, person benefits) today. Parameters are those in force on
``as_of`` in each household's prefecture (region overrides apply). The aggregates are integer
sums, so partitions add up to the same fen in any order, on any worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from minsheng import programmes
from minsheng.policy import ParameterTree
from minsheng.programmes import Columns

I64 = npt.NDArray[np.int64]


def outputs() -> tuple[str, ...]:
    """Every microsimulated output (a programme's fund or benefit), in report order."""
    return tuple(o for p in programmes.microsimulated() for o in p.outputs)


def outputs_where_paid() -> frozenset[str]:
    """The outputs reported only where they pay something (in the baseline or the reform)."""
    return frozenset(o for p in programmes.microsimulated() for o in p.outputs_where_paid)


def simulate(
    part: Columns, tree: ParameterTree, as_of: dt.date, names: Iterable[str] | None = None
) -> dict[str, I64]:
    """The outputs of the programmes ``names`` (default: every microsimulated one)."""
    wanted = None if names is None else set(names)
    out: dict[str, I64] = {}
    for p in programmes.microsimulated():
        if wanted is not None and p.name not in wanted:
            continue
        assert p.microsim is not None
        got = programmes.resolve(p.microsim)(part, tree, as_of)
        if set(got) != set(p.outputs):
            raise ValueError(f"{p.name}'s microsimulation gave {sorted(got)}, not {p.outputs}")
        out.update({k: got[k] for k in p.outputs})
    return out


def medical(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Funds paid per household: basic, critical illness, assistance."""
    return simulate(part, tree, as_of, ["medical"])


def assistance(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Yearly 低保, 特困 and person benefits per household."""
    return simulate(part, tree, as_of, ["assistance"])


def _sum(index: I64, values: I64, n: int) -> I64:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index.astype(np.int64), values.astype(np.int64))
    return out


@dataclass
class Aggregates:
    """Integer sums over households; :meth:`add` combines partitions exactly."""

    prefectures: list[str]
    deciles: int = 10
    cost: dict[str, I64] = field(default_factory=dict)  # (scenario, programme) → by prefecture
    beneficiaries: dict[str, I64] = field(default_factory=dict)
    members: dict[str, I64] = field(default_factory=dict)  # people in beneficiary households
    winners: I64 = field(default_factory=lambda: np.zeros(2, dtype=np.int64))  # count, gain
    losers: I64 = field(default_factory=lambda: np.zeros(2, dtype=np.int64))  # count, loss
    by_decile: I64 = field(default_factory=lambda: np.zeros((10, 3), dtype=np.int64))
    households: int = 0
    people: int = 0
    households_by: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    people_by: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, other: Aggregates) -> Aggregates:
        out = Aggregates(self.prefectures, self.deciles)
        for k in set(self.cost) | set(other.cost):
            zero = np.zeros(len(self.prefectures), dtype=np.int64)
            out.cost[k] = self.cost.get(k, zero) + other.cost.get(k, zero)
            out.beneficiaries[k] = self.beneficiaries.get(k, zero) + other.beneficiaries.get(
                k, zero
            )
            out.members[k] = self.members.get(k, zero) + other.members.get(k, zero)
        out.winners = self.winners + other.winners
        out.losers = self.losers + other.losers
        out.by_decile = self.by_decile + other.by_decile
        out.households = self.households + other.households
        out.people = self.people + other.people
        n_p = len(self.prefectures)
        out.households_by = _pad(self.households_by, n_p) + _pad(other.households_by, n_p)
        out.people_by = _pad(self.people_by, n_p) + _pad(other.people_by, n_p)
        return out


def _pad(values: I64, n: int) -> I64:
    return values if len(values) == n else np.zeros(n, dtype=np.int64)


def per_capita(income: I64, members: I64) -> I64:
    """Per-capita household income in fen, rounded down as the rules do."""
    return income // np.maximum(members, 1)


def aggregate(
    part: Columns,
    base: dict[str, I64],
    reform: dict[str, I64],
    prefectures: list[str],
    decile_edges: I64,
) -> Aggregates:
    h = part.households
    pref = np.searchsorted(np.array(prefectures), h["prefecture"]).astype(np.int64)
    n_p = len(prefectures)
    agg = Aggregates(prefectures)
    names = outputs()
    for scenario, values in (("baseline", base), ("reform", reform)):
        for prog in names:
            col = values[prog]
            agg.cost[f"{scenario}:{prog}"] = _sum(pref, col, n_p)
            agg.beneficiaries[f"{scenario}:{prog}"] = _sum(pref, (col > 0).astype(np.int64), n_p)
            agg.members[f"{scenario}:{prog}"] = _sum(pref, np.where(col > 0, h["members"], 0), n_p)
    total_b: I64 = np.sum(np.stack([base[p] for p in names]), axis=0)
    total_r: I64 = np.sum(np.stack([reform[p] for p in names]), axis=0)
    delta: I64 = total_r - total_b
    agg.winners = np.array([(delta > 0).sum(), delta[delta > 0].sum()], dtype=np.int64)
    agg.losers = np.array([(delta < 0).sum(), -delta[delta < 0].sum()], dtype=np.int64)
    pc = per_capita(h["income"], h["members"])
    dec = np.clip(np.searchsorted(decile_edges, pc, side="right"), 0, 9).astype(np.int64)
    agg.by_decile = np.stack(
        [
            _sum(dec, np.ones(len(dec), dtype=np.int64), 10),
            _sum(dec, total_b, 10),
            _sum(dec, total_r, 10),
        ],
        axis=1,
    )
    agg.households = len(h["area"])
    agg.people = int(h["members"].sum())
    agg.households_by = _sum(pref, np.ones(len(pref), dtype=np.int64), n_p)
    agg.people_by = _sum(pref, h["members"], n_p)
    return agg
