"""Ratios and caps that depend on the person (issue 16 item 6), each a dated, cited parameter.

- **By age**: the basic-insurance ratio rises by ``medical.person.age.points_per_year`` for each
  year of age above ``from_age`` (the age on the date of the bill), at most ``max_points``;
- **by years of continuous enrolment** (连续参保年限, the years before this one): likewise, each
  year above ``medical.person.enrolment.from_years``, at most ``max_points``; both only for the
  schemes ``medical.person.schemes`` names, and the ratio never above 100%;
- **the 大病 cap** (residents' 大病保险): raised for each year of continuous enrolment above
  ``medical.critical_illness.person.enrolment_from_years`` and for each zero-claim year (年度
  零报销: the consecutive years up to last year in which the funds paid nothing), together at most
  ``max_cap_increase`` — seed 001: “对连续参保和当年零报销人员按规定提高次年大病保险最高支付限额”.
  A cap removed for special groups stays removed.

Tibet publishes none of the figures: every term is 0 (off), so every result stays as it was.
The facts come with each bill (:class:`~minsheng.medical.bills.Bills`: ``age``,
``enrolled_years``, ``zero_claim_years``; −1 when not given); a term that is on refuses a bill
that lacks the fact it needs (``person_fact_missing``), never guessing 0. The enrolment and
zero-claim years describe the years before the bill's, so they are the same on every bill of a
person-year (:func:`check_year`); the age may change at a birthday.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from minsheng.core.errors import invalid
from minsheng.medical.codes import SCHEMES, Scheme
from minsheng.medical.paths import (
    AGE_FROM,
    AGE_MAX,
    AGE_PER_YEAR,
    CAP_ENROL_FROM,
    CAP_ENROL_INC,
    CAP_MAX_INC,
    CAP_ZERO_CLAIM_INC,
    ENROL_FROM,
    ENROL_MAX,
    ENROL_PER_YEAR,
    PERSON_SCHEMES,
)

if TYPE_CHECKING:
    from minsheng.medical.bills import Bills
    from minsheng.medical.tables import MedicalParams, Tables

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def N_(msgid: str) -> str:  # marks a message for the catalogues (pybabel -k N_)
    return msgid


# the names of the terms, as the explanation shows them (translated where rendered)
AGE_TERM = N_("ratio raised by age")
ENROL_TERM = N_("ratio raised by years of continuous enrolment")
CAP_ENROL_TERM = N_("critical-illness cap raised by years of continuous enrolment")
CAP_ZERO_TERM = N_("critical-illness cap raised by zero-claim years")


@dataclass(frozen=True)
class PersonTerms:
    """The person-dependent figures of one snapshot; ratio points over ``Tables.den``."""

    schemes: Bools  # [scheme]: the ratio terms apply
    age_from: int
    age_num: int  # points per year of age
    age_max: int
    enrol_from: int
    enrol_num: int  # points per year of enrolment
    enrol_max: int
    cap_enrol_from: int
    cap_enrol_inc: int  # fen per year of enrolment
    cap_zero_inc: int  # fen per zero-claim year
    cap_max: int  # fen: the most the cap rises

    # which terms are on (worked out once: the hot path reads plain flags)
    age_on: bool = False
    enrol_on: bool = False
    ratio_on: bool = False
    cap_on: bool = False
    on: bool = False

    @staticmethod
    def rates(p: MedicalParams) -> list[Decimal]:
        """The ratio figures, for the common denominator of every ratio (``Tables.den``)."""
        return [p.ratio(x) for x in (AGE_PER_YEAR, AGE_MAX, ENROL_PER_YEAR, ENROL_MAX)]

    @classmethod
    def build(cls, p: MedicalParams, nums: list[int]) -> PersonTerms:
        """From the snapshot's figures; ``nums``: :meth:`rates` over the common denominator."""
        named = set(p.codes(PERSON_SCHEMES)) - {"none"}
        schemes = np.array([SCHEMES[s] in named for s in Scheme], dtype=np.bool_)
        age_num, age_max, enrol_num, enrol_max = nums
        some = bool(schemes.any())
        age_on = some and age_num > 0 and age_max > 0
        enrol_on = some and enrol_num > 0 and enrol_max > 0
        cap_enrol_inc, cap_zero_inc = p.fen(CAP_ENROL_INC), p.fen(CAP_ZERO_CLAIM_INC)
        cap_max = p.fen(CAP_MAX_INC)
        cap_on = cap_max > 0 and (cap_enrol_inc > 0 or cap_zero_inc > 0)
        return cls(
            schemes,
            p.fen(AGE_FROM),
            age_num,
            age_max,
            p.fen(ENROL_FROM),
            enrol_num,
            enrol_max,
            p.fen(CAP_ENROL_FROM),
            cap_enrol_inc,
            cap_zero_inc,
            cap_max,
            age_on,
            enrol_on,
            age_on or enrol_on,
            cap_on,
            age_on or enrol_on or cap_on,
        )


