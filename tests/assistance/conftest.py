"""A small world for the assistance tests: a Lhasa household of three and a Shigatse one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from minsheng.assistance import household
from minsheng.assistance.schemas import IncomeIn, IncomesIn
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.schemas import HouseholdIn, PersonIn

BY = system("test")
TODAY = dt.date(2026, 6, 15)  # a Monday; the holiday table covers 2026


def person(s, code, birth, seq, name, household, rel):  # type: ignore[no-untyped-def]
    return registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(code, birth, seq),
            name_zh=name,
            hukou="urban",
            household_code=household,
            relationship=rel,
        ),
        BY,
    )


def monthly_income(s, household_id, person_id, yuan, kind="wage", months=12, today=TODAY):  # type: ignore[no-untyped-def]
    start = household.add_months(today.replace(day=1), -months)
    items = [
        IncomeIn(
            person_id=person_id,
            month=f"{household.add_months(start, i):%Y-%m}",
            kind=kind,
            amount=yuan,
        )
        for i in range(months)
    ]
    household.record_incomes(s, household_id, IncomesIn(items=items), BY, today)


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        h = registry.create_household(
            s, HouseholdIn(code="AS-1", division_code="540102", area="urban"), BY
        )
        head = person(s, "540102", dt.date(1980, 3, 3), 1, "扎西", "AS-1", "head")
        spouse = person(s, "540102", dt.date(1982, 4, 4), 2, "卓玛", "AS-1", "spouse")
        child = person(s, "540102", dt.date(2015, 5, 5), 3, "次仁", "AS-1", "child")
        h2 = registry.create_household(
            s, HouseholdIn(code="AS-2", division_code="540202", area="rural"), BY
        )
        other = person(s, "540202", dt.date(1950, 1, 1), 4, "格桑", "AS-2", "head")
        s.commit()
        return {
            "household": h.id,
            "head": head.id,
            "spouse": spouse.id,
            "child": child.id,
            "household2": h2.id,
            "other": other.id,
        }
