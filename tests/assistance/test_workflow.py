"""A 低保 case from application to stop, on SQLite and PostgreSQL: deadlines in working days,
the public notice, the registry status, the payment roll and its idempotency, review, and bad
input that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from minsheng.assistance import household, payroll, service
from minsheng.assistance.models import Case, CaseEvent, Income, Payment
from minsheng.assistance.schemas import CaseIn, IncomeIn, IncomesIn
from minsheng.core import calendar
from minsheng.core.errors import ConflictError, MinshengError
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import StatusIn
from minsheng.registry.statuses import add_status
from tests.assistance.conftest import BY, TODAY, monthly_income

APPROVER = system("test-approver")  # maker–checker: not the one who checked


def _approved_dibao(s, world):  # type: ignore[no-untyped-def]
    monthly_income(s, world["household"], world["head"], "300")
    case = service.open_case(
        s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
    )
    service.act(s, case.id, "check", BY, today=TODAY)
    service.act(s, case.id, "notice", BY, today=TODAY)
    assert case.notice_end is not None
    service.act(s, case.id, "approve", APPROVER, today=case.notice_end + dt.timedelta(days=1))
    return case


def test_dibao_from_application_to_stop(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "300")
        case = service.open_case(
            s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
        )
        assert case.state == "applied"
        assert case.due_on == calendar.add_working_days(TODAY, 20)
        service.act(s, case.id, "check", BY, today=TODAY)
        # Lhasa urban standard 440/month; 3 members; counted income 300/month → 100 per head
        assert case.eligible and case.monthly_amount == (44000 - 10000) * 3
        steps = {st.step: st for st in service.case_out(s, case).explanation}
        assert steps["standard"].value == 44000
        assert steps["standard"].parameters[0]["source"] == "region:540100"
        assert steps["per_capita"].value == 10000
        service.act(s, case.id, "notice", BY, today=TODAY)
        assert case.notice_end == calendar.add_working_days(TODAY, 7)
        with pytest.raises(ConflictError) as err:  # the notice is still running
            service.act(s, case.id, "approve", APPROVER, today=case.notice_end)
        assert err.value.rule == "notice_running"
        decided = case.notice_end + dt.timedelta(days=1)
        service.act(s, case.id, "approve", APPROVER, today=decided)
        assert case.state == "approved" and case.review_due == household.add_months(decided, 12)
        head = s.get(Person, world["head"])
        assert head is not None and "dibao" in registry.statuses_on(head, decided)
        s.commit()

        # the child has a grade-1 disability: nursing subsidy, and the living subsidy in a 低保
        # household (person benefits, paid with the roll)
        add_status(
            s,
            world["child"],
            StatusIn(kind="disability", start_date=dt.date(2020, 1, 1), disability_grade=1),
            BY,
        )
        month = f"{decided:%Y-%m}"
        first = payroll.run(s, month, "540100", BY, today=decided)
        paid = sorted((p.kind, p.person_id, p.amount) for p in first.new)
        assert paid == [
            ("dibao", world["head"], 102000),
            ("disability_living", world["child"], 10000),
            ("disability_nursing", world["child"], 15000),
        ]
        assert first.new_total == 127000
        again = payroll.run(s, month, "540000", BY, today=decided)  # a wider region, same month
        assert again.new == [] and again.already_paid == len(first.new)
        s.commit()

        stop_day = household.add_months(decided, 1).replace(day=20)
        service.act(s, case.id, "stop", BY, reason="收入增加", today=stop_day)
        after_stop = stop_day + dt.timedelta(days=1)
        assert head is not None and "dibao" not in registry.statuses_on(head, after_stop)
        stop_month = payroll.run(s, f"{stop_day:%Y-%m}", "540100", BY, today=stop_day)
        # stop month paid in full; the living subsidy goes with the 低保
        assert sorted(p.kind for p in stop_month.new) == [
            "dibao",
            "disability_living",
            "disability_nursing",
        ]
        later = household.add_months(stop_day, 1)
        after = payroll.run(s, f"{later:%Y-%m}", "540100", BY, today=later).new
        assert [p.kind for p in after] == ["disability_nursing"]
        events = s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id)).all()
        assert events == ["apply", "check", "notice", "approve", "stop"]
        s.commit()  # the audit entries are appended at the commit, with the work
        audited = s.scalar(select(func.count()).where(AuditEntry.resource == "assistance_case"))
        assert audited == 5


def test_review_redetermines_and_stops_when_no_longer_eligible(
    engine: Engine, world: dict[str, int]
) -> None:
    with make_sessionmaker(engine)() as s:
        case = _approved_dibao(s, world)
        later = dt.date(2026, 12, 15)
        monthly_income(s, world["household"], world["spouse"], "200")
        s.flush()
        # the figures' recorder may not review an increase on them (maker–checker): another does
        reviewer = system("reviewer")
        service.act(s, case.id, "review", reviewer, today=later)
        # the window is now 2025-12..2026-11: six of the head's months (6 × 300) and six of the
        # spouse's (6 × 200) → 3,000 / 12 = 250 a month, 83.33 a head (rounded down), so
        # (440 − 83.33) × 3 = 1,070.01
        assert (
            case.state == "approved" and case.monthly_amount == 44000 * 3 - 25000
        )  # standard × members − income, exact
        june = dt.date(2027, 6, 15)
        monthly_income(s, world["household"], world["spouse"], "5000", today=june)
        service.act(s, case.id, "review", reviewer, today=june)
        assert case.state == "stopped" and case.stopped_on == dt.date(2027, 6, 15)


def test_an_ineligible_case_cannot_be_published(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "3000")
        case = service.open_case(
            s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
        )
        service.act(s, case.id, "check", BY, today=TODAY)
        assert case.eligible is False and case.monthly_amount == 0
        with pytest.raises(ConflictError):
            service.act(s, case.id, "notice", BY, today=TODAY)
        with pytest.raises(MinshengError) as err:
            service.act(s, case.id, "reject", BY, today=TODAY)
        assert err.value.field == "reason"
        service.act(s, case.id, "reject", BY, reason="人均收入高于标准", today=TODAY)
        assert case.state == "rejected"


def test_overdue_cases_are_flagged(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        case = service.open_case(
            s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
        )
        assert case.due_on is not None
        assert not service.overdue(case, case.due_on)
        assert service.overdue(case, case.due_on + dt.timedelta(days=1))
        assert [c.id for c in service.queue(s, BY)] == [case.id]


@pytest.mark.parametrize(
    ("item", "field", "rule"),
    [
        ({"amount": "-1"}, "items[1].amount", "negative"),
        ({"kind": "lottery"}, "items[1].kind", "unknown_value"),
        ({"month": "2026-13"}, "items[1].month", "month"),
        ({"month": "2030-01"}, "items[1].month", "future"),
        ({"person": "other"}, "items[1].person_id", "not_a_member"),
    ],
)
def test_bad_income_changes_nothing(
    engine: Engine, world: dict[str, int], item: dict[str, str], field: str, rule: str
) -> None:
    good = IncomeIn(person_id=world["head"], month="2026-01", kind="wage", amount="100")
    bad = IncomeIn(
        person_id=world[item.get("person", "head")],
        month=item.get("month", "2026-02"),
        kind=item.get("kind", "wage"),
        amount=item.get("amount", "100"),
    )
    with make_sessionmaker(engine)() as s:
        with pytest.raises(MinshengError) as err:
            household.record_incomes(s, world["household"], IncomesIn(items=[good, bad]), BY, TODAY)
        s.rollback()
        assert (err.value.field, err.value.rule) == (field, rule)
        assert err.value.zh and err.value.en
        assert s.scalar(select(func.count()).select_from(Income)) == 0


def test_bad_cases_are_refused(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        for data, field in [
            (CaseIn(household_id=world["household"], programme="basic_income"), "programme"),
            (CaseIn(household_id=world["household"], programme="tekun"), "person_id"),
            (
                CaseIn(
                    household_id=world["household"], programme="tekun", person_id=world["other"]
                ),
                "person_id",
            ),
            (CaseIn(household_id=world["household"], programme="temporary"), "requested"),
            (
                CaseIn(
                    household_id=world["household"],
                    programme="tekun",
                    person_id=world["head"],
                    care_level="lavish",
                ),
                "care_level",
            ),
        ]:
            with pytest.raises(MinshengError) as err:
                service.open_case(s, data, BY, TODAY)
            assert err.value.field == field
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        service.open_case(s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY)
        with pytest.raises(ConflictError):  # one open 低保 case per household
            service.open_case(
                s, CaseIn(household_id=world["household"], programme="dibao"), BY, TODAY
            )
        with pytest.raises(MinshengError) as err:
            service.act(s, 1, "teleport", BY, today=TODAY)
        assert err.value.field == "action"


def test_payments_are_unique_per_key(engine: Engine, world: dict[str, int]) -> None:
    with make_sessionmaker(engine)() as s:
        case = _approved_dibao(s, world)
        assert case.decided_on is not None
        month = f"{case.decided_on:%Y-%m}"
        payroll.run(s, month, "540102", BY, today=case.decided_on)
        s.commit()
        n = s.scalar(select(func.count()).select_from(Payment))
        for region in ("540102", "540100", "540000"):
            payroll.run(s, month, region, BY, today=case.decided_on)
        assert s.scalar(select(func.count()).select_from(Payment)) == n


def test_propose_standard_costs_the_change(engine: Engine, world: dict[str, int]) -> None:
    from minsheng.assistance import standards

    with make_sessionmaker(engine)() as s:
        monthly_income(s, world["household"], world["head"], "300")
        monthly_income(s, world["household2"], world["other"], "100")  # Shigatse: not counted
        out = standards.propose(s, 2026, "540100", data_as_of=TODAY)
    # 28,500 × 0.35 / 12 = 831.25 → 832 a month; Lhasa's standard in force is 440
    assert out["current"]["urban_monthly"] == 44000
    assert out["proposed"]["urban_monthly"] == 83200
    assert out["assessed_households"] == 1
    assert out["baseline"] == {
        "yearly_cost": (44000 - 10000) * 3 * 12,
        "households": 1,
        "people": 3,
    }
    assert out["proposal"]["yearly_cost"] == (83200 - 10000) * 3 * 12
    assert out["change"]["yearly_cost"] == (83200 - 44000) * 3 * 12
