"""The gig market's pure rules: the day-pay floor, the fee ban, the priority of older and
difficult gig workers and the order of applicants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from minsheng.employment import gig_rules as rules
from minsheng.employment import gigs

DAY = dt.date(2026, 6, 1)
P = gigs.params(DAY, "540102")


def test_the_parameters_of_the_day() -> None:
    assert P.minimum_wage_monthly == 210_000
    assert P.pay_days_per_month == Decimal("21.75")
    assert P.status_points["disability"] == 3
    assert "押金" in P.fee_terms


def test_the_floor_is_the_minimum_over_the_pay_days_rounded_up() -> None:
    assert rules.day_floor(210_000, Decimal("21.75")) == 9656  # 9655.17… fen → 96.56 yuan


@given(st.integers(0, 10_000_000), st.decimals("20", "31", places=2))
def test_a_month_of_the_floor_is_never_below_the_minimum(monthly: int, days: Decimal) -> None:
    floor = rules.day_floor(monthly, days)
    assert floor * days >= monthly
    assert (floor - 1) * days < monthly


def _problems(**over: object) -> list[str]:
    args: dict[str, object] = {
        "day_pay": 20_000,
        "slots": 2,
        "starts_on": DAY,
        "ends_on": DAY,
        "today": DAY,
        "texts": {"requirements": "身体健康"},
    }
    args.update(over)
    return [f"{p.field}.{p.rule}" for p in rules.posting_problems(P, **args)]  # type: ignore[arg-type]


def test_a_good_posting_breaks_no_rule() -> None:
    assert _problems() == []


def test_each_rule_of_a_posting() -> None:
    assert _problems(day_pay=9655) == ["day_pay.below_floor"]
    assert _problems(day_pay=9656) == []
    assert _problems(slots=0) == ["slots.range"]
    assert _problems(slots=P.max_slots + 1) == ["slots.range"]
    assert _problems(starts_on=DAY - dt.timedelta(days=1)) == ["starts_on.past"]
    assert _problems(ends_on=DAY - dt.timedelta(days=1)) == ["ends_on.before_start"]
    assert _problems(ends_on=DAY + dt.timedelta(days=P.max_days - 1)) == []
    assert _problems(ends_on=DAY + dt.timedelta(days=P.max_days)) == ["ends_on.too_long"]
    assert _problems(texts={"requirements": "需交押 金200元"}) == ["requirements.banned_word"]
    assert _problems(texts={"title": "体检 费自理"}) == ["title.banned_word"]


def test_every_problem_speaks_three_languages() -> None:
    found = rules.posting_problems(
        P, day_pay=1, slots=0, starts_on=DAY, ends_on=DAY, today=DAY, texts={"x": "保证金"}
    )
    assert len(found) == 3
    assert all(p.zh and p.en and p.bo for p in found)


@given(st.text(max_size=30), st.sampled_from(P.fee_terms), st.text(max_size=30))
def test_a_banned_term_is_found_wherever_it_stands(before: str, term: str, after: str) -> None:
    spaced = " ".join(term)
    assert term in rules.fee_terms_in(before + spaced + after, P.fee_terms)


def test_priority_bands_and_statuses() -> None:
    young = rules.priority(P, dt.date(1996, 6, 2), "M", (), DAY)
    assert young == rules.Priority(0, ())
    woman_40 = rules.priority(P, dt.date(1986, 6, 1), "F", (), DAY)  # 40 today
    assert woman_40 == rules.Priority(2, ("older",))
    woman_39 = rules.priority(P, dt.date(1986, 6, 2), "F", (), DAY)
    assert woman_39.points == 0
    man_45 = rules.priority(P, dt.date(1981, 1, 1), "M", (), DAY)
    assert man_45.points == 0  # men from 50
    man_61 = rules.priority(P, dt.date(1965, 1, 1), "M", ("dibao", "disability"), DAY)
    assert man_61 == rules.Priority(
        2 + 1 + 3, ("older", "senior", "status:disability", "status:dibao")
    )
    orphan = rules.priority(P, dt.date(2000, 1, 1), "F", ("orphan", "border"), DAY)
    assert orphan.points == 0  # statuses without points give none


@given(
    st.dates(dt.date(1940, 1, 1), dt.date(2010, 1, 1)),
    st.sampled_from("MF"),
    st.sets(st.sampled_from([*sorted(P.status_points), "orphan"])),
    st.integers(1, 3000),
)
def test_more_age_or_a_status_never_lowers_priority(
    birth: dt.date, sex: str, held: set[str], days: int
) -> None:
    now = rules.priority(P, birth, sex, held, DAY)
    later = rules.priority(P, birth, sex, held, DAY + dt.timedelta(days=days))
    assert later.points >= now.points
    assert rules.priority(P, birth, sex, held | {"disability"}, DAY).points >= now.points
    assert now.points >= 0


@given(st.lists(st.integers(0, 6), max_size=12))
def test_the_order_is_by_points_then_by_applying(points: list[int]) -> None:
    people = [rules.Applicant(i + 1, rules.Priority(p, ())) for i, p in enumerate(points)]
    ranked = rules.order(list(reversed(people)))
    keys = [(-a.priority.points, a.id) for a in ranked]
    assert keys == sorted(keys)
    assert sorted(a.id for a in ranked) == [a.id for a in people]


def test_slots_left_is_never_negative() -> None:
    assert rules.slots_left(2, 0) == 2
    assert rules.slots_left(2, 3) == 0
