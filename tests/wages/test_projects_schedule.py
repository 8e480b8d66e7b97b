"""The labour-cost schedule rule (art. 24: at most one month between transfers): worked
examples at the boundary day and hypothesis properties over any schedule."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from minsheng.wages.project_rules import add_months, schedule_problems

D = dt.date


def rules(start: D, end: D | None, dues: list[D]) -> set[tuple[str, str]]:
    found = schedule_problems(start, end, D(2020, 1, 1), dues, [1] * len(dues), 1)
    return {(p.field, p.rule) for p in found}


def test_calendar_months() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


def test_the_boundary_day() -> None:
    start = D(2026, 1, 31)
    assert rules(start, None, [D(2026, 2, 28)]) == set()  # one calendar month: allowed
    assert rules(start, None, [D(2026, 3, 1)]) == {("schedule.0.due_on", "gap")}
    # between instalments, in the order given or not
    assert rules(start, None, [D(2026, 3, 28), D(2026, 2, 28)]) == set()
    assert rules(start, None, [D(2026, 3, 29), D(2026, 2, 28)]) == {("schedule.0.due_on", "gap")}
    # the last instalment to the planned completion
    assert rules(start, D(2026, 3, 28), [D(2026, 2, 28)]) == set()
    assert rules(start, D(2026, 3, 29), [D(2026, 2, 28)]) == {("schedule.0.due_on", "ends_early")}
    assert rules(start, None, [D(2026, 2, 1), D(2026, 2, 1)]) == {
        ("schedule.1.due_on", "duplicate")
    }


@st.composite
def schedules(draw: st.DrawFn) -> tuple[D, list[D]]:
    start = draw(st.dates(D(2020, 1, 1), D(2030, 12, 31)))
    dues, day = [], start
    for _ in range(draw(st.integers(1, 30))):
        latest = add_months(day, 1)
        day = day + dt.timedelta(days=draw(st.integers(1, (latest - day).days)))
        dues.append(day)
    return start, dues


@given(schedules(), st.randoms())
def test_steps_of_at_most_a_month_pass_in_any_order(s: tuple[D, list[D]], rnd: object) -> None:
    start, dues = s
    shuffled = list(dues)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rules(start, dues[-1], shuffled) == set()


@given(schedules(), st.data())
def test_a_gap_longer_than_a_month_is_always_found(
    s: tuple[D, list[D]], data: st.DataObject
) -> None:
    start, dues = s
    k = data.draw(st.integers(0, len(dues) - 1))
    extra = data.draw(st.integers(1, 400))
    previous = start if k == 0 else dues[k - 1]
    shift = (add_months(previous, 1) - dues[k]).days + extra  # past the latest allowed day
    moved = dues[:k] + [d + dt.timedelta(days=shift) for d in dues[k:]]
    assert "gap" in {rule for _, rule in rules(start, None, moved)}
