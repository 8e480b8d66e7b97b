"""What each fund did on one bill, and every dated, cited figure it used (:func:`explain`):
the explanation comes from the rules' own results and table cells, not from a second reading."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.medical.bills import Bills, Result
from minsheng.medical.codes import ASSISTANCE, CRITICAL, TILTED
from minsheng.medical.layers import special_at
from minsheng.medical.person_terms import Term, terms
from minsheng.medical.segments import BASES, segments_used
from minsheng.medical.tables import MedicalParams, Scheme, Visit
from minsheng.policy import ValueInfo


@dataclass(frozen=True)
class Step:
    """What one fund did on one bill, and every figure it used (with date and source)."""

    fund: str  # basic, critical_illness, supplementary, assistance, tilted_assistance, commercial
    base: int
    deductible: int
    ratio: str
    cap_left: int | None  # None: no cap
    cap_reached: bool
    amount: int
    parameters: tuple[ValueInfo, ...]
    admission: int | None = None  # inpatient: the admission number of the year it used
    bands: tuple[int, int] | None = None  # cost bands (分段, from 1) the bill's cost fell in
    counted: int | None = None  # the cost above the deductible counted under bands / ceiling
    terms: tuple[Term, ...] = ()  # person-dependent terms (age, enrolment, zero-claim years)
    # 大病 / 大额: the segments (brackets of the scale, from 1) the bill's self-pay fell in, and
    # how the scale's thresholds are measured (``threshold_basis``: segments.BASES)
    segments: tuple[int, int] | None = None
    threshold_basis: str | None = None


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
    lv = min(max(int(bills.level[i]), 1), 3) - 1  # (scalars: numpy's clip is for arrays)
    inpatient = visit == Visit.INPATIENT
    stated = int(bills.admission[i])  # Bills.admission_number, for bill i alone
    admission = stated if stated > 0 else int(bills.later_admission[i]) + 1
    slot = min(admission, t.slots) - 1 if inpatient else 0

    def infos(paths: list[str]) -> tuple[ValueInfo, ...]:
        return tuple(p.info(x) for x in paths)

    ded = s["deductible"][visit, scheme, lv, slot]
    shapes: list[str] = []
    if inpatient and t.any_top_up:  # 转诊补差: the referring level's deductible comes off
        shapes += s["top_up"][scheme]
        frm = int(bills.referred_from[i])
        if t.top_up[scheme] and 1 <= frm < int(bills.level[i]):
            shapes += s["deductible"][visit, scheme, min(max(frm, 1), 3) - 1, slot]
    ratio = _ratio_text(int(r.basic_ratio_num[i]), r.ratio_den)
    bands: tuple[int, int] | None = None
    if t.cumulative:  # 分段报销 / the eligible-cost ceiling: the year's cost decides
        shapes += [*s["bands"][visit, scheme, lv], *s["ceiling"][visit, scheme]]
        first, last = int(r.basic_band_first[i]), int(r.basic_band_last[i])
        base_num = int(r.basic_ratio_num[i])
        nums = [
            min(max(base_num + int(t.band_inc[visit, scheme, lv, b]), 0), t.den)
            for b in range(first, last + 1)
        ]
        ratio = " / ".join(_ratio_text(n, t.den) for n in nums)
        if (t.band_inc[visit, scheme, lv] != 0).any():  # this cell has bands (not only a ceiling)
            bands = (first + 1, last + 1)
    basic_terms, ci_terms = terms(bills, t, i) if t.person.on else ([], [])
    basic_paths = _paths(
        ded[:1],
        s["basic_ratio"][visit, scheme, lv],
        s["basic_cap"][visit, scheme],
        ded[1:],
        s["reduction"][int(bills.area[i])],
        shapes,
        *(x.paths for x in basic_terms),
        s["order"],  # the region's chain, where it is not the usual one (every step names it)
    )
    amount, left = int(r.basic[i]), int(r.basic_cap_left[i])
    steps = [
        Step(
            "basic",
            int(r.basic_base[i]),
            int(r.basic_deductible[i]),
            ratio,
            left,
            amount == left and amount > 0,
            amount,
            infos(basic_paths),
            admission=admission if inpatient else None,
            bands=bands,
            counted=int(r.basic_counted[i]) if t.cumulative else None,
            terms=tuple(basic_terms),
        )
    ]
    order = s["order"]
    for layer in t.order:
        if layer == CRITICAL:
            steps += _critical(bills, r, p, i, order, ci_terms)
        elif layer == ASSISTANCE:
            steps += _assistance(bills, r, p, i, order)
        elif layer == TILTED:
            steps += _tilted(bills, r, p, i, order)
        else:
            steps += _commercial(r, p, i, order)
    return steps


def _infos(p: MedicalParams, paths: list[str]) -> tuple[ValueInfo, ...]:
    return tuple(p.info(x) for x in paths)


def _critical(
    bills: Bills, r: Result, p: MedicalParams, i: int, order: Any, ci_terms: list[Term]
) -> list[Step]:
    """大病保险 / 大额医疗补助: on inpatient bills, and outpatient ones where a region's rules
    accumulate them into the year's total."""
    t, s = p.t, p.t.sources
    visit, scheme = int(bills.visit[i]), int(bills.scheme[i])
    inpatient = visit == Visit.INPATIENT
    op_ci = not inpatient and t.any_ci_outpatient and bool(t.ci_outpatient[scheme])
    if not (inpatient or op_ci):
        return []
    employee = scheme != Scheme.RESIDENT
    sp = special_at(bills, i)
    which = "sup_scale" if employee else "special_scale" if sp else "normal_scale"
    scale, rule_paths = getattr(t, which), s[which]
    ratio = " / ".join(str(x) for x in scale.rates)
    ci_terms = ci_terms if not employee else []
    cap_left, amount = int(r.ci_cap_left[i]), int(r.ci[i])
    absolute = bool(t.ci_absolute[Scheme.EMPLOYEE_ACTIVE if employee else Scheme.RESIDENT])
    deductible = int(r.ci_deductible[i])
    used = segments_used(scale, int(r.ci_before[i]), int(r.ci_base[i]), deductible, absolute)
    paths = _paths(
        s["ci_deductible"][scheme, sp],
        rule_paths,
        s["ci_cap"][scheme, sp],
        s["ci_outpatient"][scheme] if op_ci else (),
        *(x.paths for x in ci_terms),
    )
    return [
        Step(
            "supplementary" if employee else "critical_illness",
            int(r.ci_base[i]),
            deductible,
            ratio,
            None if cap_left < 0 else cap_left,
            cap_left >= 0 and amount == cap_left and cap_left > 0,
            amount,
            _infos(p, [*_ci_order(paths), *order]),
            terms=tuple(ci_terms),
            segments=used,
            threshold_basis=BASES[int(absolute)],
        )
    ]