def _need(bills: Bills, fact: str, where: Bools) -> I64:
    values: I64 = getattr(bills, fact)
    if (where & (values < 0)).any():
        raise invalid(
            fact,
            "person_fact_missing",
            f"本统筹区的报销比例或大病保险限额因人而异，账单须给出{fact}"
            "（就诊日年龄、本年以前连续参保年数、上年起连续零报销年数）",
            f"this region's ratio or critical-illness cap depends on the person: the bill "
            f"needs {fact} (the age on the date of the bill, the years of continuous enrolment "
            "before this one, the consecutive zero-claim years up to last year)",
            f"«{fact}» དགོས།",
        )
    return values


def _counted(years: I64, start: int, per: int, most: int) -> I64:
    # years past 10,000 count as 10,000: no term reaches it, and ``* per`` cannot wrap in int64
    # whatever a worked example's bill states
    out: I64 = np.minimum(np.minimum(np.maximum(years - start, 0), 10_000) * per, most)
    return out


def _term_points(
    bills: Bills, t: Tables, on: bool, fact: str, start: int, per: int, most: int
) -> I64:
    """The points (over ``t.den``) a ratio term adds to each bill of the schemes it covers."""
    if not on:
        return np.zeros(len(bills), dtype=np.int64)
    where = t.person.schemes[bills.scheme]
    return np.where(where, _counted(_need(bills, fact, where), start, per, most), 0)


def age_points(bills: Bills, t: Tables) -> I64:
    """The points the age term adds to each bill's basic ratio."""
    pt = t.person
    return _term_points(bills, t, pt.age_on, "age", pt.age_from, pt.age_num, pt.age_max)


def enrolment_points(bills: Bills, t: Tables) -> I64:
    """The points the enrolment term adds to each bill's basic ratio."""
    pt = t.person
    return _term_points(
        bills, t, pt.enrol_on, "enrolled_years", pt.enrol_from, pt.enrol_num, pt.enrol_max
    )


def raise_ratio(bills: Bills, t: Tables, ratio: I64) -> I64:
    """The basic ratio with the person's points added, never above 100%."""
    if not t.person.ratio_on:
        return ratio
    raised: I64 = np.minimum(ratio + age_points(bills, t) + enrolment_points(bills, t), t.den)
    return raised


