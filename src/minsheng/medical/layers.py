"""The settlement layers (POLICY.md §1): :func:`basic_insurance`, then in the region's order
(``medical.layers.order``; Tibet's: 大病, 医疗救助) :func:`critical_illness`,
:func:`medical_assistance`, :func:`tilted_assistance` (倾斜救助) and :func:`commercial` (惠民保-
style), each on what the layers before it left; last :func:`patient_share`. :func:`settle` runs
them on N bills against the running totals before each, :func:`settle_in_order` one person's
year bill by bill (the reference for :func:`minsheng.medical.replay.replay`)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.money import apply_ratios
from minsheng.medical import person_terms, segments
from minsheng.medical.bills import (
    Assistance,
    Basic,
    Bills,
    Commercial,
    Critical,
    Result,
    Tilted,
    Totals,
)
from minsheng.medical.codes import ASSISTANCE, CRITICAL, TILTED
from minsheng.medical.tables import Group, MedicalParams, Scheme, Tables, Visit

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


# the codes as plain ints for the hot path (an enum member's attribute look-up costs µs)
_INPATIENT, _OUTPATIENT = int(Visit.INPATIENT), int(Visit.OUTPATIENT)
_RESIDENT, _NO_GROUP = int(Scheme.RESIDENT), int(Group.NONE)


def _half_up(x: I64, num: int, den: int) -> I64:
    """x × num / den for x ≥ 0, rounded half up (:func:`minsheng.core.money.apply_ratio`)."""
    out: I64 = (2 * x * num + den) // (2 * den)
    return out


def _special(bills: Bills) -> I64:
    """1 where "一降一升一取消" applies (residents in a special group), else 0."""
    special: I64 = ((bills.scheme == _RESIDENT) & bills.special).astype(np.int64)
    return special


def special_at(bills: Bills, i: int) -> int:
    """:func:`_special` of bill ``i`` alone, without building a one-row Bills."""
    return int(int(bills.scheme[i]) == _RESIDENT and bool(bills.special[i]))


def _deductible(bills: Bills, t: Tables, lv: I64, inpatient: Bools) -> I64:
    """The whole deductible (起付线) of each bill: per admission in hospital, by the admission
    number of the year (the last table column holds for every later one), less the referring
    level's where a region tops up only the difference (转诊补差); yearly for outpatients."""
    slot = np.minimum(bills.admission_number(), t.slots) - 1
    slot = np.where(inpatient, slot, 0)
    ded: I64 = t.deductible[bills.visit, bills.scheme, lv, slot]
    if t.any_top_up:
        frm = bills.referred_from
        ip = np.flatnonzero(inpatient)
        up = np.zeros(len(frm), dtype=np.bool_)
        up[ip] = t.top_up[bills.scheme[ip]] & (frm[ip] >= 1) & (frm[ip] < bills.level[ip])
        if up.any():
            lower_lv = np.minimum(np.maximum(frm, 1), 3) - 1
            lower = t.deductible[bills.visit, bills.scheme, lower_lv, slot]
            ded = np.where(up, np.maximum(ded - lower, 0), ded)
    return ded


def _banded(
    t: Tables, bills: Bills, lv: I64, ratio: I64, cost_before: I64, above: I64
) -> tuple[I64, I64, I64, I64]:
    """The fund's pay on the year's cost above the deductible from ``cost_before`` to
    ``cost_before + above``: each part at its band's ratio (分段报销, the level's ratio plus the
    band's points), only up to the yearly eligible-cost ceiling; one rounding, half up —
    F(cost after) − F(cost before), so a year splits into bills without a fen lost.
    Returns (pay, counted cost, first band, last band)."""
    ceiling = t.ceiling[bills.visit, bills.scheme]
    lo = np.minimum(cost_before, ceiling)
    hi = np.minimum(cost_before + above, ceiling)
    thr = t.band_thr[bills.visit, bills.scheme, lv]  # [n, band]
    inc = t.band_inc[bills.visit, bills.scheme, lv]
    raw = np.zeros_like(above)
    n_bands = thr.shape[1]
    for b in range(n_bands):
        top = thr[:, b + 1] if b + 1 < n_bands else ceiling
        part = np.maximum(np.minimum(hi, top) - np.maximum(lo, thr[:, b]), 0)
        raw += part * np.minimum(np.maximum(ratio + inc[:, b], 0), t.den)
    pay: I64 = (2 * raw + t.den) // (2 * t.den)
    first = np.maximum((thr <= lo[:, None]).sum(axis=1) - 1, 0)
    last = np.maximum((thr < np.maximum(hi, lo + 1)[:, None]).sum(axis=1) - 1, first)
    return pay, hi - lo, first.astype(np.int64), last.astype(np.int64)


