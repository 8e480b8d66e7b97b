"""The settlement rules, pure and vectorised: one bill or ten million, the same code.

A bill arrives already split (see :func:`split_lines`) into 全自费 (fully self-paid), 超限价自费
(over the price limit), 先行自付 (乙类 items' self-pay-first share) and 政策范围内 (the
policy-range amount the funds work on). Then, per person and calendar year, in this order
(POLICY.md §1):

1. basic insurance (基本医保): deductible still unused, ratio by scheme, visit and hospital level
   (lower out of area), up to what is left of the yearly cap;
2. the compliant self-pay (policy range − basic) adds to the year's running total; critical-
   illness insurance (大病保险, residents) pays F(total after) − F(total before), F the segmented
   payout above its deductible; employees' supplementary insurance (大额医疗补助) likewise at its
   ratio; capped by what is left of the yearly cap — special groups (特困/低保/返贫致贫) get
   "一降一升一取消": half the deductible, +5 points, no cap;
3. medical assistance (医疗救助) on what is still self-paid: its own deductible, ratio by group
   (border residents 90%), up to the yearly cap (ordinary or major disease);
4. the patient pays the rest: personal account first (employees, family mutual aid), then cash.

Every amount is integer fen; every ratio an exact fraction; every figure a parameter read from
a :class:`~minsheng.policy.Snapshot` (:class:`MedicalParams`). Running totals enter as arrays
("state before this bill"), so a whole year replays with grouped cumulative sums and gives the
same fen as settling bills one by one.

Critical-illness layers apply to inpatient bills; outpatient bills are settled by basic
insurance (outpatient pooling) and assistance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.money import apply_ratio, apply_ratios, ratio_table
from minsheng.policy import Snapshot, ValueInfo
from minsheng.policy.scale import ScaleAt

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

SCHEMES = ("employee_active", "employee_retired", "resident")
VISITS = ("outpatient", "inpatient")
AREAS = ("local", "filed", "unfiled")  # 本地, 异地已备案, 异地未备案
GROUPS = ("none", "tekun", "dibao", "dibao_edge", "poverty_return", "serious_illness")
LEVELS = (1, 2, 3)


def _p(level: int) -> str:
    return f"level_{level}"


@dataclass(frozen=True)
class MedicalParams:
    """The figures of one date in one pooling region, with where each came from."""

    infos: dict[str, ValueInfo]
    ci_scale: ScaleAt

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> MedicalParams:
        paths = [
            "medical.employee_outpatient.deductible.active",
            "medical.employee_outpatient.deductible.retired",
            "medical.employee_outpatient.annual_cap",
            "medical.employee_inpatient.annual_cap",
            "medical.employee_inpatient.later_admission_deductible_factor",
            "medical.resident.outpatient.deductible",
            "medical.resident.outpatient.ratio",
            "medical.resident.outpatient.annual_cap",
            "medical.resident.inpatient.annual_cap",
            "medical.resident.inpatient.later_admission_deductible_factor",
            "medical.out_of_area.filed_ratio_reduction",
            "medical.out_of_area.unfiled_ratio_reduction",
            "medical.critical_illness.deductible",
            "medical.critical_illness.annual_cap",
            "medical.critical_illness.special_groups.deductible_reduction",
            "medical.critical_illness.special_groups.ratio_increase",
            "medical.critical_illness.special_groups.cap_removed",
            "medical.employee_supplementary.deductible",
            "medical.employee_supplementary.ratio",
            "medical.employee_supplementary.annual_cap",
            "medical.assistance.annual_cap.ordinary",
            "medical.assistance.annual_cap.major_disease",
            "medical.assistance.border_resident_ratio",
        ]
        for lv in LEVELS:
            paths += [
                f"medical.employee_outpatient.ratio.active.{_p(lv)}",
                f"medical.employee_outpatient.ratio.retired.{_p(lv)}",
                f"medical.employee_inpatient.deductible.{_p(lv)}",
                f"medical.employee_inpatient.ratio.active.{_p(lv)}",
                f"medical.employee_inpatient.ratio.retired.{_p(lv)}",
                f"medical.resident.inpatient.deductible.{_p(lv)}",
                f"medical.resident.inpatient.ratio.{_p(lv)}",
            ]
        for g in GROUPS[1:]:
            paths += [f"medical.assistance.deductible.{g}", f"medical.assistance.ratio.{g}"]
        return cls({p: snap.info(p) for p in paths}, snap.scale("medical.critical_illness.scale"))

    def fen(self, path: str) -> int:
        value = self.infos[path].value
        assert isinstance(value, int) and not isinstance(value, bool), path
        return value

    def ratio(self, path: str) -> Decimal:
        value = self.infos[path].value
        assert isinstance(value, Decimal), path
        return value

    def flag(self, path: str) -> bool:
        return bool(self.infos[path].value)


@dataclass
class Bills:
    """Columns of N bills (already split into their parts)."""

    scheme: I64  # index into SCHEMES
    visit: I64  # index into VISITS
    level: I64  # 1, 2, 3
    area: I64  # index into AREAS
    total: I64  # medfee_sumamt
    full_self: I64  # 全自费
    over_limit: I64  # 超限价自费
    self_first: I64  # 先行自付
    policy: I64  # 政策范围内
    later_admission: Bools  # inpatient, not the first admission of the year
    special: Bools  # 特困 / 低保 / 返贫致贫: "一降一升一取消"
    group: I64  # index into GROUPS (assistance group)
    border: Bools  # 边境一线
    major_disease: Bools  # 重特大疾病 (assistance cap)
    account_balance: I64  # personal account available (own + family mutual aid), employees

    def __len__(self) -> int:
        return len(self.total)

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Bills:
        """Bills from readable rows: ``{"scheme": "resident", "visit": "inpatient", "level": 2,
        "policy": 1_000_000, …}``; missing parts are zero, flags false, group "none"."""

        def col(key: str, default: Any = 0, codes: tuple[Any, ...] | None = None) -> I64:
            vals = [r.get(key, default) for r in rows]
            if codes is not None:
                vals = [codes.index(v) for v in vals]
            return np.array(vals, dtype=np.int64)

        def flags(key: str) -> Bools:
            return np.array([bool(r.get(key, False)) for r in rows], dtype=np.bool_)

        parts = {k: col(k) for k in ("full_self", "over_limit", "self_first", "policy")}
        total = np.array(
            [r.get("total", sum(int(r.get(k, 0)) for k in parts)) for r in rows],
            dtype=np.int64,
        )
        return cls(
            scheme=col("scheme", "resident", SCHEMES),
            visit=col("visit", "inpatient", VISITS),
            level=col("level", 2),
            area=col("area", "local", AREAS),
            total=total,
            later_admission=flags("later_admission"),
            special=flags("special"),
            group=col("group", "none", GROUPS),
            border=flags("border"),
            major_disease=flags("major_disease"),
            account_balance=col("account_balance"),
            **parts,
        )

    def row(self, i: int) -> Bills:
        """Bill ``i`` alone, as a one-row Bills."""
        return Bills(**{k: v[i : i + 1] for k, v in self.__dict__.items()})


@dataclass
class Totals:
    """Per person and year, before the bill: what each fund has already used."""

    op_deductible: I64  # outpatient pooling deductible used (yearly)
    op_paid: I64  # basic fund, outpatient, paid
    ip_paid: I64  # basic fund, inpatient, paid
    ci_base: I64  # compliant self-pay entered into 大病 / 大额
    ci_paid: I64  # 大病 / 大额 paid
    as_deductible: I64  # assistance deductible used
    as_paid: I64  # assistance paid

    def row(self, i: int) -> Totals:
        return Totals(**{k: v[i : i + 1] for k, v in self.__dict__.items()})

    @classmethod
    def zeros(cls, n: int) -> Totals:
        z = np.zeros(n, dtype=np.int64)
        return cls(z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy())

    def after(self, r: Result) -> Totals:
        """The running totals once the bills of ``r`` are posted (row by row)."""
        return Totals(
            self.op_deductible + r.op_deductible,
            self.op_paid + np.where(r.inpatient, 0, r.basic),
            self.ip_paid + np.where(r.inpatient, r.basic, 0),
            self.ci_base + r.ci_base,
            self.ci_paid + r.ci,
            self.as_deductible + r.as_deductible,
            self.as_paid + r.assistance,
        )


@dataclass
class Result:
    """What each fund pays on each bill, and what it used of each limit."""

    inpatient: Bools
    basic_base: I64
    basic_deductible: I64
    basic_ratio_num: I64
    ratio_den: int
    basic_cap_left: I64
    basic: I64
    op_deductible: I64  # the part of the yearly outpatient deductible this bill used
    compliant: I64  # 合规自付 after basic
    ci_base: I64  # compliant self-pay this bill enters into 大病 / 大额
    ci_cap_left: I64  # −1 where there is no cap
    ci: I64
    as_base: I64
    as_deductible: I64
    as_ratio_num: I64
    as_cap_left: I64
    assistance: I64
    patient: I64
    account: I64
    cash: I64
    extra: dict[str, Any] = field(default_factory=dict)

    def funds_total(self) -> I64:
        return self.basic + self.ci + self.assistance


def _table(values: list[Decimal]) -> tuple[I64, int]:
    nums, den = ratio_table(values)
    return np.array(nums, dtype=np.int64), den


def _pick(index: I64, values: list[int]) -> I64:
    return np.array(values, dtype=np.int64)[index]


def settle(bills: Bills, before: Totals, p: MedicalParams) -> Result:
    """Settle N bills against the running totals before each. Pure; vectorised."""
    n = len(bills)
    inpatient = bills.visit == 1
    employee = bills.scheme < 2
    retired = bills.scheme == 1
    lv = np.clip(bills.level, 1, 3) - 1
    zero = np.zeros(n, dtype=np.int64)

    # ---- 1. basic insurance
    ratio_paths: list[str] = []
    for lvl in LEVELS:
        ratio_paths += [
            f"medical.employee_outpatient.ratio.active.{_p(lvl)}",
            f"medical.employee_outpatient.ratio.retired.{_p(lvl)}",
            "medical.resident.outpatient.ratio",
            f"medical.employee_inpatient.ratio.active.{_p(lvl)}",
            f"medical.employee_inpatient.ratio.retired.{_p(lvl)}",
            f"medical.resident.inpatient.ratio.{_p(lvl)}",
        ]
    reductions = [
        Decimal(0),
        p.ratio("medical.out_of_area.filed_ratio_reduction"),
        p.ratio("medical.out_of_area.unfiled_ratio_reduction"),
    ]
    rates = [p.ratio(x) for x in ratio_paths]
    nums, den = _table(rates + reductions)
    rate_nums, red_nums = nums[: len(rates)], nums[len(rates) :]
    kind = np.where(inpatient, 3, 0) + np.where(bills.scheme == 2, 2, np.where(retired, 1, 0))
    ratio_num = np.clip(rate_nums[lv * 6 + kind] - red_nums[bills.area], 0, None)

    op_ded = np.where(
        employee,
        np.where(
            retired,
            p.fen("medical.employee_outpatient.deductible.retired"),
            p.fen("medical.employee_outpatient.deductible.active"),
        ),
        p.fen("medical.resident.outpatient.deductible"),
    )
    ip_ded_emp = _pick(
        lv, [p.fen(f"medical.employee_inpatient.deductible.{_p(x)}") for x in LEVELS]
    )
    ip_ded_res = _pick(
        lv, [p.fen(f"medical.resident.inpatient.deductible.{_p(x)}") for x in LEVELS]
    )
    later_emp = apply_ratio(
        ip_ded_emp, p.ratio("medical.employee_inpatient.later_admission_deductible_factor")
    )
    later_res = apply_ratio(
        ip_ded_res, p.ratio("medical.resident.inpatient.later_admission_deductible_factor")
    )
    ip_ded = np.where(
        employee,
        np.where(bills.later_admission, later_emp, ip_ded_emp),
        np.where(bills.later_admission, later_res, ip_ded_res),
    )
    ded_left = np.where(inpatient, ip_ded, np.clip(op_ded - before.op_deductible, 0, None))
    basic_ded = np.minimum(bills.policy, ded_left)
    op_cap = np.where(
        employee,
        p.fen("medical.employee_outpatient.annual_cap"),
        p.fen("medical.resident.outpatient.annual_cap"),
    )
    ip_cap = np.where(
        employee,
        p.fen("medical.employee_inpatient.annual_cap"),
        p.fen("medical.resident.inpatient.annual_cap"),
    )
    cap_left = np.where(
        inpatient,
        np.clip(ip_cap - before.ip_paid, 0, None),
        np.clip(op_cap - before.op_paid, 0, None),
    )
    basic = np.minimum(apply_ratios(bills.policy - basic_ded, ratio_num, den), cap_left)
    compliant = bills.policy - basic

    # ---- 2. critical illness (residents) / supplementary (employees), inpatient bills
    ci_add = np.where(inpatient, compliant, zero)
    b0, b1 = before.ci_base, before.ci_base + ci_add
    ci_ded = p.fen("medical.critical_illness.deductible")
    ci_ded_special = ci_ded - apply_ratio(
        ci_ded, p.ratio("medical.critical_illness.special_groups.deductible_reduction")
    )
    inc = p.ratio("medical.critical_illness.special_groups.ratio_increase")
    normal_scale = p.ci_scale
    special_scale = replace(
        p.ci_scale, rates=tuple(min(r + inc, Decimal(1)) for r in p.ci_scale.rates)
    )
    res_normal = normal_scale.calc(np.clip(b1 - ci_ded, 0, None)) - normal_scale.calc(
        np.clip(b0 - ci_ded, 0, None)
    )
    res_special = special_scale.calc(np.clip(b1 - ci_ded_special, 0, None)) - special_scale.calc(
        np.clip(b0 - ci_ded_special, 0, None)
    )
    sup_ded = p.fen("medical.employee_supplementary.deductible")
    sup_ratio = p.ratio("medical.employee_supplementary.ratio")
    emp_pay = apply_ratio(np.clip(b1 - sup_ded, 0, None), sup_ratio) - apply_ratio(
        np.clip(b0 - sup_ded, 0, None), sup_ratio
    )
    raw_ci = np.where(employee, emp_pay, np.where(bills.special, res_special, res_normal))
    uncapped = (
        (~employee) & bills.special & p.flag("medical.critical_illness.special_groups.cap_removed")
    )
    ci_cap = np.where(
        employee,
        p.fen("medical.employee_supplementary.annual_cap"),
        p.fen("medical.critical_illness.annual_cap"),
    )
    ci_cap_left = np.where(uncapped, -1, np.clip(ci_cap - before.ci_paid, 0, None))
    ci = np.where(uncapped, raw_ci, np.minimum(raw_ci, np.clip(ci_cap_left, 0, None)))
    ci = np.clip(np.minimum(ci, ci_add), 0, None)

    # ---- 3. medical assistance
    as_base = compliant - ci
    g_ded = [0] + [p.fen(f"medical.assistance.deductible.{g}") for g in GROUPS[1:]]
    g_rates = [Decimal(0)] + [p.ratio(f"medical.assistance.ratio.{g}") for g in GROUPS[1:]]
    g_nums, g_den = _table([*g_rates, p.ratio("medical.assistance.border_resident_ratio")])
    group_num, border_num = g_nums[:-1][bills.group], g_nums[-1]
    as_ratio = np.maximum(group_num, np.where(bills.border, border_num, 0))
    eligible = (bills.group > 0) | bills.border
    as_ded_total = np.where(bills.border, 0, _pick(bills.group, g_ded))
    as_ded = np.where(
        eligible, np.minimum(as_base, np.clip(as_ded_total - before.as_deductible, 0, None)), 0
    )
    as_cap = np.where(
        bills.major_disease,
        p.fen("medical.assistance.annual_cap.major_disease"),
        p.fen("medical.assistance.annual_cap.ordinary"),
    )
    as_cap_left = np.clip(as_cap - before.as_paid, 0, None)
    assistance = np.where(
        eligible, np.minimum(apply_ratios(as_base - as_ded, as_ratio, g_den), as_cap_left), 0
    )

    # ---- 4. the patient's share: personal account first (employees), then cash
    patient = bills.total - basic - ci - assistance
    account = np.where(employee, np.clip(np.minimum(patient, bills.account_balance), 0, None), 0)
    return Result(
        inpatient=inpatient,
        basic_base=bills.policy.copy(),
        basic_deductible=basic_ded,
        basic_ratio_num=ratio_num,
        ratio_den=den,
        basic_cap_left=cap_left,
        basic=basic,
        op_deductible=np.where(inpatient, 0, basic_ded),
        compliant=compliant,
        ci_base=ci_add,
        ci_cap_left=ci_cap_left,
        ci=ci,
        as_base=as_base,
        as_deductible=as_ded,
        as_ratio_num=as_ratio,
        as_cap_left=as_cap_left,
        assistance=assistance,
        patient=patient,
        account=account,
        cash=patient - account,
        extra={
            "as_ratio_den": g_den,
            "op_cap": op_cap,
            "ip_cap": ip_cap,
            "ci_cap": ci_cap,
            "as_cap": as_cap,
            "as_ded_total": as_ded_total,
        },
    )


# ----------------------------------------------------------------------------- bill lines

CATEGORIES = ("甲", "乙", "丙")


@dataclass
class Lines:
    """Columns of bill line items. Quantities are exact: ``qty_num / qty_den`` units."""

    category: I64  # index into CATEGORIES
    unit_price: I64  # fen
    qty_num: I64
    qty_den: I64
    price_limit: I64  # fen per unit; −1 for none
    first_share_num: I64  # 乙类 self-pay-first share, exact fraction
    first_share_den: I64


@dataclass
class Split:
    amount: I64
    full_self: I64  # 全自费
    over_limit: I64  # 超限价自费
    self_first: I64  # 先行自付
    policy: I64  # 政策范围内


def _times(price: I64, num: I64, den: I64) -> I64:
    """price × num / den, half up."""
    prod = price * num
    return (2 * prod + den) // (2 * den)


def split_lines(lines: Lines) -> Split:
    """Split each line into 全自费 / 超限价自费 / 先行自付 / 政策范围内 (national fields)."""
    amount = _times(lines.unit_price, lines.qty_num, lines.qty_den)
    limited = (lines.price_limit >= 0) & (lines.unit_price > lines.price_limit)
    allowed = np.where(limited, _times(lines.price_limit, lines.qty_num, lines.qty_den), amount)
    allowed = np.minimum(allowed, amount)
    out_of_catalogue = lines.category == 2
    full_self = np.where(out_of_catalogue, amount, 0)
    over = np.where(out_of_catalogue, 0, amount - allowed)
    first = np.where(
        lines.category == 1,
        (2 * allowed * lines.first_share_num + lines.first_share_den)
        // (2 * lines.first_share_den),
        0,
    )
    policy = np.where(out_of_catalogue, 0, allowed - first)
    return Split(amount, full_self, over, first, policy)


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
    stacked: dict[str, Any] = {
        k: np.concatenate([getattr(r, k) for r in parts]) if parts else np.zeros(0, np.int64)
        for k, v in Result.__dataclass_fields__.items()
        if k not in ("ratio_den", "extra")
    }
    den = parts[0].ratio_den if parts else 1
    return Result(ratio_den=den, extra={}, **stacked), totals


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
    inpatient = bills.visit == 1

    # 1. the yearly outpatient deductible
    op_policy = np.where(inpatient, 0, bills.policy)
    probe = settle(bills, Totals(zero, zero, zero, zero, zero, zero, zero), p)
    # the deductible a bill could use alone is min(policy, D); D is what remains with nothing used
    op_ded_total = np.where(inpatient, 0, _deductible_total(bills, p))
    op_ded_before = np.minimum(_excl_cumsum(op_policy, start), op_ded_total)

    # 2. basic insurance: raw amounts with the deductible known, then the cumulative cap
    t = Totals(op_ded_before, zero, zero, zero, zero, zero, zero)
    first = settle(bills, t, p)
    op_cap, ip_cap = probe.extra["op_cap"], probe.extra["ip_cap"]
    op_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, 0, first.basic), start), op_cap)
    ip_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, first.basic, 0), start), ip_cap)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, zero, zero, zero, zero)
    second = settle(bills, t, p)

    # 3. critical illness: the running compliant self-pay, then the cumulative cap
    ci_base_before = _excl_cumsum(second.ci_base, start)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, ci_base_before, zero, zero, zero)
    third = settle(bills, t, p)
    ci_cap = np.where(third.ci_cap_left < 0, big, probe.extra["ci_cap"])
    ci_paid_before = np.minimum(_excl_cumsum(third.ci, start), ci_cap)

    # 4. assistance: its deductible, then its cumulative cap
    t = Totals(
        op_ded_before, op_paid_before, ip_paid_before, ci_base_before, ci_paid_before, zero, zero
    )
    fourth = settle(bills, t, p)
    eligible = (bills.group > 0) | bills.border
    as_ded_total = np.where(eligible, probe.extra["as_ded_total"], 0)
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
    as_paid_before = np.minimum(_excl_cumsum(fifth.assistance, start), probe.extra["as_cap"])
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


def _deductible_total(bills: Bills, p: MedicalParams) -> I64:
    employee = bills.scheme < 2
    return np.where(
        employee,
        np.where(
            bills.scheme == 1,
            p.fen("medical.employee_outpatient.deductible.retired"),
            p.fen("medical.employee_outpatient.deductible.active"),
        ),
        p.fen("medical.resident.outpatient.deductible"),
    ).astype(np.int64)
