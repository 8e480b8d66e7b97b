"""Where each medical figure lives in the parameter tree: one function or constant per figure,
by scheme, visit and hospital level (``medical/tables.py`` reads them)."""

from __future__ import annotations

from minsheng.medical.codes import GROUPS, LEVELS, VISITS, Area, Scheme, Visit


def _lv(level: int) -> str:
    return f"level_{level}"


def _who(s: Scheme) -> str:
    return "retired" if s is Scheme.EMPLOYEE_RETIRED else "active"


def basic_ratio_path(visit: Visit, scheme: Scheme, level: int) -> str:
    """The basic insurance reimbursement ratio (报销比例) for a visit, scheme and level."""
    if scheme is Scheme.RESIDENT:
        if visit is Visit.OUTPATIENT:
            return "medical.resident.outpatient.ratio"
        return f"medical.resident.inpatient.ratio.{_lv(level)}"
    base = "employee_outpatient" if visit is Visit.OUTPATIENT else "employee_inpatient"
    return f"medical.{base}.ratio.{_who(scheme)}.{_lv(level)}"


def basic_deductible_path(visit: Visit, scheme: Scheme, level: int) -> str:
    """The deductible (起付线): yearly for outpatient pooling, per admission for inpatient."""
    if scheme is Scheme.RESIDENT:
        if visit is Visit.OUTPATIENT:
            return "medical.resident.outpatient.deductible"
        return f"medical.resident.inpatient.deductible.{_lv(level)}"
    if visit is Visit.OUTPATIENT:
        return f"medical.employee_outpatient.deductible.{_who(scheme)}"
    return f"medical.employee_inpatient.deductible.{_lv(level)}"


def later_factor_path(scheme: Scheme) -> str:
    base = "employee_inpatient" if scheme is not Scheme.RESIDENT else "resident.inpatient"
    return f"medical.{base}.later_admission_deductible_factor"


def _inpatient_base(scheme: Scheme) -> str:
    return "medical." + (
        "employee_inpatient" if scheme is not Scheme.RESIDENT else "resident.inpatient"
    )


def admission_factors_path(scheme: Scheme) -> str:
    """The deductible shares of the 2nd, 3rd, … admission (a codes leaf; empty: the later
    factor for all)."""
    return f"{_inpatient_base(scheme)}.admission_deductible_factors"


def top_up_path(scheme: Scheme) -> str:
    """Whether a referral up a level pays only the difference of the deductibles."""
    return f"{_inpatient_base(scheme)}.referral_top_up"


def _visit_base(visit: Visit, scheme: Scheme) -> str:
    if scheme is Scheme.RESIDENT:
        return f"medical.resident.{VISITS[visit]}"
    return f"medical.employee_{VISITS[visit]}"


def bands_path(visit: Visit, scheme: Scheme, level: int) -> str:
    """The cost bands (分段报销) of a visit, scheme and level: points added to the level's ratio
    by the year's cumulative cost (resident outpatient pooling has one ratio for all levels)."""
    if scheme is Scheme.RESIDENT and visit is Visit.OUTPATIENT:
        return f"{_visit_base(visit, scheme)}.ratio_bands"
    return f"{_visit_base(visit, scheme)}.ratio_bands.{_lv(level)}"


def ceiling_path(visit: Visit, scheme: Scheme) -> str:
    """The yearly eligible-cost ceiling above the deductible (0: none)."""
    return f"{_visit_base(visit, scheme)}.eligible_ceiling"


def ci_outpatient_path(scheme: Scheme) -> str:
    """Whether outpatient self-pay accumulates into 大病 (residents) / 大额 (employees)."""
    return f"{CI if scheme is Scheme.RESIDENT else SUP}.includes_outpatient"


NO_CEILING = 2**60  # a ceiling no year reaches (the parameter's 0)


def basic_cap_path(visit: Visit, scheme: Scheme) -> str:
    """The basic fund's yearly cap (年度最高支付限额) for the visit type."""
    if scheme is Scheme.RESIDENT:
        return f"medical.resident.{VISITS[visit]}.annual_cap"
    return f"medical.employee_{VISITS[visit]}.annual_cap"


REDUCTION_PATHS = {
    Area.FILED: "medical.out_of_area.filed_ratio_reduction",
    Area.UNFILED: "medical.out_of_area.unfiled_ratio_reduction",
}
CI = "medical.critical_illness"
SUP = "medical.employee_supplementary"
AS = "medical.assistance"
CI_SCALE = f"{CI}.scale"
CI_DED_REDUCTION = f"{CI}.special_groups.deductible_reduction"
CI_RATIO_INCREASE = f"{CI}.special_groups.ratio_increase"
CI_CAP_REMOVED = f"{CI}.special_groups.cap_removed"
BORDER_RATIO = f"{AS}.border_resident_ratio"
GROUP_PRECEDENCE = f"{AS}.group_precedence"  # which status decides the assistance group
SPECIAL_STATUSES = f"{CI}.special_groups.statuses"  # who gets "一降一升一取消"
BORDER = "border"  # the registry status of 边境一线 residents