def basic_insurance(bills: Bills, before: Totals, t: Tables) -> Basic:
    """基本医保: the fund pays ratio × (政策范围内 − the deductible left), up to the cap left.

    The ratio (报销比例) depends on the scheme, outpatient or inpatient and the hospital level,
    lowered out of the pooling area (异地就医, more if not filed), raised by cost band where a
    region bands it over the year's cumulative cost (分段报销), on no more than the yearly
    eligible-cost ceiling. The deductible (起付线) is yearly for outpatient pooling and per
    admission in hospital (by the admission number of the year)."""
    lv = np.minimum(np.maximum(bills.level, 1), 3) - 1  # np.clip is slow on short arrays
    ratio = np.maximum(t.basic_ratio[bills.visit, bills.scheme, lv] - t.reduction[bills.area], 0)
    ratio = person_terms.raise_ratio(bills, t, ratio)  # by age, years of enrolment (item 6)
    inpatient = bills.visit == _INPATIENT
    ded_total = _deductible(bills, t, lv, inpatient)
    ded_left = np.where(inpatient, ded_total, np.maximum(ded_total - before.op_deductible, 0))
    deductible = np.minimum(bills.policy, ded_left)
    cap = t.basic_cap[bills.visit, bills.scheme]
    cap_left = np.maximum(cap - np.where(inpatient, before.ip_paid, before.op_paid), 0)
    above = bills.policy - deductible
    if t.cumulative:
        cost_before = np.where(inpatient, before.ip_cost, before.op_cost)
        pay, counted, first, last = _banded(t, bills, lv, ratio, cost_before, above)
    else:  # no bands, no ceiling: one ratio on the bill (today's Tibet)
        pay, counted = apply_ratios(above, ratio, t.den), above
        first = last = np.zeros_like(above)
    amount = np.minimum(pay, cap_left)
    return Basic(
        bills.policy, deductible, ratio, t.den, cap, cap_left, amount, above, counted, first, last
    )


def critical_illness(bills: Bills, before: Totals, t: Tables, compliant: I64) -> Critical:
    """大病保险 (residents) / 大额医疗补助 (employees): inpatient bills, and outpatient ones
    where a region's rules accumulate them (``includes_outpatient``).

    The compliant self-pay left after basic insurance adds to the year's running total; the
    fund pays F(total after) − F(total before), F the payout of a segmented scale (分段比例;
    employees' 大额 one bracket in Tibet), its thresholds measured as the parameter names
    (:mod:`~minsheng.medical.segments`); capped by what is left of the yearly cap (raised by
    years of enrolment and zero-claim years where a region says so). Residents in special
    groups get "一降一升一取消": a lower deductible, +N points on each
    segment, no cap."""
    inpatient = bills.visit == _INPATIENT
    covered = inpatient
    if t.any_ci_outpatient:  # outpatient self-pay too, where a region's rules say so
        op = np.flatnonzero(~inpatient)
        covered = inpatient.copy()
        covered[op] = t.ci_outpatient[bills.scheme[op]]
    base = np.where(covered, compliant, 0)
    zero = np.zeros_like(base)
    if not covered.any():  # outpatient bills only: the layer does not apply
        return Critical(base, zero, zero - 1, zero - 1, zero)
    sp = _special(bills)
    deductible = t.ci_deductible[bills.scheme, sp]
    cap = person_terms.raise_cap(bills, t, t.ci_cap[bills.scheme, sp])  # enrolment, zero claims
    cap_left = np.where(cap < 0, -1, np.maximum(cap - before.ci_paid, 0))
    pay = segments.ci_pay(bills, t, sp, deductible, before.ci_base, base)  # 分段, either basis
    capped = np.where(cap < 0, pay, np.minimum(pay, np.maximum(cap_left, 0)))
    amount: I64 = np.maximum(np.minimum(capped, base), 0)
    return Critical(base, deductible, cap, cap_left, amount)


