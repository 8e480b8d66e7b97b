"""Issue 16 items 4 and 6: the convention of the 大病 / 大额 thresholds, employees' 大额 as a
scale, and the ratios and caps that depend on the person (medical/person_terms.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core.errors import ValidationError
from minsheng.medical import person_terms
from minsheng.medical.rules import Bills, MedicalParams, explain, replay, settle_in_order
from minsheng.policy import load
from minsheng.policy.overlays import parse_overlay
from tests.medical.test_properties import SHAPES, person_year

DAY = dt.date(2024, 6, 1)
TIBET = MedicalParams.from_snapshot(load().at(DAY, "540200"))


def shaped(changes: dict[str, Any], region: str = "540200") -> MedicalParams:
    dated = {k: {"values": {dt.date(2022, 1, 1): {"value": v}}} for k, v in changes.items()}
    tree = load().with_overlay(parse_overlay({"changes": dated}, "person terms"))
    return MedicalParams.from_snapshot(tree.at(DAY, region))


AGE = {
    "medical.person.schemes": "resident employee_active employee_retired",
    "medical.person.age.from_age": 60,
    "medical.person.age.points_per_year": "0.002",
    "medical.person.age.max_points": "0.05",
}
ENROLMENT = {
    "medical.person.schemes": "resident employee_active employee_retired",
    "medical.person.enrolment.from_years": 4,
    "medical.person.enrolment.points_per_year": "0.005",
    "medical.person.enrolment.max_points": "0.03",
}
CAP = {
    "medical.critical_illness.person.enrolment_from_years": 4,
    "medical.critical_illness.person.enrolment_cap_increase": 1000,
    "medical.critical_illness.person.zero_claim_cap_increase": 2000,
    "medical.critical_illness.person.max_cap_increase": 60000,
}
ABSOLUTE = {
    "medical.critical_illness.threshold_basis": "absolute",
    "medical.employee_supplementary.threshold_basis": "absolute",
}
EVERYTHING = {
    **AGE,
    **ENROLMENT,
    **CAP,
    **ABSOLUTE,
    "medical.employee_supplementary.deductible": 2000,
    "medical.employee_supplementary.scale.brackets[1].threshold": 30000,
    "medical.employee_supplementary.scale.brackets[1].rate": "0.95",
}
ALL_ON = MedicalParams.from_snapshot(
    load()
    .with_overlay(parse_overlay(SHAPES, "shapes"))
    .with_overlay(
        parse_overlay(
            {
                "changes": {
                    k: {"values": {"2022-01-01": {"value": v}}} for k, v in EVERYTHING.items()
                }
            },
            "person terms",
        )
    )
    .at(DAY, "540200")
)
ONE = {"scheme": "resident", "visit": "inpatient", "level": 2}


def ci_of(p: MedicalParams, policy: int, **kw: Any) -> int:
    r, _ = settle_in_order(Bills.of([{**ONE, "policy": policy, **kw}]), p)
    return int(r.ci[0])


# ---------------------------------------------------------------- item 4: threshold convention


def test_tibet_measures_its_thresholds_above_the_deductible_and_nothing_is_on() -> None:
    t = TIBET.t
    assert not t.ci_absolute.any()
    assert not t.person.on  # every person-dependent term off: Tibet's results as before


def test_absolute_thresholds_differ_from_thresholds_above_the_deductible() -> None:
    """A bill leaving 60,000 compliant self-pay (basic capped at 200,000): above the deductible
    50,000 × 60% = 30,000; absolute, 40,000 × 60% + 10,000 × 70% = 31,000."""
    absolute = shaped({"medical.critical_illness.threshold_basis": "absolute"})
    assert ci_of(TIBET, 26_000_000) == 3_000_000
    assert ci_of(absolute, 26_000_000) == 3_100_000
    # below the first edge the two agree: the whole amount above the deductible at 60%
    assert ci_of(TIBET, 24_000_000) == ci_of(absolute, 24_000_000)


def test_a_reduced_deductible_moves_the_edges_only_when_measured_above_it() -> None:
    """Special group, deductible 5,000, 65 / 75 %: above the deductible the 75% bracket starts
    at 55,000 of compliant self-pay; absolute, at 50,000 whatever the deductible."""
    absolute = shaped({"medical.critical_illness.threshold_basis": "absolute"})
    assert ci_of(TIBET, 26_000_000, special=True) == 3_625_000  # 50,000×65% + 5,000×75%
    assert ci_of(absolute, 26_000_000, special=True) == 3_675_000  # 45,000×65% + 10,000×75%
    # absolute: the edge stays at 50,000 — compliant 50,000 pays 45,000 × 65% only
    assert ci_of(absolute, 25_000_000, special=True) == 2_925_000
    assert ci_of(TIBET, 25_000_000, special=True) == 2_925_000  # 45,000 above 5,000, bracket 1


@settings(max_examples=100, deadline=None)
@given(amounts=st.lists(st.integers(0, 50_000_000), min_size=1, max_size=5))
def test_the_one_bracket_supplementary_scale_is_the_old_single_ratio(amounts: list[int]) -> None:
    """Employees' 大额 as Tibet's one-bracket scale pays to the fen what 90% of the year's
    compliant self-pay paid: half_up(0.9 × after) − half_up(0.9 × before), bill by bill."""
    rows = [
        {"scheme": "employee_active", "visit": "inpatient", "level": 2, "policy": a}
        for a in amounts
    ]
    r, _ = settle_in_order(Bills.of(rows), TIBET)
    before = 0
    for i in range(len(rows)):
        after = before + int(r.ci_base[i])
        want = min((2 * after * 9 + 10) // 20 - (2 * before * 9 + 10) // 20, int(r.ci_base[i]))
        cap_left = 40_000_000 - int(r.ci[:i].sum())
        assert int(r.ci[i]) == max(min(want, cap_left), 0)
        before = after


def test_a_basis_other_than_the_two_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        shaped({"medical.critical_illness.threshold_basis": "cumulative"})
    assert err.value.rule == "code_not_allowed"


# ---------------------------------------------------------------- item 6: terms of the person


def test_age_raises_the_ratio_by_points_per_year_up_to_the_most() -> None:
    p = shaped(AGE)
    den = p.t.den
    for age, points in ((50, 0), (60, 0), (61, 0.002), (70, 0.02), (85, 0.05), (99, 0.05)):
        r, _ = settle_in_order(Bills.of([{**ONE, "policy": 1_000_000, "age": age}]), p)
        assert int(r.basic_ratio_num[0]) == round((0.85 + points) * den), age


def test_a_term_that_is_on_refuses_a_bill_without_the_fact_it_needs() -> None:
    for changes, fact in ((AGE, "age"), (ENROLMENT, "enrolled_years"), (CAP, "zero_claim_years")):
        row = {**ONE, "policy": 100_000}
        if fact == "zero_claim_years":  # the cap needs both years: the first is given
            row["enrolled_years"] = 1
        with pytest.raises(ValidationError) as err:
            settle_in_order(Bills.of([row]), shaped(changes))
        assert err.value.rule == "person_fact_missing" and err.value.field == fact


def test_the_years_before_this_one_are_the_same_on_every_bill_of_a_year() -> None:
    bills = Bills.of([{**ONE, "enrolled_years": 3}, {**ONE, "enrolled_years": 4}])
    with pytest.raises(ValidationError) as err:
        person_terms.check_year(bills)
    assert err.value.rule == "person_fact_changes"


def test_the_cap_rises_for_enrolment_and_zero_claim_years_at_most_by_the_most() -> None:
    p = shaped(CAP)
    huge = 100_000_000  # the 大病 cap (300,000) is reached
    base = {"enrolled_years": 0, "zero_claim_years": 0}
    assert ci_of(p, huge, **base) == 30_000_000
    assert ci_of(p, huge, enrolled_years=10, zero_claim_years=0) == 30_600_000  # 6 × 1,000
    assert ci_of(p, huge, enrolled_years=10, zero_claim_years=3) == 31_200_000  # + 3 × 2,000
    assert ci_of(p, huge, enrolled_years=90, zero_claim_years=90) == 36_000_000  # at most 60,000
    # a special group's cap is removed: it stays removed
    assert ci_of(p, huge, special=True, **base) == ci_of(TIBET, huge, special=True)


def test_the_explanation_names_each_person_term_and_its_figures() -> None:
    p = shaped({**AGE, **CAP})
    row = {**ONE, "policy": 1_000_000, "age": 70, "enrolled_years": 8, "zero_claim_years": 1}
    bills = Bills.of([row])
    r, _ = settle_in_order(bills, p)
    basic, ci = explain(bills, r, p)[:2]
    assert [(x.name, x.fact, x.added) for x in basic.terms] == [
        (person_terms.AGE_TERM, 70, "+0.02")
    ]
    assert [(x.name, x.fact, x.added) for x in ci.terms] == [
        (person_terms.CAP_ENROL_TERM, 8, "+4000.00"),
        (person_terms.CAP_ZERO_TERM, 1, "+2000.00"),
    ]
    assert "medical.person.age.points_per_year" in {i.path for i in basic.parameters}
    assert "medical.critical_illness.person.max_cap_increase" in {i.path for i in ci.parameters}
    tibet, _ = settle_in_order(bills, TIBET)
    assert not any(step.terms for step in explain(bills, tibet, TIBET))


def test_the_term_names_are_in_the_three_catalogues() -> None:
    from minsheng.webkit.i18n import gettext_for

    names = (
        person_terms.AGE_TERM,
        person_terms.ENROL_TERM,
        person_terms.CAP_ENROL_TERM,
        person_terms.CAP_ZERO_TERM,
    )
    for lang in ("zh", "bo"):
        for name in names:
            assert gettext_for(lang).gettext(name) != name, (lang, name)
    assert all(gettext_for("en").gettext(n) == n for n in names)


# ---------------------------------------------------------------- properties


@st.composite
def person(draw: Any) -> list[dict[str, Any]]:
    """One person-year with the person's facts: the age may rise by one at a birthday, the
    years before this one are the same on every bill."""
    rows = draw(person_year())
    age = draw(st.integers(0, 110))
    years = {
        "enrolled_years": draw(st.integers(0, 40)),
        "zero_claim_years": draw(st.integers(0, 10)),
    }
    birthday = draw(st.integers(0, len(rows)))
    return [{**r, **years, "age": age + (i >= birthday)} for i, r in enumerate(rows)]


@settings(max_examples=60, deadline=None)
@given(rows=person(), more=st.integers(1, 30))
def test_older_or_longer_enrolled_never_pays_less_basic_and_never_above_100(
    rows: list[dict[str, Any]], more: int
) -> None:
    p = ALL_ON
    r, _ = settle_in_order(Bills.of(rows), p)
    for fact in ("age", "enrolled_years"):
        older = [{**x, fact: x[fact] + more} for x in rows]
        r2, _ = settle_in_order(Bills.of(older), p)
        assert np.all(r2.basic_ratio_num >= r.basic_ratio_num)
        assert int(r2.basic.sum()) >= int(r.basic.sum())
        assert np.all(r2.ci_cap[r2.ci_cap >= 0] >= r.ci_cap[r.ci_cap >= 0])
    assert np.all(r.basic_ratio_num <= r.ratio_den)
    assert np.all(r.basic <= r.basic_counted)


@settings(max_examples=100, deadline=None)
@given(rows=person())
def test_the_raised_cap_is_never_exceeded_and_never_raised_by_more_than_the_most(
    rows: list[dict[str, Any]],
) -> None:
    p = ALL_ON
    r, totals = settle_in_order(Bills.of(rows), p)
    scheme = rows[0]["scheme"]
    if scheme == "resident" and not rows[0]["special"]:
        cap = int(r.ci_cap[0])
        assert 30_000_000 <= cap <= 30_000_000 + 6_000_000
        assert int(totals.ci_paid[0]) <= cap
    if scheme != "resident":
        assert int(r.ci_cap[0]) == 40_000_000  # 大额: not raised (seed 001 names 大病保险)
        assert int(totals.ci_paid[0]) <= 40_000_000
    assert np.all(r.ci <= r.ci_base) and np.all(r.ci >= 0)


@settings(max_examples=60, deadline=None)
@given(people=st.lists(person(), min_size=1, max_size=5))
def test_replay_equals_one_by_one_with_every_shape_on(people: list[list[dict[str, Any]]]) -> None:
    p = ALL_ON
    rows = [bill for one in people for bill in one]
    keys = np.array([i for i, one in enumerate(people) for _ in one], dtype=np.int64)
    together = replay(keys, Bills.of(rows), p)
    offset = 0
    for one in people:
        alone, _ = settle_in_order(Bills.of(one), p)
        for k in ("basic", "ci", "assistance", "patient", "ci_cap", "basic_ratio_num"):
            got = getattr(together, k)[offset : offset + len(one)].tolist()
            assert got == getattr(alone, k).tolist(), k
        offset += len(one)
