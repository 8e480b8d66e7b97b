"""A whole year of many people's bills in one vectorised pass (:func:`replay`): each running
total a grouped cumulative sum of what the bills before it posted, the same fen as settling
the bills one by one."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from minsheng.medical.bills import Bills, Result, Totals
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
    bills before it posted; caps turn into ``min(cumulative, cap)``. The answer equals settling
    the bills one by one, to the fen (a property test proves it).
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

    # 2. basic insurance: raw amounts with the deductible known, then the cumulative cap
    t = Totals(op_ded_before, zero, zero, zero, zero, zero, zero)
    first = settle(bills, t, p)
    cap = first.basic_cap  # each row's own (outpatient or inpatient) yearly cap
    op_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, 0, first.basic), start), cap)
    ip_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, first.basic, 0), start), cap)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, zero, zero, zero, zero)
    second = settle(bills, t, p)

    # 3. critical illness: the running compliant self-pay, then the cumulative cap
    ci_base_before = _excl_cumsum(second.ci_base, start)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, ci_base_before, zero, zero, zero)
    third = settle(bills, t, p)
    ci_cap = np.where(third.ci_cap < 0, big, third.ci_cap)
    ci_paid_before = np.minimum(_excl_cumsum(third.ci, start), ci_cap)

    # 4. assistance: its deductible, then its cumulative cap
    t = Totals(
        op_ded_before, op_paid_before, ip_paid_before, ci_base_before, ci_paid_before, zero, zero
    )
    fourth = settle(bills, t, p)
    eligible = fourth.as_eligible
    as_ded_total = np.where(eligible, fourth.as_deductible_total, 0)
    as_ded_before = np.minimum(
        _excl_cumsum(np.where(eligible, fourth.as_base, 0), start), as_ded_total
    )
    t = Totals(
        op_ded_before,
        op_paid_before,
        ip_paid_before,
        ci_base_before,
        ci_paid_before,
        as_ded_before,
        zero,
    )
    fifth = settle(bills, t, p)
    as_paid_before = np.minimum(_excl_cumsum(fifth.assistance, start), fifth.as_cap)
    final = Totals(
        op_ded_before,
        op_paid_before,
        ip_paid_before,
        ci_base_before,
        ci_paid_before,
        as_ded_before,
        as_paid_before,
    )
    return settle(bills, final, p)
