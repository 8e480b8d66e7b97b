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
from functools import cached_property
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
        """The medical figures of a snapshot (built once per snapshot, then reused)."""
        cached = snap.__dict__.get("_medical_params")
        if isinstance(cached, MedicalParams):
            return cached
        made = cls._build(snap)
        snap.__dict__["_medical_params"] = made
        return made

    @classmethod
    def _build(cls, snap: Snapshot) -> MedicalParams:
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

    @cached_property
    def t(self) -> Tables:
        """Everything :func:`settle` needs, as numpy tables, computed once per snapshot."""
        return Tables.build(self)

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


@dataclass(frozen=True)
class Tables:
    """The figures of a :class:`MedicalParams` arranged for vectorised look-up."""

    rate_num: I64  # basic ratio numerators, index level*6 + kind
    red_num: I64  # out-of-area reductions, index by area
    den: int
    op_ded: I64  # outpatient yearly deductible by scheme
    ip_ded: I64  # inpatient deductible, index scheme_kind*3 + level (0 employee, 1 resident)
    ip_ded_later: I64
    op_cap: I64  # by scheme
    ip_cap: I64
    ci_ded: int
    ci_ded_special: int
    normal_scale: ScaleAt
    special_scale: ScaleAt
    sup_ded: int
    sup_ratio: Decimal
    ci_cap: I64  # by scheme (supplementary for employees)
    ci_uncapped_special: bool
    g_ded: I64  # assistance deductible by group
    g_num: I64  # assistance ratio numerators by group
    border_num: int
    g_den: int
    as_cap_ordinary: int
    as_cap_major: int

    @classmethod
    def build(cls, p: MedicalParams) -> Tables:
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
        emp = [p.fen(f"medical.employee_inpatient.deductible.{_p(x)}") for x in LEVELS]
        res = [p.fen(f"medical.resident.inpatient.deductible.{_p(x)}") for x in LEVELS]
        f_emp = p.ratio("medical.employee_inpatient.later_admission_deductible_factor")
        f_res = p.ratio("medical.resident.inpatient.later_admission_deductible_factor")
        ci_ded = p.fen("medical.critical_illness.deductible")
        inc = p.ratio("medical.critical_illness.special_groups.ratio_increase")
        g_rates = [Decimal(0)] + [p.ratio(f"medical.assistance.ratio.{g}") for g in GROUPS[1:]]
        g_nums, g_den = _table([*g_rates, p.ratio("medical.assistance.border_resident_ratio")])
        op_emp_cap = p.fen("medical.employee_outpatient.annual_cap")
        ip_emp_cap = p.fen("medical.employee_inpatient.annual_cap")
        sup_cap = p.fen("medical.employee_supplementary.annual_cap")

        def a(values: list[int]) -> I64:
            return np.array(values, dtype=np.int64)

        return cls(
            rate_num=nums[: len(rates)],
            red_num=nums[len(rates) :],
            den=den,
            op_ded=a(
                [
                    p.fen("medical.employee_outpatient.deductible.active"),
                    p.fen("medical.employee_outpatient.deductible.retired"),
                    p.fen("medical.resident.outpatient.deductible"),
                ]
            ),
            ip_ded=a(emp + res),
            ip_ded_later=a(
                [apply_ratio(x, f_emp) for x in emp] + [apply_ratio(x, f_res) for x in res]
            ),
            op_cap=a([op_emp_cap, op_emp_cap, p.fen("medical.resident.outpatient.annual_cap")]),
            ip_cap=a([ip_emp_cap, ip_emp_cap, p.fen("medical.resident.inpatient.annual_cap")]),
            ci_ded=ci_ded,
            ci_ded_special=ci_ded
            - apply_ratio(
                ci_ded, p.ratio("medical.critical_illness.special_groups.deductible_reduction")
            ),
            normal_scale=p.ci_scale,
            special_scale=replace(
                p.ci_scale, rates=tuple(min(r + inc, Decimal(1)) for r in p.ci_scale.rates)
            ),
            sup_ded=p.fen("medical.employee_supplementary.deductible"),
            sup_ratio=p.ratio("medical.employee_supplementary.ratio"),
            ci_cap=a([sup_cap, sup_cap, p.fen("medical.critical_illness.annual_cap")]),
            ci_uncapped_special=p.flag("medical.critical_illness.special_groups.cap_removed"),
            g_ded=a([0] + [p.fen(f"medical.assistance.deductible.{g}") for g in GROUPS[1:]]),
            g_num=g_nums[:-1],
            border_num=int(g_nums[-1]),
            g_den=g_den,
            as_cap_ordinary=p.fen("medical.assistance.annual_cap.ordinary"),
            as_cap_major=p.fen("medical.assistance.annual_cap.major_disease"),
        )


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
    account_balance: I64  # personal accounts that may pay: own (employees) + family (家庭共济)

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


