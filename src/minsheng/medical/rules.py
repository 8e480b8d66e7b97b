"""The settlement rules, pure and vectorised: one bill or ten million, the same code.

A bill arrives already split (:func:`split_lines`) into 全自费 (fully self-paid), 超限价自费
(over the price limit), 先行自付 (乙类 items' self-pay-first share) and 政策范围内 (the
policy-range amount the funds work on). Then, per person and calendar year, four layers in this
order (POLICY.md §1), each a function a policy reader can find by name:

1. :func:`basic_insurance` — 基本医保;
2. :func:`critical_illness` — 大病保险 (residents) / 大额医疗补助 (employees);
3. :func:`medical_assistance` — 医疗救助;
4. :func:`patient_share` — 个人负担: personal account first, then cash.

Every amount is integer fen; every ratio an exact fraction; every figure a dated, cited
parameter (:class:`~minsheng.medical.tables.MedicalParams`). Running totals enter as arrays
("state before this bill"), so a whole year replays (:func:`replay`) with grouped cumulative sums
and gives the same fen as settling bills one by one. :func:`explain` says, for one bill, which
figures each layer used: the explanation comes from the rules, not from a second reading.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.money import apply_ratios
from minsheng.medical.bills import Assistance, Basic, BillRow, Bills, Critical, Result, Totals
from minsheng.medical.lines import Lines, Split, registration_waived, split_lines
from minsheng.medical.tables import (
    AREAS,
    BORDER,
    CATEGORIES,
    GROUPS,
    LEVELS,
    SCHEMES,
    VISITS,
    Area,
    Category,
    Group,
    MedicalParams,
    Scheme,
    Tables,
    Visit,
    yearly_caps,
)
from minsheng.policy import ValueInfo

__all__ = [
    "AREAS",
    "BORDER",
    "CATEGORIES",
    "GROUPS",
    "LEVELS",
    "SCHEMES",
    "VISITS",
    "Area",
    "BillRow",
    "Bills",
    "Category",
    "Group",
    "Lines",
    "MedicalParams",
    "Result",
    "Scheme",
    "Split",
    "Step",
    "Tables",
    "Totals",
    "Visit",
    "explain",
    "group_starts",
    "registration_waived",
    "replay",
    "settle",
    "settle_in_order",
    "split_lines",
    "yearly_caps",
]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


# ----------------------------------------------------------------------------- the layers


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


# ----------------------------------------------------------------------------- explanation


@dataclass(frozen=True)
class Step:
    """What one fund did on one bill, and every figure it used (with date and source)."""

    fund: str  # basic, critical_illness, supplementary, assistance
    base: int
    deductible: int
    ratio: str
    cap_left: int | None  # None: no cap
    cap_reached: bool
    amount: int
    parameters: tuple[ValueInfo, ...]


def _ratio_text(num: int, den: int) -> str:
    return str((Decimal(num) / Decimal(den)).normalize())


def _paths(*cells: Any) -> list[str]:
    out: list[str] = []
    for cell in cells:
        out += [x for x in cell if x not in out]
    return out


def _ci_order(paths: list[str]) -> list[str]:
    """The fund's own figures, then the special-group ones, then the scale's brackets."""

    def rank(path: str) -> int:
        return 2 if ".scale." in path else 1 if ".special_groups." in path else 0

    return sorted(paths, key=rank)


def explain(bills: Bills, r: Result, p: MedicalParams, i: int = 0) -> list[Step]:
    """The steps that produced bill ``i``'s amounts: per fund its base, deductible, ratio, cap
    and amount, and the parameters of exactly the table cells the layers read for it."""
    t, s = p.t, p.t.sources
    visit, scheme = int(bills.visit[i]), int(bills.scheme[i])
    lv = int(np.clip(bills.level[i], 1, 3)) - 1
    later = int(bills.later_admission[i])

    def infos(paths: list[str]) -> tuple[ValueInfo, ...]:
        return tuple(p.info(x) for x in paths)

    ded = s["deductible"][visit, scheme, lv, later]
    basic_paths = _paths(
        ded[:1],
        s["basic_ratio"][visit, scheme, lv],
        s["basic_cap"][visit, scheme],
        ded[1:],
        s["reduction"][int(bills.area[i])],
    )
    amount, left = int(r.basic[i]), int(r.basic_cap_left[i])
    steps = [
        Step(
            "basic",
            int(r.basic_base[i]),
            int(r.basic_deductible[i]),
            _ratio_text(int(r.basic_ratio_num[i]), r.ratio_den),
            left,
            amount == left and amount > 0,
            amount,
            infos(basic_paths),
        )
    ]
    if visit == Visit.INPATIENT:
        employee = scheme != Scheme.RESIDENT
        sp = int(_special(bills.row(i))[0])
        if employee:
            rule_paths, ratio = s["sup_ratio"], str(t.sup_ratio)
        else:
            scale = t.special_scale if sp else t.normal_scale
            rule_paths = s["special_scale" if sp else "normal_scale"]
            ratio = " / ".join(str(x) for x in scale.rates)
        cap_left, amount = int(r.ci_cap_left[i]), int(r.ci[i])
        steps.append(
            Step(
                "supplementary" if employee else "critical_illness",
                int(r.ci_base[i]),
                int(r.ci_deductible[i]),
                ratio,
                None if cap_left < 0 else cap_left,
                cap_left >= 0 and amount == cap_left and cap_left > 0,
                amount,
                infos(
                    _ci_order(
                        _paths(s["ci_deductible"][scheme, sp], rule_paths, s["ci_cap"][scheme, sp])
                    )
                ),
            )
        )
    if bool(r.as_eligible[i]):
        group, border = int(bills.group[i]), int(bills.border[i])
        amount, left = int(r.assistance[i]), int(r.as_cap_left[i])
        steps.append(
            Step(
                "assistance",
                int(r.as_base[i]),
                int(r.as_deductible[i]),
                _ratio_text(int(r.as_ratio_num[i]), r.as_ratio_den),
                left,
                amount == left and amount > 0,
                amount,
                infos(
                    _paths(
                        s["as_deductible"][group, border],
                        s["as_ratio"][group, border],
                        s["as_cap"][int(bills.major_disease[i])],
                    )
                ),
            )
        )
    return steps


# ----------------------------------------------------------------------------- replay


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
