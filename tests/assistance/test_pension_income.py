"""A member's pension paid by the platform is the household's verified income (信息核对) in the
低保 test: counted without the caseworker typing it, never twice when it was typed, the larger
when another pension was recorded, and only for the months it was due (not after a death's
month, not before the award's first month)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from minsheng.assistance import assessment
from minsheng.assistance import service as assistance
from minsheng.assistance.schemas import CaseIn
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import queries
from minsheng.pensions.models import PnAward
from minsheng.registry import service as registry
from minsheng.registry.schemas import HouseholdIn
from tests.assistance.conftest import BY, monthly_income, person

DAY = dt.date(2025, 6, 2)  # the window is 2024-06 … 2025-05
PENSION = 50_000  # 500 元 a month


def _household(s, monthly: int | None, first: str = "2024-01", ended=None, n: int = 1):  # type: ignore[no-untyped-def]
    h = registry.create_household(
        s, HouseholdIn(code=f"PI-{n}", division_code="540102", area="urban"), BY
    )
    retiree = person(s, "540102", dt.date(1955, 3, 3), 2 * n - 1, "扎西", f"PI-{n}", "head").id
    spouse = person(s, "540102", dt.date(1958, 4, 4), 2 * n, "卓玛", f"PI-{n}", "spouse").id
    monthly_income(s, h.id, spouse, "0", today=DAY)
    if monthly is not None:
        s.add(
            PnAward(
                person_id=retiree,
                scheme="resident_pension",
                division_code="540102",
                start_month=first,
                monthly=monthly,
                parts="[]",
                state="active",
                last_certified_on=dt.date(2025, 1, 1),
                certification_due=dt.date(2026, 1, 1),
                terminated_on=ended,
                by="test",
            )
        )
    s.flush()
    return h.id, retiree


def _finding(s, household: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    case = assistance.open_case(s, CaseIn(household_id=household, programme="dibao"), BY, DAY)
    _, amount, steps = assessment.assessment(s, case, DAY)
    income = next(x for x in steps if x.step == "income")
    return amount, int(income.value)


def test_an_awarded_pension_counts_as_income_without_being_typed(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        none, _ = _household(s, None)
        amount_without, income_without = _finding(s, none)
    with unit_of_work(make_sessionmaker(engine)) as s:
        household, _ = _household(s, PENSION, n=2)
        amount, income = _finding(s, household)
    assert income_without == 0
    assert income == PENSION  # 12 months of 500 元, a monthly average of 500 元
    assert amount == amount_without - PENSION  # (standard − 250) × 2 members


def test_a_typed_pension_is_not_counted_twice_and_the_larger_wins(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        household, retiree = _household(s, PENSION)
        monthly_income(s, household, retiree, "500", kind="pension", today=DAY)
        _, income = _finding(s, household)
        assert income == PENSION
    with unit_of_work(make_sessionmaker(engine)) as s:
        household, retiree = _household(s, PENSION, n=2)
        monthly_income(s, household, retiree, "650", kind="pension", today=DAY)  # another scheme
        _, income = _finding(s, household)
        assert income == 65_000


def test_only_the_months_due_count(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        household, retiree = _household(s, PENSION, first="2025-03")
        due = queries.pension_income(s, [retiree], dt.date(2024, 6, 1), dt.date(2025, 6, 1))
        assert due == {retiree: 3 * PENSION}  # March, April, May
        _, income = _finding(s, household)
        assert income == 3 * PENSION // 12
    with unit_of_work(make_sessionmaker(engine)) as s:
        # terminated from 21 July 2024 (a death on the 20th): June and July 2024 were due
        household, retiree = _household(s, PENSION, ended=dt.date(2024, 7, 21), n=2)
        due = queries.pension_income(s, [retiree], dt.date(2024, 6, 1), dt.date(2025, 6, 1))
        assert due == {retiree: 2 * PENSION}
