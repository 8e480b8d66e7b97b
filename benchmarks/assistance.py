"""Assistance benchmarks: the monitoring scan over a region-sized population, and the 低保 rule
side by side with the same rule as an OpenFisca formula.

1. scan: 3.65 million people in about 1 million households (7 prefectures' parameters) —
   person columns aggregated to households, then every warning cause at once; baseline in the
   same process: the same causes computed household by household in plain Python on a sample.
2. 低保 rule: ``rules.determine`` vs ``benchmarks/openfisca_assistance.py`` on the same
   households; results compared to the fen.

Run: ``uv run python benchmarks/assistance.py [--people 3650000] [--openfisca-households N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np

from minsheng.assistance import rules
from minsheng.core import divisions
from minsheng.policy import load

DAY = dt.date(2026, 6, 1)


def population(people: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = np.clip(rng.poisson(2.65, people // 3) + 1, 1, 12)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), people)]
    n_h = len(sizes)
    n_p = int(sizes.sum())
    hh = np.repeat(np.arange(n_h, dtype=np.int64), sizes)
    income = np.where(rng.random(n_p) < 0.55, rng.lognormal(np.log(2200), 0.7, n_p), 0)
    none = np.full(n_p, rules.NO_DATE, dtype=np.int64)

    def some(share: float, lo: int, hi: int) -> np.ndarray:
        out = none.copy()
        pick = rng.random(n_p) < share
        out[pick] = rng.integers(lo, hi, int(pick.sum()))
        return out

    return {
        "household": hh,
        "kind": rng.integers(0, len(rules.INCOME_KINDS), n_p),
        "income": (income * 100).astype(np.int64),
        "medical": np.where(rng.random(n_p) < 0.2, rng.integers(0, 2_000_000, n_p), 0),
        "disabled_since": some(0.03, 0, 3000),
        "deceased_since": some(0.005, 0, 400),
        "unemployed_since": some(0.02, 0, 400),
        "certificate_in": some(0.03, -30, 2000),
        "area": rng.integers(0, 2, n_h),
        "prefecture": rng.integers(0, 7, n_h),
        "assets": rng.integers(0, 5_000_000, n_h),
        "review_in": np.where(rng.random(n_h) < 0.05, rng.integers(-30, 365, n_h), rules.NO_DATE),
        "on_dibao": rng.random(n_h) < 0.05,
        "on_edge": rng.random(n_h) < 0.03,
    }


def scan(pop: dict[str, np.ndarray]) -> dict[str, int]:
    n = len(pop["area"])
    hh = pop["household"]
    counts = dict.fromkeys(rules.CAUSES, 0)
    prefs = [p.code for p in divisions.prefectures()]
    snaps = [rules.AssistanceParams.from_snapshot(load().at(DAY, c)) for c in prefs]
    counted = rules.counted_income(snaps[0], pop["kind"], pop["income"])
    x = rules.ScanInput(
        area=pop["area"],
        members=rules.group_sum(hh, np.ones(len(hh), dtype=np.int64), n),
        income=rules.group_sum(hh, counted, n),
        on_dibao=pop["on_dibao"],
        on_edge=pop["on_edge"],
        medical_selfpay=rules.group_sum(hh, pop["medical"], n),
        review_in=pop["review_in"],
        disabled_since=rules.group_min(hh, pop["disabled_since"], n),
        deceased_since=rules.group_min(hh, pop["deceased_since"], n),
        unemployed_since=rules.group_min(hh, pop["unemployed_since"], n),
        certificate_in=rules.group_min(hh, pop["certificate_in"], n),
    )
    for i, p in enumerate(snaps):
        sel = np.nonzero(pop["prefecture"] == i)[0]
        sub = rules.ScanInput(*[getattr(x, f)[sel] for f in rules.ScanInput.__dataclass_fields__])
        for cause, mask in rules.scan(p, sub).items():
            counts[cause] += int(mask.sum())
    return counts


def scan_python(pop: dict[str, np.ndarray], households: int) -> int:
    """The same causes, household by household, in plain Python (the baseline)."""
    p = rules.AssistanceParams.from_snapshot(load().at(DAY, None))
    std = [p.standard(a) for a in rules.AREAS]
    window = p.count("assistance.monitoring.event_window_days")
    hh = pop["household"]
    end = int(np.searchsorted(hh, households))
    members: dict[int, list[int]] = {}
    for i in range(end):
        members.setdefault(int(hh[i]), []).append(i)
    found = 0
    for h, rows in members.items():
        income = sum(int(pop["income"][i]) for i in rows)
        per_capita = income // len(rows)
        s = std[int(pop["area"][h])]
        found += per_capita < s and not pop["on_dibao"][h]
        found += s <= per_capita < s * 3 // 2 and not pop["on_dibao"][h] and not pop["on_edge"][h]
        med = sum(int(pop["medical"][i]) for i in rows)
        found += med > 0 and med * 2 > income * 12
        for col in ("disabled_since", "deceased_since", "unemployed_since"):
            found += any(0 <= int(pop[col][i]) <= window for i in rows)
        found += int(pop["review_in"][h]) <= 30
        found += min(int(pop["certificate_in"][i]) for i in rows) <= 60
    return found


def bench_scan(people: int) -> None:
    t0 = time.perf_counter()
    pop = population(people)
    gen = time.perf_counter() - t0
    n_h = len(pop["area"])
    t0 = time.perf_counter()
    counts = scan(pop)
    ours = time.perf_counter() - t0
    sample = 20_000
    t0 = time.perf_counter()
    scan_python(pop, sample)
    base = (time.perf_counter() - t0) / sample * n_h
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"monitoring scan, {len(pop['household']):,} people in {n_h:,} households: {ours:.2f} s "
        f"(population generated in {gen:.1f} s; peak RSS {rss:.1f} GB); plain Python household "
        f"by household: {base:.0f} s extrapolated from {sample:,} — ratio {base / ours:.0f}x; "
        f"warnings by cause: {counts}"
    )


def bench_openfisca(households: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import openfisca_assistance as ofa

    pop = population(int(households * 3.65), seed=2)
    n_h = len(pop["area"])
    p = rules.AssistanceParams.from_snapshot(load().at(DAY, None))
    income = pop["income"]  # every record counted (kind "wage")
    assets = pop["assets"]
    t0 = time.perf_counter()
    members = rules.group_sum(pop["household"], np.ones(len(income), dtype=np.int64), n_h)
    d = rules.determine(
        p,
        rules.Households(
            pop["area"], members, rules.group_sum(pop["household"], income, n_h), assets,
            np.zeros(n_h, dtype=np.int64),
        ),
    )  # fmt: skip
    ours = time.perf_counter() - t0
    tbs = ofa.system()
    t0 = time.perf_counter()
    theirs = ofa.run(tbs, pop["household"], income / 100, pop["area"] == 1, assets / 100)
    of_s = time.perf_counter() - t0
    diff = d.dibao_amount - np.round(theirs * 100)
    # Minsheng rounds the per-capita income down to the fen, so its benefit may exceed the
    # exact (std × members − income) by up to members − 1 fen; anything else is a disagreement
    explained = (diff >= -1) & (diff <= np.maximum(members - 1, 0) + 1)
    print(
        f"低保 rule, {n_h:,} households / {len(income):,} people: Minsheng {ours:.3f} s, "
        f"OpenFisca {of_s:.2f} s — ratio {of_s / ours:.1f}x; households whose benefits differ "
        f"by more than the per-capita rounding (< 1 fen a member, ±1 fen of float error): "
        f"{int((~explained).sum())}; differing at all: {int((diff != 0).sum())}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3_650_000)
    ap.add_argument("--openfisca-households", type=int, default=1_000_000)
    a = ap.parse_args()
    bench_scan(a.people)
    bench_openfisca(a.openfisca_households)


if __name__ == "__main__":
    main()
