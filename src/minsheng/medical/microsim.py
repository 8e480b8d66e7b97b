"""Medical security in the microsimulation: what each fund pays for each household's bills in a
year, with the live settlement rules (``rules.replay``: the running totals of each person-year
as grouped cumulative sums). Parameters are those in force on ``as_of`` in each bill's
prefecture (region overrides apply). Each bill carries the person's facts the window supplies
(age, years of continuous enrolment, zero-claim years: ``sim/population.py``), so the ratios
and caps that depend on the person apply here as at the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.medical import rules
from minsheng.medical.codes import COMMERCIAL, TILTED
from minsheng.policy import ParameterTree
from minsheng.programmes import Columns

I64 = npt.NDArray[np.int64]
OUTPUTS = (
    "medical_basic",  # 基本医保
    "medical_critical",  # 大病保险 / 大额医疗补助
    "medical_assistance",  # 医疗救助
    "medical_tilted",  # 倾斜救助 (where the region's order lists it)
    "medical_commercial",  # 商业补充医疗保险, 惠民保-style (likewise)
)
# the layers a region may leave out of its order (reported only where they pay: the programme's
# ``outputs_where_paid``; Tibet: never)
_LAYER = {"medical_tilted": TILTED, "medical_commercial": COMMERCIAL}
FACTS = ("age", "enrolled_years", "zero_claim_years")  # the person's, on each bill


def _sum(index: I64, values: I64, n: int) -> I64:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index.astype(np.int64), values.astype(np.int64))
    return out


def simulate(part: Columns, tree: ParameterTree, as_of: dt.date) -> dict[str, I64]:
    """Funds paid per household (fen a year): basic, critical illness, assistance, tilted
    assistance, the commercial layer."""
    hh, b = part.persons["household"], part.bills
    n_h = len(part.households["area"])
    out = {k: np.zeros(n_h, dtype=np.int64) for k in OUTPUTS}
    pref_of_bill = part.households["prefecture"][hh[b["person"]]]
    insured = b["scheme"] >= 0
    for region in np.unique(pref_of_bill):
        sel = np.nonzero((pref_of_bill == region) & insured)[0]
        if len(sel) == 0:
            continue
        p = rules.MedicalParams.from_snapshot(tree.at(as_of, str(region)))
        skip = () if p.t.person.on else FACTS  # facts no term reads are not copied (Tibet's)
        cols: dict[str, Any] = {
            k: np.asarray(b[k][sel])
            for k in rules.Bills.__dataclass_fields__
            if k in b and k not in skip
        }
        for k in set(FACTS) & set(cols):  # int16 in the population, int64 for the rules
            cols[k] = cols[k].astype(np.int64)
        bills = rules.Bills(**cols)
        r = rules.replay(b["person"][sel], bills, p)
        owner = hh[b["person"][sel]]
        paid = (r.basic, r.ci, r.assistance, r.tilted, r.commercial)
        for name, col in zip(OUTPUTS, paid, strict=True):
            if name in _LAYER and _LAYER[name] not in p.t.order:
                continue  # a layer the region does not settle pays nothing
            out[name] += _sum(owner, col, n_h)
    return out