SUP_SCALE = f"{SUP}.scale"  # 大额医疗补助 as a segmented scale (one bracket in Tibet)
# how a 大病 / 大额 scale's thresholds are measured: above_deductible | absolute (a codes leaf)
CI_BASIS, SUP_BASIS = f"{CI}.threshold_basis", f"{SUP}.threshold_basis"
# ratios and caps that depend on the person (medical/person_terms.py; all off in Tibet)
PERSON = "medical.person"
PERSON_SCHEMES = f"{PERSON}.schemes"
AGE_FROM, AGE_PER_YEAR, AGE_MAX = (
    f"{PERSON}.age.{x}" for x in ("from_age", "points_per_year", "max_points")
)
ENROL_FROM, ENROL_PER_YEAR, ENROL_MAX = (
    f"{PERSON}.enrolment.{x}" for x in ("from_years", "points_per_year", "max_points")
)
CI_PERSON = f"{CI}.person"
CAP_ENROL_FROM, CAP_ENROL_INC = (
    f"{CI_PERSON}.enrolment_from_years",
    f"{CI_PERSON}.enrolment_cap_increase",
)
CAP_ZERO_CLAIM_INC, CAP_MAX_INC = (
    f"{CI_PERSON}.zero_claim_cap_increase",
    f"{CI_PERSON}.max_cap_increase",
)
PERSON_PATHS = (
    PERSON_SCHEMES,
    AGE_FROM,
    AGE_PER_YEAR,
    AGE_MAX,
    ENROL_FROM,
    ENROL_PER_YEAR,
    ENROL_MAX,
    CAP_ENROL_FROM,
    CAP_ENROL_INC,
    CAP_ZERO_CLAIM_INC,
    CAP_MAX_INC,
)

LAYER_ORDER = "medical.layers.order"  # the settlement layers in order (a codes leaf)
TA = "medical.tilted_assistance"  # 倾斜救助
CM = "medical.commercial"  # 商业补充医疗保险 (惠民保-style)
TA_THRESHOLD = f"{TA}.threshold"  # every group's; each group adds its own (group_threshold)
TA_CAP = f"{TA}.annual_cap"
CM_DEDUCTIBLE = f"{CM}.deductible"
CM_RATIO = f"{CM}.ratio"
CM_CAP = f"{CM}.annual_cap"
CM_OUTPATIENT = f"{CM}.includes_outpatient"


def tilted_ratio_path(group: str) -> str:
    return f"{TA}.ratio.{group}"


def tilted_threshold_path(group: str) -> str:
    """The group's own part of the 倾斜救助 threshold, added to ``TA_THRESHOLD``."""
    return f"{TA}.group_threshold.{group}"


def assistance_cap_path(major_disease: bool) -> str:
    return f"{AS}.annual_cap.{'major_disease' if major_disease else 'ordinary'}"


def _all_paths() -> list[str]:
    paths: set[str] = {CI_DED_REDUCTION, CI_RATIO_INCREASE, CI_CAP_REMOVED, BORDER_RATIO}
    paths |= {GROUP_PRECEDENCE, SPECIAL_STATUSES, LAYER_ORDER, TA_THRESHOLD, TA_CAP}
    paths |= {CM_DEDUCTIBLE, CM_RATIO, CM_CAP, CM_OUTPATIENT}
    paths |= set(REDUCTION_PATHS.values())
    paths |= {f"{CI}.deductible", f"{CI}.annual_cap", f"{SUP}.deductible"}
    paths |= {CI_BASIS, SUP_BASIS, *PERSON_PATHS}
    paths |= {f"{SUP}.annual_cap", assistance_cap_path(False), assistance_cap_path(True)}
    for s in Scheme:
        paths |= {later_factor_path(s), admission_factors_path(s), top_up_path(s)}
        paths.add(ci_outpatient_path(s))
        for v in Visit:
            paths |= {basic_cap_path(v, s), ceiling_path(v, s)}
            for lv in LEVELS:
                paths |= {basic_ratio_path(v, s, lv), basic_deductible_path(v, s, lv)}
    for g in GROUPS[1:]:
        paths |= {f"{AS}.deductible.{g}", f"{AS}.ratio.{g}"}
        paths |= {tilted_ratio_path(g), tilted_threshold_path(g)}
    return sorted(paths)
