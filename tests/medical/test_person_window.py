"""Issue 16 item 6 at the window: the age comes from the registry's birth date, so a region whose
ratio rises with age settles there; one whose ratio or cap depends on the years of enrolment or
on zero-claim years is refused until the registry and the ledger supply them (Tibet's terms are
off)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.core.errors import ValidationError
from minsheng.db import make_sessionmaker
from minsheng.medical import service
from minsheng.medical.intake import age_on
from minsheng.medical.models import Settlement
from minsheng.medical.schemas import BillIn
from minsheng.policy import load
from tests.medical.test_settlement_api import BY, DAY, _shaped, bill, world

__all__ = ["world"]  # the fixture, used by name


@pytest.mark.parametrize(
    "changes",
    [
        {
            "medical.person.schemes": "resident",
            "medical.person.enrolment.points_per_year": "0.002",
            "medical.person.enrolment.max_points": "0.05",
        },
        {
            "medical.critical_illness.person.zero_claim_cap_increase": "1000",
            "medical.critical_illness.person.max_cap_increase": "60000",
        },
    ],
)
def test_a_region_with_person_terms_is_refused_at_the_window(
    world: dict[str, int], engine: Engine, changes: dict[str, Any]
) -> None:
    with make_sessionmaker(engine)() as s:
        tree = _shaped(changes)
        with pytest.raises(ValidationError) as err:
            service.settle(s, BillIn.model_validate(bill("1000.00")), BY, tree=tree)
        assert err.value.rule == "person_terms_not_live"
        # Tibet's own figures (every term off) settle as before
        assert service.settle(s, BillIn.model_validate(bill("1000.00")), BY).basic > 0


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