def cap_increase(bills: Bills, t: Tables) -> tuple[I64, I64]:
    """The fen each bill's 大病 cap rises by (residents): (for enrolment, for zero-claim years),
    together at most the parameter's most."""
    pt = t.person
    zero = np.zeros(len(bills), dtype=np.int64)
    if not pt.cap_on:
        return zero, zero
    resident = bills.scheme == Scheme.RESIDENT
    enrol = zero
    if pt.cap_enrol_inc > 0:
        years = _need(bills, "enrolled_years", resident)
        enrol = np.where(
            resident, _counted(years, pt.cap_enrol_from, pt.cap_enrol_inc, pt.cap_max), 0
        )
    zc = zero
    if pt.cap_zero_inc > 0:
        years = _need(bills, "zero_claim_years", resident)
        zc = np.where(resident, _counted(years, 0, pt.cap_zero_inc, pt.cap_max), 0)
    zc = np.minimum(zc, pt.cap_max - enrol)  # enrolment first, then zero-claim years
    return enrol, zc


def raise_cap(bills: Bills, t: Tables, cap: I64) -> I64:
    """The 大病 cap raised for enrolment and zero-claim years (−1, no cap, stays −1)."""
    if not t.person.cap_on:
        return cap
    enrol, zc = cap_increase(bills, t)
    raised: I64 = np.where(cap < 0, cap, cap + enrol + zc)
    return raised


def check_year(bills: Bills) -> None:
    """One person-year's bills: the years before this one are the same on every bill."""
    for fact in ("enrolled_years", "zero_claim_years"):
        values = getattr(bills, fact)
        if len(values) and (values != values[0]).any():
            raise invalid(
                fact,
                "person_fact_changes",
                f"同一人同一年的账单{fact}须相同（描述本年以前的年份）",
                f"{fact} must be the same on every bill of a person's year (it describes the "
                "years before it)",
                f"«{fact}» མཚུངས་དགོས།",
            )


@dataclass(frozen=True)
class Term:
    """A person-dependent term one bill used: its name (a msgid), the person's fact it read
    (age or years), what it added (ratio points or yuan) and the parameters it came from."""

    name: str
    fact: int
    added: str
    paths: tuple[str, ...]


def terms(bills: Bills, t: Tables, i: int) -> tuple[list[Term], list[Term]]:
    """The person-dependent terms bill ``i`` used, for its explanation: (for the basic ratio,
    for the 大病 cap)."""
    row, pt = bills.row(i), t.person
    scheme = int(row.scheme[0])
    basic: list[Term] = []
    ci: list[Term] = []
    if pt.age_on and pt.schemes[scheme]:
        pts = _points(int(age_points(row, t)[0]), t.den)
        basic.append(Term(AGE_TERM, int(row.age[0]), pts, AGE_PATHS))
    if pt.enrol_on and pt.schemes[scheme]:
        pts = _points(int(enrolment_points(row, t)[0]), t.den)
        basic.append(Term(ENROL_TERM, int(row.enrolled_years[0]), pts, ENROL_PATHS))
    if pt.cap_on and scheme == Scheme.RESIDENT:
        enrol, zc = cap_increase(row, t)
        if pt.cap_enrol_inc > 0:
            fact = int(row.enrolled_years[0])
            ci.append(Term(CAP_ENROL_TERM, fact, _yuan(int(enrol[0])), CAP_ENROL_PATHS))
        if pt.cap_zero_inc > 0:
            fact = int(row.zero_claim_years[0])
            ci.append(Term(CAP_ZERO_TERM, fact, _yuan(int(zc[0])), CAP_ZERO_PATHS))
    return basic, ci


def _points(num: int, den: int) -> str:
    return "+" + str((Decimal(num) / Decimal(den)).normalize())


def _yuan(fen: int) -> str:
    return "+" + str(Decimal(fen).scaleb(-2))


AGE_PATHS = (PERSON_SCHEMES, AGE_FROM, AGE_PER_YEAR, AGE_MAX)
ENROL_PATHS = (PERSON_SCHEMES, ENROL_FROM, ENROL_PER_YEAR, ENROL_MAX)
CAP_ENROL_PATHS = (CAP_ENROL_FROM, CAP_ENROL_INC, CAP_MAX_INC)
CAP_ZERO_PATHS = (CAP_ZERO_CLAIM_INC, CAP_MAX_INC)
