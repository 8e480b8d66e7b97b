"""The layer chain (issue 16 item 5): the vectorised replay of a synthetic year (the bills of
``benchmarks/medical.py``) and one inpatient bill, in Tibet's chain and with 倾斜救助 and the
commercial layer on — each the best of three runs, one process.

Run: ``uv run python benchmarks/medical_chain.py [--bills 1000000 --people 365000]``; for the
code before a change, put its ``src/`` first on ``PYTHONPATH`` (the new layers are then left
out: the overlay names parameters that code does not have).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.medical import PARAMS, synthetic
from minsheng.medical import rules
from minsheng.policy import load
from minsheng.policy.overlays import parse_overlay


def _on(value: object) -> dict[str, object]:
    return {"values": {"2024-01-01": {"value": value}}}


NEW = {  # illustrative figures
    "medical.layers.order": _on("basic critical_illness assistance tilted_assistance commercial"),
    "medical.tilted_assistance.threshold": _on(1000),
    "medical.tilted_assistance.annual_cap": _on(3000),
    "medical.tilted_assistance.ratio.dibao": _on("0.5"),
    "medical.commercial.deductible": _on(20000),
    "medical.commercial.ratio": _on("0.7"),
    "medical.commercial.annual_cap": _on(50000),
}


def _best(fn: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bills", type=int, default=1_000_000)
    ap.add_argument("--people", type=int, default=365_000)
    a = ap.parse_args()
    keys, bills = synthetic(a.bills, a.people)
    variants = [("Tibet's chain", PARAMS)]
    if "medical.layers.order" in {leaf.path for leaf in load().leaves()}:
        tree = load().with_overlay(parse_overlay({"changes": NEW}, "new layers"))
        snap = tree.at(dt.date(2024, 6, 1), "540200")
        variants.append(("new layers on", rules.MedicalParams.from_snapshot(snap)))
    one = bills.row(int(np.flatnonzero(bills.visit == 1)[0]))
    zero = rules.Totals.zeros(1)
    for name, p in variants:
        r = rules.replay(keys, bills, p)
        replay_s = _best(lambda p=p: rules.replay(keys, bills, p))  # type: ignore[misc]
        for _ in range(500):
            rules.settle(one, zero, p)
        each = _best(lambda p=p: [rules.settle(one, zero, p) for _ in range(4000)]) / 4000  # type: ignore[misc]
        three = int(r.basic.sum() + r.ci.sum() + r.assistance.sum())
        new = int(
            getattr(r, "tilted", np.zeros(1)).sum() + getattr(r, "commercial", np.zeros(1)).sum()
        )
        print(
            f"{name}: replay {a.bills:,} bills {replay_s:.2f} s; one inpatient bill "
            f"{each * 1e3:.3f} ms; three funds ¥{three / 100:,.2f}; new layers ¥{new / 100:,.2f}"
        )


if __name__ == "__main__":
    main()
