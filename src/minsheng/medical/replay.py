"""A whole year of many people's bills in one vectorised pass (:func:`replay`): each running
total a grouped cumulative sum of what the bills before it posted, the same fen as settling
the bills one by one."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from minsheng.medical.bills import Bills, Result, Totals
from minsheng.medical.codes import ASSISTANCE, CRITICAL, TILTED
from minsheng.medical.layers import _INPATIENT, _OUTPATIENT, settle
from minsheng.medical.tables import MedicalParams

I64 = npt.NDArray[np.int64]


def _excl_cumsum(x: I64, start: I64) -> I64:
    """Within each run of rows (``start[i]`` = first row of i's group), the sum of the rows
    before i: a grouped, exclusive cumulative sum."""
    cs = np.cumsum(x)
    return cs - x - (cs[start] - x[start])


def group_starts(keys: I64) -> I64:
    """For rows sorted by ``keys``, the index of the first row of each row's group."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.ones(n, dtype=np.bool_)
    first[1:] = keys[1:] != keys[:-1]
    idx = np.where(first, np.arange(n), 0)
    return np.maximum.accumulate(idx).astype(np.int64)


def replay(keys: I64, bills: Bills, p: MedicalParams) -> Result:
    """Settle a whole year of many people's bills in one vectorised pass.

    ``keys`` identifies each person-year; rows must be grouped by key and, within a group, in
    the order the bills were settled. Each running total is a grouped cumulative sum of what the
    bills before it posted; caps turn into ``min(cumulative, cap)``. The layers after basic
    insurance are taken in the region's order (``medical.layers.order``): each works on what
    the ones before it left, so their totals are known first. The answer equals settling the
    bills one by one, to the fen (a property test proves it).
    """
    n = len(bills)
    start = group_starts(keys)
    zero = np.zeros(n, dtype=np.int64)
    big = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    inpatient = bills.visit == _INPATIENT

    # 1. the yearly outpatient deductible
    op_policy = np.where(inpatient, 0, bills.policy)
    op_ded_total = np.where(inpatient, 0, p.t.deductible[_OUTPATIENT, bills.scheme, 0, 0])
    op_ded_before = np.minimum(_excl_cumsum(op_policy, start), op_ded_total)

    def totals(**known: I64) -> Totals:
        names = ("op_paid", "ip_paid", "ci_base", "ci_paid", "as_deductible", "as_paid")
        cols = {k: known.get(k, zero) for k in names}
        more = ("op_cost", "ip_cost", "ta_paid", "cm_deductible", "cm_paid")
        return Totals(
            op_deductible=op_ded_before, **cols, **{k: known[k] for k in more if k in known}
        )

    # 2. basic insurance: with the deductible known, the year's cost above it (bands and
    # ceilings: the fund pays F(cost after) − F(cost before)); then the cumulative cap
    first = settle(bills, totals(), p)
    cost: dict[str, I64] = {}
    if p.t.cumulative:
        above = first.basic_above
        cost["op_cost"] = _excl_cumsum(np.where(inpatient, 0, above), start)
        cost["ip_cost"] = _excl_cumsum(np.where(inpatient, above, 0), start)
        first = settle(bills, totals(**cost), p)
    cap = first.basic_cap  # each row's own (outpatient or inpatient) yearly cap
    known = {
        **cost,
        "op_paid": np.minimum(_excl_cumsum(np.where(inpatient, 0, first.basic), start), cap),
        "ip_paid": np.minimum(_excl_cumsum(np.where(inpatient, first.basic, 0), start), cap),
    }
    latest = settle(bills, totals(**known), p)  # every total known so far, as it stands

    # 3. the layers after basic, in the region's order, each from the pass before it
    for layer in p.t.order:
        if layer == CRITICAL:  # the running compliant self-pay, then the cumulative cap
            known["ci_base"] = _excl_cumsum(latest.ci_base, start)
            latest = settle(bills, totals(**known), p)
            ci_cap = np.where(latest.ci_cap < 0, big, latest.ci_cap)
            known["ci_paid"] = np.minimum(_excl_cumsum(latest.ci, start), ci_cap)
        elif layer == ASSISTANCE:  # its deductible, then its cumulative cap
            eligible = latest.as_eligible
            as_ded_total = np.where(eligible, latest.as_deductible_total, 0)
            known["as_deductible"] = np.minimum(
                _excl_cumsum(np.where(eligible, latest.as_base, 0), start), as_ded_total
            )
            latest = settle(bills, totals(**known), p)
            known["as_paid"] = np.minimum(_excl_cumsum(latest.assistance, start), latest.as_cap)
        elif layer == TILTED:  # 倾斜救助: a threshold per stay, a cumulative cap
            known["ta_paid"] = np.minimum(_excl_cumsum(latest.tilted, start), p.t.ta_cap)
        else:  # commercial: its yearly deductible, then its cumulative cap
            base = np.where(latest.cm_covered, latest.cm_base, 0)
            known["cm_deductible"] = np.minimum(_excl_cumsum(base, start), p.t.cm_deductible)
            latest = settle(bills, totals(**known), p)
            known["cm_paid"] = np.minimum(_excl_cumsum(latest.commercial, start), p.t.cm_cap)
        latest = settle(bills, totals(**known), p)
    return latest