def _assistance(bills: Bills, r: Result, p: MedicalParams, i: int, order: Any) -> list[Step]:
    """医疗救助, for assistance groups and border residents."""
    if not bool(r.as_eligible[i]):
        return []
    s = p.t.sources
    group, border = int(bills.group[i]), int(bills.border[i])
    amount, left = int(r.assistance[i]), int(r.as_cap_left[i])
    paths = _paths(
        s["as_deductible"][group, border],
        s["as_ratio"][group, border],
        s["as_cap"][int(bills.major_disease[i])],
        order,
    )
    return [
        Step(
            "assistance",
            int(r.as_base[i]),
            int(r.as_deductible[i]),
            _ratio_text(int(r.as_ratio_num[i]), r.as_ratio_den),
            left,
            amount == left and amount > 0,
            amount,
            _infos(p, paths),
        )
    ]


def _tilted(bills: Bills, r: Result, p: MedicalParams, i: int, order: Any) -> list[Step]:
    """倾斜救助: the stay's policy-range self-pay left above the group's threshold
    (``deductible``), at the group's ratio, within the yearly limit left."""
    if not bool(r.ta_eligible[i]):
        return []
    s = p.t.sources
    amount, left = int(r.tilted[i]), int(r.ta_cap_left[i])
    group = int(bills.group[i])
    paths = _paths(s["ta_threshold"][group], s["ta_ratio"][group], s["ta_cap"], order)
    return [
        Step(
            "tilted_assistance",
            int(r.ta_base[i]),
            int(r.ta_threshold[i]),
            _ratio_text(int(r.ta_ratio_num[i]), r.ta_ratio_den),
            left,
            amount == left and amount > 0,
            amount,
            _infos(p, paths),
        )
    ]


def _commercial(r: Result, p: MedicalParams, i: int, order: Any) -> list[Step]:
    """The commercial supplementary layer: everything still self-paid (out-of-catalogue costs
    included) above the yearly deductible left, at its ratio, within the yearly cap left."""
    if not bool(r.cm_covered[i]):
        return []
    s = p.t.sources
    amount, left = int(r.commercial[i]), int(r.cm_cap_left[i])
    paths = _paths(s["cm_deductible"], s["cm_ratio"], s["cm_cap"], s["cm_outpatient"], order)
    return [
        Step(
            "commercial",
            int(r.cm_base[i]),
            int(r.cm_deductible[i]),
            _ratio_text(int(r.cm_ratio_num[i]), r.cm_ratio_den),
            left,
            amount == left and amount > 0,
            amount,
            _infos(p, paths),
        )
    ]