def _table(values: list[Decimal]) -> tuple[I64, int]:
    nums, den = ratio_table(values)
    return np.array(nums, dtype=np.int64), den


def settle(bills: Bills, before: Totals, p: MedicalParams) -> Result:
    """Settle N bills against the running totals before each. Pure; vectorised."""
    t = p.t
    inpatient = bills.visit == 1
    employee = bills.scheme < 2
    resident = ~employee
    lv = np.clip(bills.level, 1, 3) - 1

    # ---- 1. basic insurance
    kind = np.where(inpatient, 3, 0) + bills.scheme  # 0/1/2 outpatient, 3/4/5 inpatient
    ratio_num = np.maximum(t.rate_num[lv * 6 + kind] - t.red_num[bills.area], 0)
    ip_index = np.where(employee, 0, 3) + lv
    ip_ded = np.where(bills.later_admission, t.ip_ded_later[ip_index], t.ip_ded[ip_index])
    ded_left = np.where(
        inpatient, ip_ded, np.maximum(t.op_ded[bills.scheme] - before.op_deductible, 0)
    )
    basic_ded = np.minimum(bills.policy, ded_left)
    cap_left = np.where(
        inpatient,
        np.maximum(t.ip_cap[bills.scheme] - before.ip_paid, 0),
        np.maximum(t.op_cap[bills.scheme] - before.op_paid, 0),
    )
    basic = np.minimum(apply_ratios(bills.policy - basic_ded, ratio_num, t.den), cap_left)
    compliant = bills.policy - basic

    # ---- 2. critical illness (residents) / supplementary (employees), inpatient bills
    ci_add = np.where(inpatient, compliant, 0)
    uncapped = resident & bills.special & t.ci_uncapped_special
    ci_cap_left = np.where(uncapped, -1, np.maximum(t.ci_cap[bills.scheme] - before.ci_paid, 0))
    if inpatient.any():
        ci = _critical_illness(bills, before, t, ci_add, employee, uncapped, ci_cap_left)
    else:  # outpatient bills only: the layer does not apply
        ci = np.zeros_like(ci_add)

    # ---- 3. medical assistance
    as_base = compliant - ci
    as_ratio = np.maximum(t.g_num[bills.group], np.where(bills.border, t.border_num, 0))
    eligible = (bills.group > 0) | bills.border
    as_ded_total = np.where(bills.border, 0, t.g_ded[bills.group])
    as_ded = np.where(
        eligible, np.minimum(as_base, np.maximum(as_ded_total - before.as_deductible, 0)), 0
    )
    as_cap = np.where(bills.major_disease, t.as_cap_major, t.as_cap_ordinary)
    as_cap_left = np.maximum(as_cap - before.as_paid, 0)
    assistance = np.where(
        eligible, np.minimum(apply_ratios(as_base - as_ded, as_ratio, t.g_den), as_cap_left), 0
    )

    # ---- 4. the patient's share: personal account first (employees), then cash
    patient = bills.total - basic - ci - assistance
    # the balance offered is already only what may pay: the patient's own employee account and
    # relatives' accounts shared with the family (家庭共济)
    account = np.maximum(np.minimum(patient, bills.account_balance), 0)
    return Result(
        inpatient=inpatient,
        basic_base=bills.policy,
        basic_deductible=basic_ded,
        basic_ratio_num=ratio_num,
        ratio_den=t.den,
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
            "as_ratio_den": t.g_den,
            "op_cap": t.op_cap[bills.scheme],
            "ip_cap": t.ip_cap[bills.scheme],
            "ci_cap": t.ci_cap[bills.scheme],
            "as_cap": as_cap,
            "as_ded_total": as_ded_total,
        },
    )


