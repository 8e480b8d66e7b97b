"""The 大病 / 大额 payout on a year's compliant self-pay by a segmented scale (分段, issue 16
item 4), in either convention the parameter names (``….threshold_basis``):

- ``above_deductible``: the thresholds are measured from the deductible (threshold 0 is the
  deductible), so a special group's lower deductible ("一降") moves every bracket edge down with
  it: F(x) = S(max(x − d, 0));
- ``absolute``: the thresholds are amounts of the year's compliant self-pay itself; nothing is
  paid below the deductible, and the bracket edges stay where they are whatever the
  deductible: F(x) = S(max(x, d)) − S(d).

S is the scale's payout, formed exactly; each F is rounded once, half up, and a bill is paid
F(total after) − F(total before), so the bills of a year add up to F(the year's total).
Employees' 大额医疗补助 is a scale too (one bracket in Tibet: the same fen as one ratio).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from minsheng.medical.codes import Scheme

if TYPE_CHECKING:
    from minsheng.medical.bills import Bills
    from minsheng.medical.tables import Tables
    from minsheng.policy.scale import ScaleAt

I64 = npt.NDArray[np.int64]
BASES = ("above_deductible", "absolute")


def payout(scale: ScaleAt, total: I64, deductible: I64, absolute: bool) -> I64:
    """F(total): the payout on the year's compliant self-pay ``total``, rounded half up."""
    if absolute:
        raw = scale.raw(np.maximum(total, deductible)) - scale.raw(deductible)
    else:
        raw = scale.raw(np.maximum(total - deductible, 0))
    den = scale.den
    out: I64 = (2 * raw + den) // (2 * den)
    return out


def ci_pay(bills: Bills, t: Tables, special: I64, deductible: I64, before: I64, base: I64) -> I64:
    """What 大病 (residents; special groups on their own scale) and 大额 (employees) pay on each
    bill: F(before + base) − F(before), before the cap."""
    pay = np.zeros_like(base)
    employee = bills.scheme != Scheme.RESIDENT
    normal = ~employee & (special == 0)
    for mask, scheme, which in (
        (employee, Scheme.EMPLOYEE_ACTIVE, "sup_scale"),
        (normal, Scheme.RESIDENT, "normal_scale"),
        (~employee & ~normal, Scheme.RESIDENT, "special_scale"),
    ):
        if mask.any():  # only the figures a bill uses are read (its explanation names them)
            scale: ScaleAt = getattr(t, which)
            absolute = bool(t.ci_absolute[scheme])
            f = payout(scale, before + base, deductible, absolute)
            pay = np.where(mask, f - payout(scale, before, deductible, absolute), pay)
    return pay


def segments_used(
    scale: ScaleAt, before: int, base: int, deductible: int, absolute: bool
) -> tuple[int, int] | None:
    """The brackets (segments, from 1) of the scale that the bill's compliant self-pay ``base``
    fell in, the year's running total going from ``before`` to ``before + base``, each measured
    as the parameter names (absolute amounts, or above the deductible); None where the year's
    total stays at or below the deductible (the scale pays nothing)."""
    if absolute:
        lo, hi = max(before, deductible), max(before + base, deductible)
    else:
        lo, hi = max(before - deductible, 0), max(before + base - deductible, 0)
    if hi <= lo:
        return None
    thresholds = scale.thresholds
    first = max(sum(1 for x in thresholds if x <= lo) - 1, 0)
    last = max(sum(1 for x in thresholds if x < hi) - 1, first)
    return first + 1, last + 1