def medical_assistance(bills: Bills, before: Totals, t: Tables, self_paid: I64) -> Assistance:
    """医疗救助 on what is still self-paid in the policy range, for assistance groups and
    border residents (边境一线): above the group's yearly deductible (none for border
    residents), at the group's ratio (border residents: the better of theirs and the group's),
    up to the yearly cap left (higher for 重特大疾病)."""
    eligible = (bills.group != _NO_GROUP) | bills.border
    zero = np.zeros_like(self_paid)
    if not eligible.any():
        return Assistance(eligible, self_paid, zero, zero, zero, t.as_den, zero, zero, zero)
    border = bills.border.astype(np.int64)
    ratio = t.as_ratio[bills.group, border]
    ded_total = t.as_deductible[bills.group, border]
    deductible = np.where(
        eligible, np.minimum(self_paid, np.maximum(ded_total - before.as_deductible, 0)), 0
    )
    cap = t.as_cap[bills.major_disease.astype(np.int64)]
    cap_left = np.maximum(cap - before.as_paid, 0)
    amount = np.where(
        eligible,
        np.minimum(apply_ratios(self_paid - deductible, ratio, t.as_den), cap_left),
        0,
    )
    return Assistance(
        eligible, self_paid, ded_total, deductible, ratio, t.as_den, cap, cap_left, amount
    )


def tilted_assistance(bills: Bills, before: Totals, t: Tables, self_paid: I64) -> Tilted:
    """倾斜救助, for one stay (inpatient bills) of a person in an assistance group: the
    policy-range self-pay left after the layers before it (basic, 大病, 医疗救助) above the
    group's threshold, at the group's ratio, up to what is left of the yearly limit."""
    eligible = (bills.group != _NO_GROUP) & (bills.visit == _INPATIENT)
    if not eligible.any():
        return Tilted.off(len(bills), t.ta_den)
    ratio = t.ta_ratio[bills.group]
    threshold = np.where(eligible, np.minimum(self_paid, t.ta_threshold[bills.group]), 0)
    cap_left = np.maximum(t.ta_cap - before.ta_paid, 0)
    pay = np.minimum(apply_ratios(self_paid - threshold, ratio, t.ta_den), cap_left)
    amount = np.where(eligible, pay, 0)
    return Tilted(eligible, self_paid, threshold, ratio, t.ta_den, cap_left, amount)


def commercial(bills: Bills, before: Totals, t: Tables, self_paid: I64) -> Commercial:
    """The commercial supplementary layer (惠民保-style) on inpatient bills (and outpatient
    ones where ``includes_outpatient``): a share of everything still self-paid, costs out of
    the catalogue (全自费, 超限价, 先行自付) included, above what is left of the yearly
    deductible, up to what is left of the yearly cap."""
    covered = bills.visit == _INPATIENT
    if t.cm_outpatient:
        covered = np.ones(len(bills), dtype=np.bool_)
    if not covered.any():
        return Commercial.off(len(bills), t.cm_den)
    ded_left = np.maximum(t.cm_deductible - before.cm_deductible, 0)
    deductible = np.where(covered, np.minimum(self_paid, ded_left), 0)
    cap_left = np.maximum(t.cm_cap - before.cm_paid, 0)
    pay = np.minimum(_half_up(self_paid - deductible, t.cm_ratio, t.cm_den), cap_left)
    amount = np.where(covered, pay, 0)
    ratio = np.full(len(bills), t.cm_ratio, dtype=np.int64)
    total_ded = np.full(len(bills), t.cm_deductible, dtype=np.int64)
    return Commercial(covered, self_paid, total_ded, deductible, ratio, t.cm_den, cap_left, amount)


def patient_share(bills: Bills, funds_paid: I64) -> tuple[I64, I64, I64]:
    """个人负担: the whole bill less what the funds paid, taken first from the personal
    accounts offered (the patient's own employee account, then relatives' shared with the
    family, 家庭共济 — the balance given is already only what may pay), the rest in cash.
    Returns (patient, account, cash)."""
    patient = bills.total - funds_paid
    account = np.maximum(np.minimum(patient, bills.account_balance), 0)
    return patient, account, patient - account