def _critical_illness(
    bills: Bills,
    before: Totals,
    t: Tables,
    ci_add: I64,
    employee: Bools,
    uncapped: Bools,
    ci_cap_left: I64,
) -> I64:
    """大病保险 / 大额医疗补助: F(running total after) − F(running total before), capped."""
    b0 = before.ci_base
    b1 = b0 + ci_add
    res_pay = t.normal_scale.calc(np.maximum(b1 - t.ci_ded, 0)) - t.normal_scale.calc(
        np.maximum(b0 - t.ci_ded, 0)
    )
    if bills.special.any():
        res_special = t.special_scale.calc(
            np.maximum(b1 - t.ci_ded_special, 0)
        ) - t.special_scale.calc(np.maximum(b0 - t.ci_ded_special, 0))
        res_pay = np.where(bills.special, res_special, res_pay)
    raw_ci = res_pay
    if employee.any():
        emp_pay = apply_ratio(np.maximum(b1 - t.sup_ded, 0), t.sup_ratio) - apply_ratio(
            np.maximum(b0 - t.sup_ded, 0), t.sup_ratio
        )
        raw_ci = np.where(employee, emp_pay, res_pay)
    ci = np.where(uncapped, raw_ci, np.minimum(raw_ci, np.maximum(ci_cap_left, 0)))
    result: I64 = np.maximum(np.minimum(ci, ci_add), 0)
    return result


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
    op_ded_total = np.where(inpatient, 0, p.t.op_ded[bills.scheme])
    op_ded_before = np.minimum(_excl_cumsum(op_policy, start), op_ded_total)

    # 2. basic insurance: raw amounts with the deductible known, then the cumulative cap
    t = Totals(op_ded_before, zero, zero, zero, zero, zero, zero)
    first = settle(bills, t, p)
    op_cap, ip_cap = first.extra["op_cap"], first.extra["ip_cap"]
    op_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, 0, first.basic), start), op_cap)
    ip_paid_before = np.minimum(_excl_cumsum(np.where(inpatient, first.basic, 0), start), ip_cap)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, zero, zero, zero, zero)
    second = settle(bills, t, p)

    # 3. critical illness: the running compliant self-pay, then the cumulative cap
    ci_base_before = _excl_cumsum(second.ci_base, start)
    t = Totals(op_ded_before, op_paid_before, ip_paid_before, ci_base_before, zero, zero, zero)
    third = settle(bills, t, p)
    ci_cap = np.where(third.ci_cap_left < 0, big, first.extra["ci_cap"])
    ci_paid_before = np.minimum(_excl_cumsum(third.ci, start), ci_cap)

    # 4. assistance: its deductible, then its cumulative cap
    t = Totals(
        op_ded_before, op_paid_before, ip_paid_before, ci_base_before, ci_paid_before, zero, zero
    )
    fourth = settle(bills, t, p)
    eligible = (bills.group > 0) | bills.border
    as_ded_total = np.where(eligible, first.extra["as_ded_total"], 0)
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
    as_paid_before = np.minimum(_excl_cumsum(fifth.assistance, start), first.extra["as_cap"])
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


def registration_waived(days_since_same_disease: I64, window_days: int) -> Bools:
    """ "挂一次号管3天": a follow-up visit for the same disease within ``window_days`` of the
    last one pays no registration fee. ``days_since_same_disease`` is −1 when there was none."""
    waived: Bools = (days_since_same_disease >= 0) & (days_since_same_disease <= window_days)
    return waived & (window_days > 0)
