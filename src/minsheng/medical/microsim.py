"""Medical security in the microsimulation: what the three funds pay for each household's
bills in a year, with the live settlement rules (``rules.replay``: the running totals of each
person-year as grouped cumulative sums). Parameters are those in force on ``as_of`` in each
bill's prefecture (region overrides apply)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from minsheng.medical import rules
from minsheng.policy import ParameterTree
from minsheng.programmes import Columns

I64 = npt.NDArray[np.int64]
OUTPUTS = (
    "medical_basic",  # 基本医保
    "medical_critical",  # 大病保险 / 大额医疗补助
    "medical_assistance",  # 医疗救助
)


def _sum(index: I64, values: I64, n: int) -> I64:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index.astype(np.int64), values.astype(np.int64))
    return out


def simulate(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Funds paid per household (fen a year): basic, critical illness, assistance."""
    hh, b = part.persons["household"], part.bills
    n_h = len(part.households["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in OUTPUTS}
    pref_of_bill = part.households["prefecture"][hh[b["person"]]]
    insured = b["scheme"] >= 0
    for region in np.unique(pref_of_bill):
        sel = np.nonzero((pref_of_bill == region) & insured)[0]
        if len(sel) == 0:
            continue
        bills = rules.Bills(
            **{k: np.asarray(b[k][sel]) for k in rules.Bills.__dataclass_fields__ if k in b}
        )
        p = rules.MedicalParams.from_snapshot(tree.at(as_of, str(region)))
        r = rules.replay(b["person"][sel], bills, p)
        owner = hh[b["person"][sel]]
        for name, col in zip(OUTPUTS, (r.basic, r.ci, r.assistance), strict=True):
            out[name] += _sum(owner, col, n_h)
    return out
