"""The medical figures of one date and one pooling region, arranged for the rules.

:class:`MedicalParams` reads every figure the settlement rules may use from a parameter
:class:`~minsheng.policy.Snapshot` (with its date and source); :class:`Tables` lays them out as
look-up tables indexed by the named codes below — never by arithmetic on bare integers. Each
table cell carries the parameter paths it was made from (``Tables.sources``), so the rules can
say, for every amount, which dated, cited figures produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.errors import invalid
from minsheng.core.money import apply_ratio, ratio_table
from minsheng.medical.chain import chain_tables
from minsheng.medical.codes import (
    AREAS,
    CATEGORIES,
    GROUPS,
    LEVELS,
    SCHEMES,
    VISITS,
    Area,
    Category,
    Group,
    Scheme,
    Visit,
    codes,
)
from minsheng.medical.paths import (
    AS,
    BORDER,
    BORDER_RATIO,
    CI,
    CI_BASIS,
    CI_CAP_REMOVED,
    CI_DED_REDUCTION,
    CI_RATIO_INCREASE,
    CI_SCALE,
    GROUP_PRECEDENCE,
    NO_CEILING,
    REDUCTION_PATHS,
    SPECIAL_STATUSES,
    SUP,
    SUP_BASIS,
    SUP_SCALE,
    _all_paths,
    admission_factors_path,
    assistance_cap_path,
    bands_path,
    basic_cap_path,
    basic_deductible_path,
    basic_ratio_path,
    ceiling_path,
    ci_outpatient_path,
    later_factor_path,
    top_up_path,
)
from minsheng.medical.person_terms import PersonTerms
from minsheng.medical.segments import BASES
from minsheng.policy import Snapshot, ValueInfo
from minsheng.policy.scale import ScaleAt

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Paths = tuple[str, ...]
ObjArray = npt.NDArray[np.object_]


__all__ = [
    "AREAS",
    "AS",
    "BORDER",
    "BORDER_RATIO",
    "CATEGORIES",
    "CI",
    "CI_CAP_REMOVED",
    "CI_DED_REDUCTION",
    "CI_RATIO_INCREASE",
    "CI_SCALE",
    "GROUPS",
    "GROUP_PRECEDENCE",
    "LEVELS",
    "NO_CEILING",
    "REDUCTION_PATHS",
    "SCHEMES",
    "SPECIAL_STATUSES",
    "SUP",
    "VISITS",
    "Area",
    "Category",
    "Group",
    "MedicalParams",
    "Scheme",
    "Tables",
    "Visit",
    "admission_factors_path",
    "assistance_cap_path",
    "bands_path",
    "basic_cap_path",
    "basic_deductible_path",
    "basic_ratio_path",
    "ceiling_path",
    "ci_outpatient_path",
    "codes",
    "later_factor_path",
    "top_up_path",
    "yearly_caps",
]


@dataclass(frozen=True)
class MedicalParams:
    """The figures of one date in one pooling region, with where each came from."""

    infos: dict[str, ValueInfo]
    ci_scale: ScaleAt
    bands: dict[str, ScaleAt] = field(default_factory=dict)  # bands_path → the cost bands
    sup_scale: ScaleAt | None = None  # 大额医疗补助 (employees); from_snapshot reads it

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> MedicalParams:
        """The medical figures of a snapshot (built once per snapshot, then reused)."""
        cached = snap.__dict__.get("_medical_params")
        if isinstance(cached, MedicalParams):
            return cached
        band_paths = {bands_path(v, s, lv) for v in Visit for s in Scheme for lv in LEVELS}
        bands = {x: snap.scale(x) for x in sorted(band_paths)}
        infos = {p: snap.info(p) for p in _all_paths()}
        made = cls(infos, snap.scale(CI_SCALE), bands, snap.scale(SUP_SCALE))
        snap.__dict__["_medical_params"] = made
        return made

    @cached_property
    def t(self) -> Tables:
        """Everything the rules need, as numpy tables, computed once per snapshot."""
        return Tables.build(self)

    def info(self, path: str) -> ValueInfo:
        """A figure with its date and source (scale brackets included)."""
        hit = self.infos.get(path)
        if hit is not None:
            return hit
        return self._bracket_infos[path]

    @cached_property
    def _bracket_infos(self) -> dict[str, ValueInfo]:
        """The scales' bracket figures by path (the first scale naming a path wins), built once:
        an explanation reads a dozen per bill."""
        scales = (
            self.ci_scale,
            *self.bands.values(),
            *([self.sup_scale] if self.sup_scale else []),
        )
        found: dict[str, ValueInfo] = {}
        for sc in scales:
            for i in sc.infos:
                found.setdefault(i.path, i)
        return found

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

    def codes(self, path: str) -> tuple[str, ...]:
        """A list of codes (a ``codes`` leaf: space-separated, in order)."""
        value = self.infos[path].value
        assert isinstance(value, str), path
        return tuple(value.split())

    def group_of(self, statuses: set[str] | frozenset[str]) -> str:
        """The assistance group (医疗救助对象类别) of a person with these registry statuses: the
        first of the precedence list (a parameter) the person has, else "none"."""
        return next((g for g in self.codes(GROUP_PRECEDENCE) if g in statuses), "none")

    def special(self, statuses: set[str] | frozenset[str], scheme: str) -> bool:
        """Whether "一降一升一取消" applies: a resident with one of the statuses the parameter
        names (特困 / 低保 / 返贫致贫 in force)."""
        return scheme == "resident" and bool(set(self.codes(SPECIAL_STATUSES)) & statuses)

    def medical_statuses(self) -> tuple[str, ...]:
        """Every registry status a settlement looks at, in precedence order (for the cashier's
        patient check)."""
        return (*self.codes(GROUP_PRECEDENCE), BORDER)


def _admission_factors(p: MedicalParams, s: Scheme) -> list[tuple[Decimal, str]]:
    """The deductible share (and its parameter) of the 2nd, 3rd, … admission; the last one
    holds for every later admission. None listed: the later-admission factor for all."""
    path = admission_factors_path(s)
    listed = p.codes(path)
    if not listed:
        return [(p.ratio(later_factor_path(s)), later_factor_path(s))]
    try:
        shares = [Decimal(x) for x in listed]
    except ArithmeticError:
        raise invalid(
            path, "admission_factors", "住院次数起付线比例须为数字", "the shares must be numbers"
        ) from None
    if any(not Decimal(0) <= x <= Decimal(1) for x in shares):
        raise invalid(
            path, "admission_factors", "住院次数起付线比例须在0与1之间", "a share is in [0, 1]"
        )
    return [(x, path) for x in shares]


def _cells(shape: tuple[int, ...]) -> tuple[I64, ObjArray]:
    src = np.empty(shape, dtype=object)
    src.fill(())
    return np.zeros(shape, dtype=np.int64), src


@dataclass(frozen=True)
class Tables:
    """The figures of a :class:`MedicalParams` arranged for vectorised look-up.

    Every array is indexed by the named codes (``[Visit, Scheme, level − 1, later]`` …);
    ``sources[name]`` has the same shape and holds, per cell, the parameter paths it came from.
    """

    basic_ratio: I64  # [visit, scheme, level-1] numerators over ``den``
    reduction: I64  # [area] numerators over ``den`` (0 locally)
    den: int
    deductible: I64  # [visit, scheme, level-1, admission-1 (the last: every later one)]
    basic_cap: I64  # [visit, scheme]
    slots: int  # admission-number columns of ``deductible``
    top_up: Bools  # [scheme]: a referral up a level pays the difference of the deductibles
    any_top_up: bool
    band_thr: I64  # [visit, scheme, level-1, band]: the year's cost above the deductible
    band_inc: I64  # [visit, scheme, level-1, band]: points added to the ratio, over ``den``
    ceiling: I64  # [visit, scheme]: yearly eligible cost above the deductible (NO_CEILING)
    cumulative: bool  # some bands or a ceiling are on: the basic layer reads the year's cost
    ci_outpatient: Bools  # [scheme]: outpatient self-pay enters 大病 / 大额
    any_ci_outpatient: bool
    ci_deductible: I64  # [scheme, special]: 大病 (residents) / 大额 (employees)
    ci_cap: I64  # [scheme, special]; −1 where the cap is removed
    sup_scale: ScaleAt  # 大额医疗补助 segments (employees; one bracket in Tibet)
    ci_absolute: (
        Bools  # [scheme]: the 大病 / 大额 thresholds are absolute (not above the deductible)
    )
    normal_scale: ScaleAt  # 大病保险 segments (residents)
    special_scale: ScaleAt  # the same, +N points for special groups ("一升")
    as_ratio: I64  # [group, border] numerators over ``as_den``
    as_den: int
    as_deductible: I64  # [group, border]
    as_cap: I64  # [major_disease]
    person: PersonTerms  # ratios and caps that depend on the person (all off in Tibet)
    # the chain (``medical.layers.order``, ``medical/chain.py``): the layers after basic, in
    # order; 倾斜救助 (tilted assistance) and the commercial supplementary layer (惠民保-style)
    order: tuple[str, ...]
    ta_ratio: I64  # [group] numerators over ``ta_den`` (no group: 0)
    ta_den: int
    ta_threshold: I64  # [group], per stay: the policy-range self-pay left above it is assisted
    ta_cap: int  # yearly
    cm_ratio: int  # over ``cm_den``
    cm_den: int
    cm_deductible: int  # yearly
    cm_cap: int  # yearly
    cm_outpatient: bool  # also on outpatient bills
    sources: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, p: MedicalParams) -> Tables:
        src: dict[str, Any] = {}
        ratio_cells: list[tuple[tuple[int, ...], str]] = [
            ((v, s, lv - 1), basic_ratio_path(v, s, lv))
            for v in Visit
            for s in Scheme
            for lv in LEVELS
        ]
        rates = [p.ratio(x) for _, x in ratio_cells]
        reductions = [Decimal(0)] + [
            p.ratio(REDUCTION_PATHS[a]) for a in (Area.FILED, Area.UNFILED)
        ]
        band_cells = [
            ((v, s, lv - 1), p.bands[bands_path(v, s, lv)])
            for v in Visit
            for s in Scheme
            for lv in LEVELS
        ]
        band_rates = [r for _, sc in band_cells for r in sc.rates]
        person_rates = PersonTerms.rates(p)
        nums, den = ratio_table(rates + reductions + band_rates + person_rates)
        n_bands = max(len(sc.thresholds) for _, sc in band_cells)
        band_thr = np.full((2, 3, 3, n_bands), NO_CEILING, dtype=np.int64)
        band_inc = np.zeros((2, 3, 3, n_bands), dtype=np.int64)
        src["bands"] = np.empty((2, 3, 3), dtype=object)
        at = len(rates) + len(reductions)
        cumulative = False  # all thresholds and points 0: one band, today's ratio
        for where, sc in band_cells:
            k = len(sc.thresholds)
            band_thr[(*where, slice(0, k))] = sc.thresholds
            band_inc[(*where, slice(0, k))] = nums[at : at + k]
            at += k
            cumulative = cumulative or any(sc.rates) or any(sc.thresholds)
            src["bands"][where] = tuple(i.path for i in sc.infos)
        src["band_thr"] = src["band_inc"] = src["bands"]
        ceiling, src["ceiling"] = _cells((2, 3))
        for v in Visit:
            for s in Scheme:
                path = ceiling_path(v, s)
                ceiling[v, s] = p.fen(path) or NO_CEILING
                src["ceiling"][v, s] = (path,)
                cumulative = cumulative or p.fen(path) > 0
        basic_ratio, src["basic_ratio"] = _cells((2, 3, 3))
        for (idx, path), num in zip(ratio_cells, nums, strict=False):
            basic_ratio[idx], src["basic_ratio"][idx] = num, (path,)
        reduction, src["reduction"] = _cells((3,))
        reduction[:] = nums[len(rates) : len(rates) + len(reductions)]
        for a, path in REDUCTION_PATHS.items():
            src["reduction"][a] = (path,)

        later = {s: _admission_factors(p, s) for s in Scheme}
        slots = max(len(f) for f in later.values()) + 1
        deductible, src["deductible"] = _cells((2, 3, 3, slots))
        basic_cap, src["basic_cap"] = _cells((2, 3))
        top_up = np.zeros(3, dtype=np.bool_)
        ci_outpatient = np.zeros(3, dtype=np.bool_)
        src["top_up"], src["ci_outpatient"] = np.empty(3, dtype=object), np.empty(3, dtype=object)
        for s in Scheme:  # a cell names its parameter where it switches the shape on
            top_up[s] = p.flag(top_up_path(s))
            src["top_up"][s] = (top_up_path(s),) if top_up[s] else ()
            ci_outpatient[s] = p.flag(ci_outpatient_path(s))
            src["ci_outpatient"][s] = (ci_outpatient_path(s),) if ci_outpatient[s] else ()
        for v in Visit:
            for s in Scheme:
                cap = basic_cap_path(v, s)
                basic_cap[v, s], src["basic_cap"][v, s] = p.fen(cap), (cap,)
                for lv in LEVELS:
                    path = basic_deductible_path(v, s, lv)
                    ded = p.fen(path)
                    for k in range(slots):
                        cell = (v, s, lv - 1, k)
                        deductible[cell], src["deductible"][cell] = ded, (path,)
                        if k and v is Visit.INPATIENT:
                            factor, fpath = later[s][min(k, len(later[s])) - 1]
                            deductible[cell] = apply_ratio(ded, factor)
                            src["deductible"][cell] = (path, fpath)

        ci_deductible, src["ci_deductible"] = _cells((3, 2))
        ci_cap, src["ci_cap"] = _cells((3, 2))
        for s in (Scheme.EMPLOYEE_ACTIVE, Scheme.EMPLOYEE_RETIRED):
            for sp in (0, 1):
                ci_deductible[s, sp], src["ci_deductible"][s, sp] = (
                    p.fen(f"{SUP}.deductible"),
                    (f"{SUP}.deductible",),
                )
                ci_cap[s, sp], src["ci_cap"][s, sp] = (
                    p.fen(f"{SUP}.annual_cap"),
                    (f"{SUP}.annual_cap",),
                )
        r = Scheme.RESIDENT
        ci_ded = p.fen(f"{CI}.deductible")
        ci_deductible[r, 0], src["ci_deductible"][r, 0] = ci_ded, (f"{CI}.deductible",)
        ci_deductible[r, 1] = ci_ded - apply_ratio(ci_ded, p.ratio(CI_DED_REDUCTION))  # "一降"
        src["ci_deductible"][r, 1] = (f"{CI}.deductible", CI_DED_REDUCTION)
        ci_cap[r, 0], src["ci_cap"][r, 0] = p.fen(f"{CI}.annual_cap"), (f"{CI}.annual_cap",)
        if p.flag(CI_CAP_REMOVED):  # "一取消"
            ci_cap[r, 1], src["ci_cap"][r, 1] = -1, (CI_CAP_REMOVED,)
        else:
            ci_cap[r, 1] = p.fen(f"{CI}.annual_cap")
            src["ci_cap"][r, 1] = (f"{CI}.annual_cap", CI_CAP_REMOVED)
        inc = p.ratio(CI_RATIO_INCREASE)
        special_scale = replace(  # "一升"
            p.ci_scale, rates=tuple(min(x + inc, Decimal(1)) for x in p.ci_scale.rates)
        )
        scale_paths = tuple(i.path for i in p.ci_scale.infos)
        if p.sup_scale is None:
            raise ValueError(f"{SUP_SCALE}: the figures were read without the scale")
        src["sup_scale"] = (*(i.path for i in p.sup_scale.infos), SUP_BASIS)
        src["normal_scale"] = (*scale_paths, CI_BASIS)
        src["special_scale"] = (*scale_paths, CI_RATIO_INCREASE, CI_BASIS)
        ci_absolute = np.zeros(3, dtype=np.bool_)  # how the 大病 / 大额 thresholds are measured
        src["ci_absolute"] = np.empty(3, dtype=object)
        for s in Scheme:
            basis_path = CI_BASIS if s is Scheme.RESIDENT else SUP_BASIS
            basis = " ".join(p.codes(basis_path))
            if basis not in BASES:
                raise invalid(
                    basis_path,
                    "threshold_basis",
                    "分段门槛的口径须为above_deductible或absolute",
                    "the thresholds are measured above_deductible or absolute",
                )
            ci_absolute[s], src["ci_absolute"][s] = basis == "absolute", (basis_path,)

        group_rates = [p.ratio(f"{AS}.ratio.{g}") for g in GROUPS[1:]]
        g_nums, as_den = ratio_table([Decimal(0), *group_rates, p.ratio(BORDER_RATIO)])
        border_num = g_nums[-1]
        as_ratio, src["as_ratio"] = _cells((len(Group), 2))
        as_deductible, src["as_deductible"] = _cells((len(Group), 2))
        for g in Group:
            own: Paths = () if g is Group.NONE else (f"{AS}.ratio.{GROUPS[g]}",)
            as_ratio[g, 0], src["as_ratio"][g, 0] = g_nums[g], own
            as_ratio[g, 1] = max(g_nums[g], border_num)  # border residents: the better ratio
            src["as_ratio"][g, 1] = (*own, BORDER_RATIO)
            if g is not Group.NONE:  # border residents have no assistance deductible
                path = f"{AS}.deductible.{GROUPS[g]}"
                as_deductible[g, 0], src["as_deductible"][g, 0] = p.fen(path), (path,)
        as_cap, src["as_cap"] = _cells((2,))
        for major in (0, 1):
            path = assistance_cap_path(bool(major))
            as_cap[major], src["as_cap"][major] = p.fen(path), (path,)
        return cls(
            basic_ratio=basic_ratio,
            reduction=reduction,
            den=den,
            deductible=deductible,
            basic_cap=basic_cap,
            slots=slots,
            top_up=top_up,
            any_top_up=bool(top_up.any()),
            band_thr=band_thr,
            band_inc=band_inc,
            ceiling=ceiling,
            cumulative=cumulative,
            ci_outpatient=ci_outpatient,
            any_ci_outpatient=bool(ci_outpatient.any()),
            ci_deductible=ci_deductible,
            ci_cap=ci_cap,
            sup_scale=p.sup_scale,
            ci_absolute=ci_absolute,
            normal_scale=p.ci_scale,
            special_scale=special_scale,
            as_ratio=as_ratio,
            as_den=as_den,
            as_deductible=as_deductible,
            as_cap=as_cap,
            person=PersonTerms.build(p, nums[len(nums) - len(person_rates) :]),
            **chain_tables(p, src),
            sources=src,
        )


def yearly_caps(p: MedicalParams, scheme: Scheme, special: bool) -> dict[str, int | None]:
    """Each fund's yearly cap for a patient (None: no cap) — for the patient's own page."""
    t = p.t
    ci = int(t.ci_cap[scheme, int(special and scheme is Scheme.RESIDENT)])
    return {
        "outpatient": int(t.basic_cap[Visit.OUTPATIENT, scheme]),
        "inpatient": int(t.basic_cap[Visit.INPATIENT, scheme]),
        "critical_illness": None if ci < 0 else ci,
        "assistance": int(t.as_cap[0]),
    }
