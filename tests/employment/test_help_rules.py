"""The pure rules of who counts as hard to employ, at each category's boundary (worked
examples on the dated parameters), deadlines across the Spring Festival and Losar, refusals in
a rolling year — and properties over many people."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.employment import help_rules as hr
from minsheng.policy import load

TODAY = dt.date(2026, 6, 1)
P = hr.HelpParams.from_snapshot(load().at(TODAY, "540000"))


def one(
    *,
    sex: str = "M",
    birth: dt.date = dt.date(1990, 6, 1),
    since: dt.date | None = dt.date(2026, 5, 1),
    graduate_year: int = 0,
    person_status: bool = False,
    household_status: bool = False,
    zero: bool = False,
    relocated: bool = False,
    land_lost: bool = False,
    today: dt.date = TODAY,
) -> dict[str, bool]:
    cats = hr.categories(
        P,
        today,
        sex=np.array([sex]),
        birth=np.array([birth], dtype="datetime64[D]"),
        unemployed_since=np.array(
            [np.datetime64(since, "D") if since else hr.NO_DAY], dtype="datetime64[D]"
        ),
        graduate_year=np.array([graduate_year], dtype=np.int64),
        person_status=np.array([person_status]),
        household_status=np.array([household_status]),
        household_zero=np.array([zero]),
        relocated=np.array([relocated]),
        land_lost=np.array([land_lost]),
    )
    return {k: bool(v[0]) for k, v in cats.items()}


def test_the_parameters_are_the_common_national_practice() -> None:
    assert (P.female_age, P.male_age) == (40, 50)
    assert (P.long_months, P.graduate_months, P.graduate_years) == (12, 6, 2)
    assert (P.job_leads, P.training_offers, P.refusal_limit, P.stop_after_refusals) == (
        3,
        1,
        2,
        True,
    )
    assert P.person_statuses == ("disability",) and set(P.household_statuses) == {"dibao", "tekun"}


def test_relocated_and_land_lost_count_only_for_an_unemployed_seeker_of_working_age() -> None:
    assert P.relocated_statuses == ("relocated",) and P.land_lost_statuses == ("land_lost",)
    assert one(relocated=True)["relocated"] and not one()["relocated"]
    assert one(land_lost=True)["land_lost"] and not one(relocated=True)["land_lost"]
    assert not one(relocated=True, since=None)["relocated"]  # not out of work
    assert not one(land_lost=True, birth=dt.date(1960, 1, 1))["land_lost"]  # 66: past working age


def test_women_count_from_their_40th_birthday_men_from_their_50th() -> None:
    assert one(sex="F", birth=dt.date(1986, 6, 1))["age"]  # 40 today
    assert not one(sex="F", birth=dt.date(1986, 6, 2))["age"]  # 40 tomorrow
    assert one(sex="M", birth=dt.date(1976, 6, 1))["age"]
    assert not one(sex="M", birth=dt.date(1976, 6, 2))["age"]
    assert not one(sex="M", birth=dt.date(1980, 1, 1))["age"]  # a man of 46 is not


def test_working_age_bounds_every_category() -> None:
    assert not any(one(sex="F", birth=dt.date(1971, 6, 1), person_status=True).values())  # 55
    assert one(sex="F", birth=dt.date(1971, 6, 2), person_status=True)["disability"]  # 54
    assert not any(one(sex="M", birth=dt.date(1966, 6, 1)).values())  # 60
    assert not any(one(birth=dt.date(2010, 6, 2), person_status=True).values())  # 15
    assert one(birth=dt.date(2010, 6, 1), person_status=True)["disability"]  # 16


def test_only_unemployed_seekers_count() -> None:
    assert not any(one(since=None, person_status=True, zero=True).values())
    assert not any(one(since=TODAY + dt.timedelta(days=1), person_status=True).values())


def test_long_unemployed_from_twelve_whole_months() -> None:
    assert one(since=dt.date(2025, 6, 1))["long_unemployed"]
    assert not one(since=dt.date(2025, 6, 2))["long_unemployed"]
    # 31 May 2025 → 30 April 2026 is eleven months; 31 March → 28 February is one month
    m = hr.whole_months(np.array(["2025-03-31", "2025-05-31"], dtype="datetime64[D]"), TODAY)
    assert list(m) == [14, 12]
    feb = hr.whole_months(np.array(["2026-01-31"], dtype="datetime64[D]"), dt.date(2026, 2, 28))
    assert list(feb) == [1]


def test_graduates_within_two_years_after_six_months() -> None:
    assert one(since=dt.date(2025, 12, 1), graduate_year=2025)["graduate"]
    assert not one(since=dt.date(2025, 12, 2), graduate_year=2025)["graduate"]  # 5 months
    assert one(since=dt.date(2025, 12, 1), graduate_year=2024)["graduate"]
    assert not one(since=dt.date(2025, 12, 1), graduate_year=2023)["graduate"]  # 3 years ago
    assert not one(since=dt.date(2025, 12, 1), graduate_year=2027)["graduate"]  # not yet


def test_statuses_and_zero_employment() -> None:
    assert one(person_status=True)["disability"]
    assert one(household_status=True)["dibao"]
    assert one(zero=True)["zero_employment"]
    plain = one()
    assert not any(plain.values())


def test_zero_employment_households() -> None:
    house = np.array([1, 2, 3, 0], dtype=np.int64)
    members = np.array([1, 1, 2, 2, 3], dtype=np.int64)
    working = np.array([True, True, True, True, False])
    employed = np.array([False, False, True, False, False])
    # 1: two adults, none employed; 2: one employed; 3: no adult; 0: no household
    assert list(hr.zero_employment(house, members, working, employed)) == [
        True,
        False,
        False,
        False,
    ]


def test_deadlines_skip_the_spring_festival_and_losar() -> None:
    # Friday 13 Feb 2026: Saturday 14 Feb is a working day (调休); 15–23 Feb the Spring
    # Festival, 18–24 Feb Losar; Saturday 28 Feb is a working day again.
    contact_by, due_on = hr.plan_deadlines(P, dt.date(2026, 2, 13))
    assert contact_by == dt.date(2026, 2, 28)  # 14, 25, 26, 27, 28
    assert due_on == dt.date(2026, 3, 20)  # 15 more: 2–6, 9–13, 16–20 March
    assert hr.plan_deadlines(P, dt.date(2026, 6, 1)) == (dt.date(2026, 6, 8), dt.date(2026, 6, 30))


def test_refusals_in_a_rolling_year_stop_help_at_the_limit() -> None:
    days = [dt.date(2025, 6, 1), dt.date(2025, 6, 2), dt.date(2026, 5, 1)]
    assert hr.refusals_in_year(days, TODAY) == 2  # 2025-06-02 is 364 days ago: inside
    assert hr.refusals_in_year(days, dt.date(2026, 6, 2)) == 1
    assert not hr.must_stop(P, 1) and hr.must_stop(P, 2)
    no_stop = hr.HelpParams(**{**P.__dict__, "stop_after_refusals": False})
    assert not hr.must_stop(no_stop, 5)


def test_shortfall_and_reopening() -> None:
    assert hr.shortfall(P, 1, 0) == {"job_lead": 2, "training_offer": 1}
    assert hr.shortfall(P, 5, 2) == {"job_lead": 0, "training_offer": 0}
    assert not hr.reopenable(P, TODAY - dt.timedelta(days=364), TODAY)
    assert hr.reopenable(P, TODAY - dt.timedelta(days=365), TODAY)
    assert hr.reopenable(P, None, TODAY)


days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2026, 6, 1))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("MF"), days, st.one_of(st.none(), days), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_columns_agree_with_one_person_at_a_time(people: list) -> None:
    """Vectorised over many people = the same rule applied to each alone; every category lies
    inside working age and unemployment."""
    sex = np.array([p[0] for p in people])
    birth = np.array([p[1] for p in people], dtype="datetime64[D]")
    since = np.array(
        [np.datetime64(p[2], "D") if p[2] else hr.NO_DAY for p in people], dtype="datetime64[D]"
    )
    flag = np.array([p[3] for p in people])
    zeros = np.zeros(len(people), dtype=np.int64)
    cats = hr.categories(
        P,
        TODAY,
        sex=sex,
        birth=birth,
        unemployed_since=since,
        graduate_year=zeros,
        person_status=flag,
        household_status=~flag,
        household_zero=flag,
    )
    hit = hr.counted(cats)
    for i, (sx, b, sn, f) in enumerate(people):
        alone = one(sex=sx, birth=b, since=sn, person_status=f, household_status=not f, zero=f)
        assert {k: bool(v[i]) for k, v in cats.items()} == alone
        age = hr.ages(np.array([b], dtype="datetime64[D]"), TODAY)[0]
        if hit[i]:
            assert sn is not None and sn <= TODAY and 16 <= age < (55 if sx == "F" else 60)


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=0, max_value=800))
def test_whole_months_grow_with_time(since: dt.date, extra: int) -> None:
    a = hr.whole_months(np.array([since], dtype="datetime64[D]"), since)[0]
    later = since + dt.timedelta(days=extra)
    b = hr.whole_months(np.array([since], dtype="datetime64[D]"), later)[0]
    assert a == 0 and b >= a and b <= extra // 28 + 1
