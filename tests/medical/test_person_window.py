"""Issue 16 item 6 at the window: the age, the years of continuous enrolment and the zero-claim
years come from the registry and the ledger (``medical/person_facts.py``), so a region whose
ratio or 大病 cap depends on the person settles there (Tibet's terms are off)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.db import make_sessionmaker
from minsheng.medical import service
from minsheng.medical.models import Settlement
from minsheng.medical.person_facts import age_on
from minsheng.medical.schemas import BillIn
from minsheng.policy import load
from tests.medical.test_settlement_api import BY, DAY, _shaped, bill, world

__all__ = ["world"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        (
            {
                "medical.person.schemes": "resident",
                "medical.person.enrolment.from_years": 3,
                "medical.person.enrolment.points_per_year": "0.002",
                "medical.person.enrolment.max_points": "0.05",
            },
            "medical.person.enrolment.points_per_year",
        ),
        (
            {
                "medical.critical_illness.person.zero_claim_cap_increase": "1000",
                "medical.critical_illness.person.max_cap_increase": "60000",
            },
            None,  # named only where the cap binds (not on this small bill)
        ),
    ],
)
def test_a_region_whose_terms_read_the_enrolment_years_settles_at_the_window(
    world: dict[str, int], engine: Engine, changes: dict[str, Any], named: str | None
) -> None:
    """Enrolled since 2020-01-01 with nothing paid before: on 2 January of this year the
    patient has every whole year since 2020 enrolled, each without a claim; both facts are kept
    with the settlement (so the year replays with them)."""
    factory = make_sessionmaker(engine)
    tree = _shaped(changes)
    with factory() as s:
        out = service.settle(s, BillIn.model_validate(bill("1000.00")), BY, tree=tree)
        row = s.get(Settlement, out.id)
        assert row is not None
        facts = json.loads(row.inputs)
        assert facts["enrolled_years"] == facts["zero_claim_years"] == DAY.year - 2020
        assert row.basic + row.ci + row.assistance + row.patient == row.total
        if named:
            assert named in row.explanation
        s.commit()
        assert service.replay_year(s, DAY.year, DAY, tree=tree)["bills_changed"] == 0
    with factory() as s:  # Tibet's own figures (every term off) read no such fact
        out = service.settle(s, BillIn.model_validate(bill("1000.00")), BY)
        row = s.get(Settlement, out.id)
        assert row is not None
        assert json.loads(row.inputs)["enrolled_years"] == -1


AGE_TERM = {
    "medical.person.schemes": "resident",
    "medical.person.age.from_age": 50,
    "medical.person.age.points_per_year": "0.002",
    "medical.person.age.max_points": "0.05",
}


def test_a_region_whose_ratio_rises_with_age_settles_at_the_window(
    world: dict[str, int], engine: Engine
) -> None:
    """The patient (born 1970-07-07) is 55 on 2 January 2026: five years above 50 at 0.2 point
    each raise the basic ratio by one point — one more yuan in a hundred of what basic pays on."""
    factory = make_sessionmaker(engine)
    with factory() as s:
        out = service.settle(s, BillIn.model_validate(bill("1000.00")), BY)
        row = s.get(Settlement, out.id)
        assert row is not None
        plain = (row.basic, row.total, row.policy)
        s.rollback()
    with factory() as s:
        out = service.settle(s, BillIn.model_validate(bill("1000.00")), BY, tree=_shaped(AGE_TERM))
        aged = s.get(Settlement, out.id)
        assert aged is not None
        age = json.loads(aged.inputs)["age"]
        assert age == age_on(dt.date(1970, 7, 7), DAY) >= 55
        assert "medical.person.age.points_per_year" in aged.explanation  # named, with its figure
    points = min(age - 50, 25) * 2  # thousandths (0.2 point a year), at most 0.05
    basic, total, policy = plain
    # a 二级 hospital's resident deductible in Lhasa (the patient's pooling region)
    deductible = load().at(DAY, "540100")["medical.resident.inpatient.deductible.level_2"]
    assert aged.basic + aged.ci + aged.assistance + aged.patient == aged.total == total
    assert aged.basic - basic == (policy - deductible) * points // 1000 > 0


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(1970, 7, 7), dt.date(2026, 7, 6), 55),
        (dt.date(1970, 7, 7), dt.date(2026, 7, 7), 56),
        (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),
        (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), 0),
    ],
)
def test_the_age_on_the_day_of_service(born: dt.date, day: dt.date, age: int) -> None:
    assert age_on(born, day) == age