def settle(bills: Bills, before: Totals, p: MedicalParams) -> Result:
    """Settle N bills against the running totals before each: basic insurance, the layers of
    the region's order, each on what the ones before it left, then the patient's share."""
    t = p.t
    n = len(bills)
    basic = basic_insurance(bills, before, t)
    compliant = bills.policy - basic.amount  # 合规自付 after basic insurance
    left = compliant  # the policy-range self-pay the layers so far have left
    ci: Critical | None = None
    aid: Assistance | None = None
    ta: Tilted | None = None
    cm: Commercial | None = None
    for layer in t.order:
        if layer == CRITICAL:
            ci = critical_illness(bills, before, t, left)
            left = left - ci.amount
        elif layer == ASSISTANCE:
            aid = medical_assistance(bills, before, t, left)
            left = left - aid.amount
        elif layer == TILTED:
            ta = tilted_assistance(bills, before, t, left)
            left = left - ta.amount
        else:  # commercial, last: everything still self-paid, out of the policy range too
            cm = commercial(bills, before, t, bills.total - bills.policy + left)
    funds = basic.amount
    for done in (ci, aid, ta, cm):
        if done is not None:
            funds = funds + done.amount
    # a layer the region does not settle pays nothing (one zero column shared, never written)
    zero, no = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
    if ci is None:
        ci = Critical(zero, zero, zero - 1, zero - 1, zero)
    if aid is None:
        aid = Assistance(no, zero, zero, zero, zero, t.as_den, zero, zero, zero)
    if ta is None:
        ta = Tilted(no, zero, zero, zero, t.ta_den, zero, zero)
    if cm is None:
        cm = Commercial(no, zero, zero, zero, zero, t.cm_den, zero, zero)
    patient, account, cash = patient_share(bills, funds)
    inpatient = bills.visit == _INPATIENT
    return Result(
        inpatient=inpatient,
        basic_base=basic.base,
        basic_deductible=basic.deductible,
        basic_ratio_num=basic.ratio_num,
        ratio_den=basic.den,
        basic_cap=basic.cap,
        basic_cap_left=basic.cap_left,
        basic=basic.amount,
        basic_above=basic.above,
        basic_counted=basic.counted,
        basic_band_first=basic.band_first,
        basic_band_last=basic.band_last,
        op_deductible=np.where(inpatient, 0, basic.deductible),
        compliant=compliant,
        ci_base=ci.base,
        ci_deductible=ci.deductible,
        ci_cap=ci.cap,
        ci_cap_left=ci.cap_left,
        ci=ci.amount,
        ci_before=before.ci_base,
        as_eligible=aid.eligible,
        as_base=aid.base,
        as_deductible_total=aid.deductible_total,
        as_deductible=aid.deductible,
        as_ratio_num=aid.ratio_num,
        as_ratio_den=aid.den,
        as_cap=aid.cap,
        as_cap_left=aid.cap_left,
        assistance=aid.amount,
        ta_eligible=ta.eligible,
        ta_base=ta.base,
        ta_threshold=ta.threshold,
        ta_ratio_num=ta.ratio_num,
        ta_ratio_den=ta.den,
        ta_cap_left=ta.cap_left,
        tilted=ta.amount,
        cm_covered=cm.covered,
        cm_base=cm.base,
        cm_deductible_total=cm.deductible_total,
        cm_deductible=cm.deductible,
        cm_ratio_num=cm.ratio_num,
        cm_ratio_den=cm.den,
        cm_cap_left=cm.cap_left,
        commercial=cm.amount,
        patient=patient,
        account=account,
        cash=cash,
    )


def settle_in_order(bills: Bills, p: MedicalParams) -> tuple[Result, Totals]:
    """Settle one person's bills of one year one after another (the reference for replay).

    Returns the per-bill results (stacked) and the running totals after the last bill.
    """
    totals = Totals.zeros(1)
    parts: list[Result] = []
    for i in range(len(bills)):
        r = settle(bills.row(i), totals, p)
        parts.append(r)
        totals = totals.after(r)
    stacked: dict[str, Any] = {}
    for f in fields(Result):
        if f.name.endswith("ratio_den"):  # one denominator for every bill
            stacked[f.name] = max(getattr(r, f.name) for r in parts) if parts else 1
        else:
            cols = [getattr(r, f.name) for r in parts]
            stacked[f.name] = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    return Result(**stacked), totals
