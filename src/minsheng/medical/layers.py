"""The four settlement layers and their order (POLICY.md §1): :func:`basic_insurance`,
:func:`critical_illness`, :func:`medical_assistance`, :func:`patient_share`; :func:`settle`
runs them on N bills against the running totals before each, :func:`settle_in_order` one
person's year bill by bill (the reference for :func:`minsheng.medical.replay.replay`)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.money import apply_ratios
from minsheng.medical.bills import Assistance, Basic, Bills, Critical, Result, Totals
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


def basic_insurance(bills: Bills, before: Totals, t: Tables) -> Basic:
    """基本医保: the fund pays ratio × (政策范围内 − the deductible left), up to the cap left.

    The ratio (报销比例) depends on the scheme, outpatient or inpatient and the hospital level,
    lowered out of the pooling area (异地就医, more if not filed). The deductible (起付线) is yearly
    for outpatient pooling and per admission in hospital (lower for a later admission)."""
    lv = np.minimum(np.maximum(bills.level, 1), 3) - 1  # np.clip is slow on short arrays
    ratio = np.maximum(t.basic_ratio[bills.visit, bills.scheme, lv] - t.reduction[bills.area], 0)
    inpatient = bills.visit == _INPATIENT
    ded_total = t.deductible[bills.visit, bills.scheme, lv, bills.later_admission.astype(np.int64)]
    ded_left = np.where(inpatient, ded_total, np.maximum(ded_total - before.op_deductible, 0))
    deductible = np.minimum(bills.policy, ded_left)
    cap = t.basic_cap[bills.visit, bills.scheme]
    cap_left = np.maximum(cap - np.where(inpatient, before.ip_paid, before.op_paid), 0)
    amount = np.minimum(apply_ratios(bills.policy - deductible, ratio, t.den), cap_left)
    return Basic(bills.policy, deductible, ratio, t.den, cap, cap_left, amount)


def critical_illness(bills: Bills, before: Totals, t: Tables, compliant: I64) -> Critical:
    """大病保险 (residents) / 大额医疗补助 (employees), inpatient bills only.

    The compliant self-pay left after basic insurance adds to the year's running total; the
    fund pays F(total after) − F(total before), F the payout above the deductible: for residents
    the segmented scale (分段比例), for employees one ratio; capped by what is left of the yearly
    cap. Residents in special groups get "一降一升一取消": a lower deductible, +N points on each
    segment, no cap."""
    inpatient = bills.visit == _INPATIENT
    base = np.where(inpatient, compliant, 0)
    zero = np.zeros_like(base)
    if not inpatient.any():  # outpatient bills only: the layer does not apply
        return Critical(base, zero, zero - 1, zero - 1, zero)
    sp = _special(bills)
    deductible = t.ci_deductible[bills.scheme, sp]
    cap = t.ci_cap[bills.scheme, sp]
    cap_left = np.where(cap < 0, -1, np.maximum(cap - before.ci_paid, 0))
    above_before = np.maximum(before.ci_base - deductible, 0)
    above_after = np.maximum(before.ci_base + base - deductible, 0)
    employee = bills.scheme != _RESIDENT
    pay = zero
    if employee.any():
        num, den = t.sup_num, t.sup_den
        sup = _half_up(above_after, num, den) - _half_up(above_before, num, den)
        pay = np.where(employee, sup, pay)
    normal = ~employee & (sp == 0)
    if normal.any():
        scale = t.normal_scale
        pay = np.where(normal, scale.calc(above_after) - scale.calc(above_before), pay)
    special = ~employee & (sp == 1)
    if special.any():
        scale = t.special_scale
        pay = np.where(special, scale.calc(above_after) - scale.calc(above_before), pay)
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


def patient_share(bills: Bills, funds_paid: I64) -> tuple[I64, I64, I64]:
    """个人负担: the whole bill less what the funds paid, taken first from the personal
    accounts offered (the patient's own employee account, then relatives' shared with the
    family, 家庭共济 — the balance given is already only what may pay), the rest in cash.
    Returns (patient, account, cash)."""
    patient = bills.total - funds_paid
    account = np.maximum(np.minimum(patient, bills.account_balance), 0)
    return patient, account, patient - account


def settle(bills: Bills, before: Totals, p: MedicalParams) -> Result:
    """Settle N bills against the running totals before each: the four layers in order."""
    t = p.t
    basic = basic_insurance(bills, before, t)
    compliant = bills.policy - basic.amount  # 合规自付 after basic insurance
    ci = critical_illness(bills, before, t, compliant)
    aid = medical_assistance(bills, before, t, compliant - ci.amount)
    patient, account, cash = patient_share(bills, basic.amount + ci.amount + aid.amount)
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
        op_deductible=np.where(inpatient, 0, basic.deductible),
        compliant=compliant,
        ci_base=ci.base,
        ci_deductible=ci.deductible,
        ci_cap=ci.cap,
        ci_cap_left=ci.cap_left,
        ci=ci.amount,
        as_eligible=aid.eligible,
        as_base=aid.base,
        as_deductible_total=aid.deductible_total,
        as_deductible=aid.deductible,
        as_ratio_num=aid.ratio_num,
        as_ratio_den=aid.den,
        as_cap=aid.cap,
        as_cap_left=aid.cap_left,
        assistance=aid.amount,
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
        if f.name in ("ratio_den", "as_ratio_den"):
            stacked[f.name] = getattr(parts[0], f.name) if parts else 1
        else:
            cols = [getattr(r, f.name) for r in parts]
            stacked[f.name] = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    return Result(**stacked), totals
