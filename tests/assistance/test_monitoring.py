"""The early-warning scan: each cause raised with its reasons, once; the queue's states."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from minsheng.assistance import household, monitoring, service
from minsheng.assistance.models import Warning
from minsheng.assistance.schemas import CaseIn
from minsheng.core import calendar
from minsheng.core.errors import ConflictError, MinshengError
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.medical.models import Settlement
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import PersonPatch, StatusIn
from minsheng.registry.statuses import add_status
from tests.assistance.conftest import BY, TODAY, monthly_income

APPROVER = system("test-approver")  # maker–checker: not the one who checked


def causes(s, household_id):  # type: ignore[no-untyped-def]
    return sorted(
        w.cause for w in s.scalars(select(Warning).where(Warning.household_id == household_id))
    )


def test_each_cause_is_raised_once_with_its_reasons(engine: Engine, world: dict[str, int]) -> None:
    h = world["household"]
    with make_sessionmaker(engine)() as s:
        # low income, no assistance → below the standard
        monthly_income(s, h, world["head"], "300")
        # the spouse became disabled 10 days ago, certificate expires in 30 days
        add_status(
            s,
            world["spouse"],
            StatusIn(
                kind="disability",
                start_date=TODAY - dt.timedelta(days=10),
                disability_grade=2,
                certificate_expiry=TODAY + dt.timedelta(days=30),
            ),
            BY,
        )
        # the Shigatse elder died last week; their household earns enough otherwise
        registry.update_person(
            s, world["other"], PersonPatch(death_date=TODAY - dt.timedelta(days=7)), BY
        )
        monthly_income(s, world["household2"], world["other"], "9000")
        s.flush()
        result = monitoring.scan(s, BY, today=TODAY)
        assert result.households == 2
        assert causes(s, h) == ["certificate_expiring", "income_below_standard", "member_disabled"]
        assert causes(s, world["household2"]) == ["member_deceased"]
        w = s.scalars(
            select(Warning).where(
                Warning.household_id == h, Warning.cause == "income_below_standard"
            )
        ).one()
        assert json.loads(w.detail) == {"income_monthly": 30000, "members": 3}
        assert w.division_code == "540102" and w.state == "new"
        assert w.deadline == calendar.add_working_days(TODAY, 10)
        s.commit()

        again = monitoring.scan(s, BY, today=TODAY + dt.timedelta(days=1))
        assert again.raised == {} and again.already_known == 4

        # closing a warning needs an outcome; a closed cause is not raised again
        with pytest.raises(MinshengError) as err:
            monitoring.handle(s, w.id, "no_action", BY)
        assert err.value.field == "reason"
        monitoring.handle(s, w.id, "checking", BY)
        monitoring.handle(s, w.id, "no_action", BY, "已有其他救助", today=TODAY)
        with pytest.raises(ConflictError):
            monitoring.handle(s, w.id, "checking", BY)
        with pytest.raises(MinshengError) as err:
            monitoring.handle(s, w.id, "forgotten", BY)
        assert err.value.field == "state"
        assert monitoring.scan(s, BY, today=TODAY).raised == {}
        # next month the household is still below the standard: a new period, a new warning
        nxt = household.add_months(TODAY, 1)
        assert monitoring.scan(s, BY, today=nxt).raised.get("income_below_standard") == 1


def test_medical_burden_and_review_due(engine: Engine, world: dict[str, int]) -> None:
    h = world["household"]
    with make_sessionmaker(engine)() as s:
        monthly_income(s, h, world["head"], "1500")  # 500 a head: above the 440 standard
        case = service.open_case(s, CaseIn(household_id=h, programme="dibao_edge"), BY, TODAY)
        service.act(s, case.id, "check", BY, today=TODAY)
        assert case.eligible  # 500 < 1.5 × 440
        service.act(s, case.id, "notice", BY, today=TODAY)
        assert case.notice_end is not None
        service.act(s, case.id, "approve", APPROVER, today=case.notice_end + dt.timedelta(days=1))
        assert case.review_due is not None
        # this year's patient share from the medical ledger: 10,000 against a yearly income of
        # 18,000 → above half
        _settlement(s, world["head"], 1_000_000)
        s.flush()
        monitoring.scan(s, BY, today=TODAY)
        # on the edge already: no income warning; review a year away: not yet
        assert causes(s, h) == ["medical_burden"]
        case.review_due = TODAY + dt.timedelta(days=20)  # as if decided a year ago
        s.flush()
        monitoring.scan(s, BY, today=TODAY)
        assert causes(s, h) == ["medical_burden", "review_due"]


def _settlement(s, person_id: int, patient: int) -> None:  # type: ignore[no-untyped-def]
    from minsheng.registry.schemas import FacilityIn

    f = create_facility(s, FacilityIn(code="H54010200009", name="测试医院", level=2), BY)
    person = s.get(Person, person_id)
    assert person is not None
    zero = dict.fromkeys(
        ("full_self", "over_limit", "self_first", "basic", "ci", "assistance", "account",
         "op_deductible", "ci_base", "as_deductible"),
        0,
    )  # fmt: skip
    s.add(
        Settlement(
            kind="settle", person_id=person_id, year=TODAY.year, facility_id=f.id,
            service_date=TODAY, visit="inpatient", scheme="resident", level=2, area="local",
            total=patient, policy=patient, patient=patient, cash=patient, explanation="[]",
            bill="{}", inputs="{}", created_by="test", **zero,
        )
    )  # fmt: skip
