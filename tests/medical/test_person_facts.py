"""The person's facts at the window (``medical/person_facts.py``): years of continuous enrolment
over any periods, and zero-claim years from the ledger."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from minsheng.medical.models import LedgerYear
from minsheng.medical.person_facts import (
    MAX_YEARS,
    Period,
    covered,
    enrolled_years,
    zero_claim_years,
)

D = dt.date
BASE = D(2019, 1, 1)
days = st.integers(min_value=0, max_value=8 * 366)
periods = st.lists(
    st.tuples(days, st.one_of(st.none(), st.integers(min_value=0, max_value=400))).map(
        lambda p: (
            BASE + dt.timedelta(days=p[0]),
            None if p[1] is None else BASE + dt.timedelta(days=p[0] + p[1]),
        )
    ),
    max_size=6,
)


def _on(spans: list[Period], day: dt.date) -> bool:
    return any(s <= day <= (e or dt.date.max) for s, e in spans)


@settings(max_examples=100)
@given(spans=periods, a=days, length=st.integers(min_value=0, max_value=400))
def test_covered_is_every_day_covered(spans: list[Period], a: int, length: int) -> None:
    start = BASE + dt.timedelta(days=a)
    end = start + dt.timedelta(days=length)
    every = all(_on(spans, start + dt.timedelta(days=i)) for i in range(length + 1))
    assert covered(spans, start, end) == every


@settings(max_examples=100)
@given(spans=periods, year=st.integers(min_value=2019, max_value=2028))
def test_enrolled_years_counts_back_to_the_first_gap(spans: list[Period], year: int) -> None:
    n = enrolled_years(spans, year)
    for y in range(year - n, year):
        assert covered(spans, D(y, 1, 1), D(y, 12, 31))
    if n < MAX_YEARS:
        y = year - 1 - n
        assert not covered(spans, D(y, 1, 1), D(y, 12, 31))


def test_enrolment_across_schemes_and_a_gap() -> None:
    spans: list[Period] = [
        (D(2018, 3, 1), D(2020, 12, 31)),  # 2018 not whole
        (D(2021, 1, 1), D(2023, 6, 30)),  # moved to the employees' scheme: no gap
        (D(2023, 7, 1), None),
    ]
    assert enrolled_years(spans, 2026) == 7  # 2019 … 2025
    assert enrolled_years([(D(2020, 1, 1), D(2024, 12, 30)), (D(2025, 1, 1), None)], 2026) == 1
    assert enrolled_years([(D(1900, 1, 1), None)], 2026) == MAX_YEARS
    assert enrolled_years([], 2026) == 0


def test_zero_claim_years_stop_at_the_last_year_anything_was_paid(session: Session) -> None:
    from minsheng.core import ids
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn

    by = system("test")
    p = registry.create_person(
        session,
        PersonIn(
            id_number=ids.make_resident_id("540102", D(1980, 1, 1), 5),
            name_zh="多吉",
            hukou="urban",
        ),
        by,
    )
    session.add_all(
        [
            LedgerYear(person_id=p.id, year=2021, ip_paid=50_000),
            LedgerYear(person_id=p.id, year=2023, op_paid=0, ip_paid=0, ci_paid=0, as_paid=9),
        ]
    )
    session.flush()
    assert zero_claim_years(session, p.id, 2026, 6) == 4  # 2025, 2024, 2023 (only 救助), 2022
    assert zero_claim_years(session, p.id, 2026, 2) == 2  # no further back than enrolled
    assert zero_claim_years(session, p.id, 2022, 5) == 0  # 2021 was paid
