"""Policy-analysis benchmarks: baseline + reform of every programme over a region-sized
population, in process and on Dask, and a reduced model side by side in OpenFisca.

1. 3.65 M people: generate, then baseline + reform (rural 低保 +10% and 大病保险 +5 points, so
   both programmes are recomputed) in process — time and peak memory (bar: < 60 s, < 8 GB);
2. the same on a Dask LocalCluster of 1 and of 2 workers (ratio);
3. 1 M → 10 M people (2 workers);
4. a reduced model (each person's first bill of the year through the medical chain, and the
   低保 rule) in openfisca-core and in Minsheng on the same 100,000 people (ratio).

Run: ``uv run python benchmarks/sim.py [--people 3650000] [--big 10000000] [--skip-big]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from minsheng.assistance import rules as arules
from minsheng.medical import rules as mrules
from minsheng.policy import load
from minsheng.sim import population, runner

REFORM: dict[str, Any] = {
    "description": "rural 低保 +10%, 大病保险 +5 points",
    "changes": {
        "assistance.dibao.standard.rural_yearly": {
            "values": {dt.date(2026, 1, 1): {"value": "5184.30"}}
        },
        **{
            f"medical.critical_illness.scale.brackets[{i}].rate": {
                "values": {dt.date(2026, 1, 1): {"value": r}}
            }
            for i, r in enumerate(["0.65", "0.75", "0.85"])
        },
    },
}


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def timed_run(directory: Path, client: Any = None) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    r = runner.run(directory, REFORM, "bench", client=client)
    return time.perf_counter() - t0, r


def cluster(n: int) -> Any:
    return runner.local_cluster(n)


def bench_region(people: int, tmp: Path) -> Path:
    d = tmp / "region"
    t0 = time.perf_counter()
    m = population.write(d, people, seed=1, year=2026)
    gen = time.perf_counter() - t0
    secs, r = timed_run(d)
    print(
        f"population of {m['people']:,} people / {m['households']:,} households / {m['bills']:,} "
        f"bills generated in {gen:.1f} s; baseline + reform in process: {secs:.1f} s, peak RSS "
        f"{rss_gb():.2f} GB (bar < 60 s, < 8 GB); change {r['total']['change'] / 100:,.2f} yuan"
    )
    results = {}
    for n in (1, 2):
        c, client = cluster(n)
        try:
            results[n], rr = timed_run(d, client)
            assert rr["total"] == r["total"] and rr["deciles"] == r["deciles"], "Dask differs"
        finally:
            client.close()
            c.close()
    print(
        f"Dask LocalCluster: 1 worker {results[1]:.1f} s, 2 workers {results[2]:.1f} s — "
        f"speed-up {results[1] / results[2]:.2f}x; results identical to the in-process run"
    )
    return d


def bench_scale(big: int, tmp: Path) -> None:
    times = {}
    for n in (1_000_000, big):
        d = tmp / f"p{n}"
        population.write(d, n, seed=2, year=2026)
        c, client = cluster(2)
        try:
            times[n], _ = timed_run(d, client)
        finally:
            client.close()
            c.close()
    print(
        f"1 M → {big / 1e6:.0f} M people on 2 workers: {times[1_000_000]:.1f} s → "
        f"{times[big]:.1f} s ({times[big] / times[1_000_000]:.1f}x the time for "
        f"{big / 1_000_000:.0f}x the people)"
    )


def bench_openfisca(directory: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import openfisca_assistance as ofa
    import openfisca_medical as ofm

    part = population.read(directory, 0)
    h = part.households
    n_h = int(np.searchsorted(np.cumsum(h["members"]), 100_000)) + 1
    persons = part.persons["household"] < n_h
    n_p = int(persons.sum())
    b = part.bills
    bsel = np.nonzero(persons[b["person"]] & (b["scheme"] >= 0))[0]
    first = bsel[np.r_[True, b["person"][bsel][1:] != b["person"][bsel][:-1]]]  # first bills
    bills = mrules.Bills(**{k: b[k][first] for k in mrules.Bills.__dataclass_fields__ if k in b})
    bills.later_admission[:] = False
    day = dt.date(2026, 1, 1)
    p_med = mrules.MedicalParams.from_snapshot(load().at(day, None))
    p_as = arules.AssistanceParams.from_snapshot(load().at(day, None))
    hh = part.persons["household"][:n_p]

    def ours() -> None:
        mrules.settle(bills, mrules.Totals.zeros(len(first)), p_med)
        members = arules.group_sum(hh, np.ones(n_p, dtype=np.int64), n_h)
        income = arules.group_sum(hh, part.persons["income"][:n_p], n_h)
        arules.determine(
            p_as,
            arules.Households(
                h["area"][:n_h], members, income, h["assets"][:n_h], np.zeros(n_h, dtype=np.int64)
            ),
        )

    t0 = time.perf_counter()
    ours()
    our_s = time.perf_counter() - t0
    tbs_m, tbs_a = ofm.system(), ofa.system()
    cols = ofm.columns(bills)
    t0 = time.perf_counter()
    ofm.run(tbs_m, cols, "2026")
    ofa.run(
        tbs_a,
        hh,
        part.persons["income"][:n_p] / 100,
        h["area"][:n_h] == 1,
        h["assets"][:n_h] / 100,
        "2026-01",
    )
    of_s = time.perf_counter() - t0
    print(
        f"reduced model on {n_p:,} people / {n_h:,} households / {len(first):,} bills: "
        f"Minsheng {our_s:.3f} s, OpenFisca {of_s:.2f} s — ratio {of_s / our_s:.0f}x"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3_650_000)
    ap.add_argument("--big", type=int, default=10_000_000)
    ap.add_argument("--skip-big", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = bench_region(a.people, Path(tmp))
        bench_openfisca(d)
        if not a.skip_big:
            bench_scale(a.big, Path(tmp))


if __name__ == "__main__":
    main()
