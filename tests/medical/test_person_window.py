"""Issue 16 item 6 at the window: a region whose ratio or cap depends on the person is refused
until the registry and the ledger supply the person's facts (Tibet's terms are off)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.core.errors import ValidationError
from minsheng.db import make_sessionmaker
from minsheng.medical import service
from minsheng.medical.schemas import BillIn
from tests.medical.test_settlement_api import BY, _shaped, bill, world

__all__ = ["world"]  # the fixture, used by name


@pytest.mark.parametrize(
    "changes",
    [
        {
            "medical.person.schemes": "resident",
            "medical.person.age.points_per_year": "0.002",
            "medical.person.age.max_points": "0.05",
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
