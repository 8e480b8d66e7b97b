"""The assistance figures of one date and one region, arranged for the rules.

:class:`AssistanceParams` reads every figure the rules may use from a parameter
:class:`~minsheng.policy.Snapshot` (with its date and source). The figures looked up per row
(the 低保 standard by area, the counted share by income kind, the 特困 standard by area, the care
allowance by care level) are laid out in :class:`Tables`, indexed by the named codes below; each
cell carries the parameter paths it was made from (``Tables.sources``), so the rules can name,
for every amount, exactly the dated, cited figures that produced it. Scalar figures are read by
path (:meth:`AssistanceParams.fen` / ``count`` / ``ratio``); :meth:`AssistanceParams.info` only
names a figure (for an explanation), it does not use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from minsheng.core.errors import invalid
from minsheng.policy import Snapshot, ValueInfo

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Paths = tuple[str, ...]

AREAS = ("urban", "rural")
URBAN, RURAL = AREAS.index("urban"), AREAS.index("rural")  # codes of the area columns
INCOME_KINDS = ("wage", "business", "property", "transfer", "pension", "exempt")
CARE_LEVELS = ("self_care", "partial", "full")  # 全自理 / 半护理 / 全护理

# -- the parameter paths, each named once ---------------------------------------------------------

STANDARD = {  # 低保标准: urban per month, rural per year
    "urban": "assistance.dibao.standard.urban_monthly",
    "rural": "assistance.dibao.standard.rural_yearly",
}
COUNTED_SHARE = {k: f"assistance.income.counted_share.{k}" for k in INCOME_KINDS}
ASSET_LIMIT_MONTHS = "assistance.dibao.asset_limit_months"
GAP_METHOD = "assistance.dibao.gap_method"  # 补差算法: exact | per_capita | banded
GAP_METHODS = ("exact", "per_capita", "banded")
BANDS = "assistance.dibao.bands"  # 分档: per-capita income / standard → share of the standard
MINIMUM_SHARE = "assistance.dibao.minimum_payment_share"  # 保底 (0 = none)
SANWU_PAYMENT = "assistance.dibao.sanwu_payment"  # “三无”: gap | full
SANWU_PAYMENTS = ("gap", "full")
ROUNDING = {  # 取整规则 of each money family
    "benefit": "assistance.dibao.rounding.benefit",
    "minimum": "assistance.dibao.rounding.minimum",
}
ROUNDINGS = ("fen", "yuan_half_up", "yuan_up", "yuan_down")
ADDON_CATEGORIES = (  # 分类施保
    "elderly",
    "minor",
    "student",
    "single_parent",
    "severely_disabled",
    "seriously_ill",
    "sanwu",
)
ADDON = {
    c: f"assistance.dibao.addon.{c}" for c in ADDON_CATEGORIES
}  # .kind .share .amount .rounding
ADDON_KINDS = ("share", "fixed")
ADDON_COMBINE = "assistance.dibao.addon.combine"  # highest | sum
ADDON_COMBINES = ("highest", "sum")
SINGLE_MAX_GRADE = "assistance.dibao.single_household_max_disability_grade"
EDGE_FACTOR = "assistance.dibao_edge.income_factor"
RIGID_SHARE = "assistance.rigid_expense.share_of_income"
DISPOSABLE_INCOME = "economy.per_capita_disposable_income"
TEKUN_FACTOR = "assistance.tekun.standard_factor"
TEKUN_MINIMUM = "assistance.tekun.minimum_yearly"
TEKUN_ELDERLY_AGE = "assistance.tekun.age.elderly"
TEKUN_MINOR_AGE = "assistance.tekun.age.minor"
TEKUN_MAX_GRADE = "assistance.tekun.max_disability_grade"
CARE_ALLOWANCE = {c: f"assistance.tekun.care_allowance.{c}" for c in CARE_LEVELS}
TEMPORARY_CAP = "assistance.temporary.per_case_cap"
TEMPORARY_MONTHS = "assistance.temporary.standard_months"

PATHS = (
    *COUNTED_SHARE.values(),
    *STANDARD.values(),
    ASSET_LIMIT_MONTHS,
    GAP_METHOD,
    MINIMUM_SHARE,
    SANWU_PAYMENT,
    *ROUNDING.values(),
    *(
        f"{ADDON[c]}.{leaf}"
        for c in ADDON_CATEGORIES
        for leaf in ("kind", "share", "amount", "rounding")
    ),
    ADDON_COMBINE,
    SINGLE_MAX_GRADE,
    "assistance.dibao.consumption_ratio.urban",
    "assistance.dibao.consumption_ratio.rural",
    EDGE_FACTOR,
    RIGID_SHARE,
    "assistance.rigid_expense.validity_months",
    TEKUN_FACTOR,
    TEKUN_MINIMUM,
    TEKUN_ELDERLY_AGE,
    TEKUN_MINOR_AGE,
    TEKUN_MAX_GRADE,
    *CARE_ALLOWANCE.values(),
    "assistance.disability.living_subsidy_monthly",
    "assistance.disability.nursing_subsidy_monthly.grade_1",
    "assistance.disability.nursing_subsidy_monthly.grade_2",
    "assistance.elderly_allowance_monthly.age_80",
    "assistance.elderly_allowance_monthly.age_90",
    "assistance.elderly_allowance_monthly.age_100",
    "assistance.orphan.basic_living_monthly",
    "assistance.orphan.age_limit",
    TEMPORARY_CAP,
    TEMPORARY_MONTHS,
    "assistance.workflow.check_working_days",
    "assistance.workflow.notice_days",
    "assistance.workflow.decide_working_days",
    "assistance.workflow.review_months",
    "assistance.payment.first_month_offset",
    "assistance.payment.stop_month_paid",
    "assistance.monitoring.medical_selfpay_share",
    "assistance.monitoring.certificate_expiry_days",
    "assistance.monitoring.event_window_days",
    "assistance.monitoring.review_notice_days",
    "assistance.monitoring.deadline_working_days",
    DISPOSABLE_INCOME,
    "economy.per_capita_consumption.urban",
    "economy.per_capita_consumption.rural",
)


def monthly(yearly: int) -> int:
    """A yearly amount in fen as a monthly one, rounded half up to the fen."""
    return (yearly * 2 + 12) // 24


def ceil_ratio(amount: int, r: Fraction) -> int:
    """⌈amount × r⌉ in whole fen."""
    return -((-amount * r.numerator) // r.denominator)


@dataclass(frozen=True)
class Tables:
    """The per-row look-ups of an :class:`AssistanceParams`; ``sources[name]`` holds, per cell,
    the parameter paths the cell was made from."""

    standard: I64  # [area] 低保标准 per person per month
    share_num: I64  # [income kind] counted share, numerators over ``share_den``
    share_den: int
    tekun_standard: I64  # [area] 特困 basic living standard per month
    care_allowance: I64  # [care level] per month
    sources: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, p: AssistanceParams) -> Tables:
        std = [
            p.fen(STANDARD["urban"]),
            monthly(p.fen(STANDARD["rural"])),
        ]
        shares = [p.ratio(COUNTED_SHARE[k]) for k in INCOME_KINDS]
        den = int(np.lcm.reduce([x.denominator for x in shares]))
        factor, minimum = p.ratio(TEKUN_FACTOR), monthly(p.fen(TEKUN_MINIMUM))
        src: dict[str, Any] = {
            "standard": _cells([(STANDARD[a],) for a in AREAS]),
            "share_num": _cells([(COUNTED_SHARE[k],) for k in INCOME_KINDS]),
            "tekun_standard": _cells([(TEKUN_FACTOR, TEKUN_MINIMUM, STANDARD[a]) for a in AREAS]),
            "care_allowance": _cells([(CARE_ALLOWANCE[c],) for c in CARE_LEVELS]),
        }  # share_den is a common denominator (a representation), no figure of its own
        return cls(
            standard=_frozen(std),
            share_num=_frozen([x.numerator * den // x.denominator for x in shares]),
            share_den=den,
            tekun_standard=_frozen([max(ceil_ratio(s, factor), minimum) for s in std]),
            care_allowance=_frozen([monthly(p.fen(CARE_ALLOWANCE[c])) for c in CARE_LEVELS]),
            sources=src,
        )


def _cells(paths: list[Paths]) -> npt.NDArray[np.object_]:
    out = np.empty(len(paths), dtype=object)
    for i, x in enumerate(paths):
        out[i] = x
    return out


def _frozen(values: list[int]) -> I64:
    out = np.array(values, dtype=np.int64)
    out.flags.writeable = False  # shared by every caller of one date and region
    return out


@dataclass(frozen=True)
class AssistanceParams:
    """The assistance figures of one date in one region, with where each came from."""

    infos: dict[str, ValueInfo]

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> AssistanceParams:
        cached = snap.__dict__.get("_assistance_params")
        if isinstance(cached, AssistanceParams):
            return cached
        infos = {p: snap.info(p) for p in PATHS}
        infos.update({i.path: i for i in snap.scale(BANDS).infos})  # …brackets[i].threshold / rate
        made = cls(infos)
        snap.__dict__["_assistance_params"] = made
        return made

    @cached_property
    def t(self) -> Tables:
        """The per-row look-up tables (built once per date and region)."""
        return Tables.build(self)

    def info(self, path: str) -> ValueInfo:
        """A figure with its date, status and source — to name it, not to use it."""
        return self.infos[path]

    def fen(self, path: str) -> int:
        value = self.infos[path].value
        assert isinstance(value, int) and not isinstance(value, bool), path
        return value

    def count(self, path: str) -> int:
        value = self.infos[path].value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return int(value)

    def ratio(self, path: str) -> Fraction:
        value = self.infos[path].value
        assert isinstance(value, int | Decimal) and not isinstance(value, bool), path
        return Fraction(value)

    def code(self, path: str, allowed: tuple[str, ...]) -> str:
        """A codes figure, one of ``allowed`` (else an error naming the parameter)."""
        value = self.infos[path].value
        code = str(value).strip()
        if code not in allowed:
            raise invalid(
                path,
                "unknown_code",
                f"参数{path}的值{code!r}无效（可选：{'、'.join(allowed)}）",
                f"{path}: {code!r} is not one of {', '.join(allowed)}",
                f"ཚད་གཞི་{path}ཡི་གྲངས་ཐང་{code!r}ནོར་འདུག ({' / '.join(allowed)})",
            )
        return code

    def gap_method(self) -> str:
        """How the 低保 benefit is computed (``GAP_METHODS``): ``exact`` = standard × members −
        income; ``per_capita`` = (standard − the per-capita income rounded down) × members;
        ``banded`` = the band's share of the standard × members (:meth:`bands`)."""
        return self.code(GAP_METHOD, GAP_METHODS)

    def bands(self) -> tuple[tuple[Fraction, Fraction, Paths], ...]:
        """分档: (per-capita income ÷ standard from which the band applies, share of the standard
        it pays per member, the two parameter paths), in the table's order."""
        out = []
        i = 0
        while f"{BANDS}.brackets[{i}].threshold" in self.infos:
            t, r = f"{BANDS}.brackets[{i}].threshold", f"{BANDS}.brackets[{i}].rate"
            out.append((self.ratio(t), self.ratio(r), (t, r)))
            i += 1
        return tuple(out)

    # -- derived figures (monthly, fen), for callers outside the rules ---------------------------

    def standard(self, area: str) -> int:
        """低保标准 per person per month."""
        return int(self.t.standard[AREAS.index(area)])

    def standards(self) -> I64:
        """低保标准 per person per month, by area code."""
        return self.t.standard

    def tekun_standard(self, area: str) -> int:
        """特困 basic living standard per month: ⌈factor × 低保标准⌉, never below the minimum."""
        return int(self.t.tekun_standard[AREAS.index(area)])

    def care_allowances(self) -> I64:
        return self.t.care_allowance

    def income_shares(self) -> tuple[I64, int]:
        """Counted share of each income kind, as integer numerators over one denominator."""
        return self.t.share_num, self.t.share_den
