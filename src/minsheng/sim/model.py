"""Baseline and reform over one partition of a synthetic population, with the live rules.

Per household and year (fen): medical basic insurance, critical-illness / supplementary
insurance and medical assistance paid for its members' bills (``medical.rules.replay``, the
running totals of each person-year as grouped cumulative sums), 低保 (``assistance.rules.
determine``), 特困 (``assistance.rules.tekun``) and the person benefits. Parameters are those in
force on ``as_of`` in each household's prefecture (region overrides apply). The aggregates are
integer sums, so partitions add up to the same fen in any order, on any worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.assistance import rules as arules
from minsheng.medical import rules as mrules
from minsheng.policy import ParameterTree
from minsheng.sim.population import Partition

I64 = npt.NDArray[np.int64]
PROGRAMMES = (
    "medical_basic",  # 基本医保
    "medical_critical",  # 大病保险 / 大额医疗补助
    "medical_assistance",  # 医疗救助
    "dibao",  # 低保
    "tekun",  # 特困
    "person_benefits",  # 残疾人两项补贴, 高龄补贴
)
MEDICAL, ASSISTANCE = PROGRAMMES[:3], PROGRAMMES[3:]


def medical_inputs(tree: ParameterTree, as_of: dt.date, regions: list[str]) -> list[Any]:
    """What the medical rules read, per region — equal lists mean equal results."""
    out = []
    for r in regions:
        p = mrules.MedicalParams.from_snapshot(tree.at(as_of, r))
        scale = (p.ci_scale.thresholds, tuple(str(x) for x in p.ci_scale.rates))
        out.append((sorted((k, str(v.value)) for k, v in p.infos.items()), scale))
    return out


def assistance_inputs(tree: ParameterTree, as_of: dt.date, regions: list[str]) -> list[Any]:
    return [
        sorted(
            (k, str(v.value))
            for k, v in arules.AssistanceParams.from_snapshot(tree.at(as_of, r)).infos.items()
        )
        for r in regions
    ]


def medical(part: Partition, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Funds paid per household: basic, critical illness, assistance."""
    hh, b = part.persons["household"], part.bills
    n_h = len(part.households["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in MEDICAL}
    pref_of_bill = part.households["prefecture"][hh[b["person"]]]
    insured = b["scheme"] >= 0
    for region in np.unique(pref_of_bill):
        sel = np.nonzero((pref_of_bill == region) & insured)[0]
        if len(sel) == 0:
            continue
        bills = mrules.Bills(
            **{k: np.asarray(b[k][sel]) for k in mrules.Bills.__dataclass_fields__}
        )
        p = mrules.MedicalParams.from_snapshot(tree.at(as_of, str(region)))
        r = mrules.replay(b["person"][sel], bills, p)
        owner = hh[b["person"][sel]]
        for name, col in (
            ("medical_basic", r.basic),
            ("medical_critical", r.ci),
            ("medical_assistance", r.assistance),
        ):
            out[name] += _sum(owner, col, n_h)
    return out


def _sum(index: I64, values: I64, n: int) -> I64:
    return arules.group_sum(index.astype(np.int64), values.astype(np.int64), n)


def assistance(part: Partition, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Yearly 低保, 特困 and person benefits per household."""
    h, ps = part.households, part.persons
    n_h = len(h["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in ASSISTANCE}
    for region in np.unique(h["prefecture"]):
        p = arules.AssistanceParams.from_snapshot(tree.at(as_of, str(region)))
        sel = np.nonzero(h["prefecture"] == region)[0]
        d = arules.determine(
            p,
            arules.Households(
                h["area"][sel], h["members"][sel], h["income"][sel], h["assets"][sel],
                np.zeros(len(sel), dtype=np.int64),
            ),
        )  # fmt: skip
        out["dibao"][sel] = d.dibao_amount * 12
        members = np.nonzero(h["prefecture"][ps["household"]] == region)[0]
        owner = ps["household"][members]
        is_tekun = ps["group"][members] == 1
        t = arules.tekun(
            p,
            h["area"][owner],
            ps["age"][members],
            ps["grade"][members],
            ps["income"][members],
            np.zeros(len(members), dtype=np.bool_),
            np.zeros(len(members), dtype=np.int64),
        )
        out["tekun"] += _sum(owner, np.where(is_tekun, t.amount, 0) * 12, n_h)
        poor = np.zeros(n_h, dtype=np.bool_)
        poor[sel] = d.dibao
        benefits = arules.person_benefits(
            p, ps["age"][members], ps["grade"][members], poor[owner] | is_tekun,
            np.zeros(len(members), dtype=np.bool_),
        )  # fmt: skip
        monthly: I64 = np.sum(np.stack(list(benefits.values())), axis=0)
        out["person_benefits"] += _sum(owner, monthly * 12, n_h)
    return out


@dataclass
class Aggregates:
    """Integer sums over households; :meth:`add` combines partitions exactly."""

    prefectures: list[str]
    deciles: int = 10
    cost: dict[str, I64] = field(default_factory=dict)  # (scenario, programme) → by prefecture
    beneficiaries: dict[str, I64] = field(default_factory=dict)
    winners: I64 = field(default_factory=lambda: np.zeros(2, dtype=np.int64))  # count, gain
    losers: I64 = field(default_factory=lambda: np.zeros(2, dtype=np.int64))  # count, loss
    by_decile: I64 = field(default_factory=lambda: np.zeros((10, 3), dtype=np.int64))
    households: int = 0
    people: int = 0

    def add(self, other: Aggregates) -> Aggregates:
        out = Aggregates(self.prefectures, self.deciles)
        for k in set(self.cost) | set(other.cost):
            zero = np.zeros(len(self.prefectures), dtype=np.int64)
            out.cost[k] = self.cost.get(k, zero) + other.cost.get(k, zero)
            out.beneficiaries[k] = self.beneficiaries.get(k, zero) + other.beneficiaries.get(
                k, zero
            )
        out.winners = self.winners + other.winners
        out.losers = self.losers + other.losers
        out.by_decile = self.by_decile + other.by_decile
        out.households = self.households + other.households
        out.people = self.people + other.people
        return out


def per_capita(income: I64, members: I64) -> I64:
    """Per-capita household income in fen, rounded down as the rules do."""
    return income // np.maximum(members, 1)


def aggregate(
    part: Partition,
    base: dict[str, I64],
    reform: dict[str, I64],
    prefectures: list[str],
    decile_edges: I64,
) -> Aggregates:
    h = part.households
    pref = np.searchsorted(np.array(prefectures), h["prefecture"]).astype(np.int64)
    n_p = len(prefectures)
    agg = Aggregates(prefectures)
    for scenario, values in (("baseline", base), ("reform", reform)):
        for prog in PROGRAMMES:
            col = values[prog]
            agg.cost[f"{scenario}:{prog}"] = _sum(pref, col, n_p)
            agg.beneficiaries[f"{scenario}:{prog}"] = _sum(pref, (col > 0).astype(np.int64), n_p)
    total_b: I64 = np.sum(np.stack([base[p] for p in PROGRAMMES]), axis=0)
    total_r: I64 = np.sum(np.stack([reform[p] for p in PROGRAMMES]), axis=0)
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
    return agg
