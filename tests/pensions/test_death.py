"""Death settlement (issue 12, points 7 and 9): the award terminated from the day after, the
overpayment, the funeral grant and survivors' allowance from dated parameters, the inheritable
account balance, the overpayment deducted from those first and the rest owed by the heirs on a
recovery case; idempotent; a future death or one before the award is refused, nothing changed."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import certification, death
from minsheng.pensions.models import (
    PnAward,
    PnContribution,
    PnDeathSettlement,
    PnEnrolment,
    PnRecovery,
    PnRecoveryEvent,
)
from minsheng.registry import service as registry
from minsheng.registry.models import Employer
from minsheng.registry.schemas import PersonIn, PersonPatch
from tests.pensions.award_kit import BY, claim, resident
from tests.pensions.test_roll import roll


def _count(engine: Engine, model: type) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _claimant(engine: Engine, tmp_path: Path, seq: int, balance: int) -> tuple[int, int, int]:
    """A resident claimant paid June–September 2025: (person, award, monthly)."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, seq, balance=balance))
        out = award.person_id, award.id, award.monthly
    roll(engine, "2025-09", tmp_path)
    return out


def test_a_residents_death_terminates_deducts_from_the_balance_and_the_heirs_owe_the_rest(
    engine: Engine, tmp_path: Path
) -> None:
    pid, award_id, monthly = _claimant(engine, tmp_path, 1, balance=13_900)  # account part 1 元
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = death.settle_death(s, pid, dt.date(2025, 7, 20), BY, today=dt.date(2025, 10, 5))
    assert r.award_id == award_id and r.terminated_on == dt.date(2025, 7, 21)
    assert r.overpaid == 2 * monthly  # August and September
    assert r.funeral_grant == 0 and r.survivors_allowance == 0  # resident scheme: assumed 0
    assert r.inheritable_balance == 13_900 - 2 * 100  # June and July drew 1 元 each
    assert r.deducted == {"inheritable_balance": 13_700}
    assert r.owed_by_heirs == 2 * monthly - 13_700 and r.net_inheritable_balance == 0
    paths = {p["path"] for part in r.parts for p in part["parameters"]}
    assert {"pensions.death.resident.inherit_subsidy", "pensions.death.recovery.order"} <= paths
    with make_sessionmaker(engine)() as s:
        a = s.get(PnAward, award_id)
        assert a is not None and a.state == "terminated" and a.overpaid == 2 * monthly
        rec = s.get(PnRecovery, r.recovery_id)
        assert rec is not None and rec.state == "opened"
        assert (rec.owed, rec.recovered) == (2 * monthly, 13_700)
        actions = s.scalars(
            select(PnRecoveryEvent.action).where(PnRecoveryEvent.recovery_id == rec.id)
        ).all()
        assert list(actions) == ["open", "deduct"]


def test_settling_the_same_death_twice_answers_the_first_settlement(
    engine: Engine, tmp_path: Path
) -> None:
    pid, _, _ = _claimant(engine, tmp_path, 2, balance=1_390_000)
    day = dt.date(2025, 8, 3)
    with unit_of_work(make_sessionmaker(engine)) as s:
        first = death.settle_death(s, pid, day, BY, today=dt.date(2025, 10, 5))
    assert first.deducted == {"inheritable_balance": first.overpaid}  # covered by the balance
    with unit_of_work(make_sessionmaker(engine)) as s:
        again = death.settle_death(s, pid, day, BY, today=dt.date(2025, 11, 5))
    assert again == first
    assert _count(engine, PnDeathSettlement) == 1 and _count(engine, PnRecovery) == 1
    assert _count(engine, PnRecoveryEvent) == 2  # open, deduct: nothing twice
    with make_sessionmaker(engine)() as s:
        rec = s.get(PnRecovery, first.recovery_id)
        assert rec is not None and rec.state == "recovered" and rec.open_key is None
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        death.settle_death(s, pid, dt.date(2025, 8, 4), BY, today=dt.date(2025, 11, 5))
    assert (e.value.field, e.value.rule) == ("died_on", "already_settled")


@pytest.mark.parametrize(
    ("died", "rule"), [(dt.date(2025, 10, 6), "future"), (dt.date(2025, 5, 31), "before_award")]
)
def test_a_future_death_or_one_before_the_award_is_refused_and_nothing_changes(
    engine: Engine, tmp_path: Path, died: dt.date, rule: str
) -> None:
    pid, award_id, _ = _claimant(engine, tmp_path, 3, balance=1_390_000)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        death.settle_death(s, pid, died, BY, today=dt.date(2025, 10, 5))
    assert (e.value.field, e.value.rule) == ("died_on", rule)
    with make_sessionmaker(engine)() as s:
        a = s.get(PnAward, award_id)
        assert a is not None and a.state == "active" and a.overpaid == 0
    assert _count(engine, PnDeathSettlement) == 0 and _count(engine, PnRecovery) == 0


def test_the_scan_of_a_registry_death_opens_the_recovery_case_the_settlement_then_uses(
    engine: Engine, tmp_path: Path
) -> None:
    pid, award_id, monthly = _claimant(engine, tmp_path, 4, balance=13_900)
    with unit_of_work(make_sessionmaker(engine)) as s:
        registry.update_person(s, pid, PersonPatch(death_date=dt.date(2025, 7, 20)), BY)
    with unit_of_work(make_sessionmaker(engine)) as s:
        scan = certification.scan(s, "540100", BY, today=dt.date(2025, 10, 5))
    assert scan.terminated == [award_id]
    with make_sessionmaker(engine)() as s:
        rec = s.scalar(select(PnRecovery).where(PnRecovery.award_id == award_id))
        assert rec is not None and rec.owed == 2 * monthly and rec.state == "opened"
        assert rec.opened_on >= dt.date(2025, 7, 20)
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = death.settle_death(s, pid, dt.date(2025, 7, 20), BY, today=dt.date(2025, 10, 6))
    assert r.recovery_id == rec.id and r.deducted == {"inheritable_balance": 13_700}
    assert _count(engine, PnRecovery) == 1
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        other = claim(s, resident(s, 5))
        registry.update_person(s, other.person_id, PersonPatch(death_date=dt.date(2025, 7, 1)), BY)
        death.settle_death(s, other.person_id, dt.date(2025, 7, 2), BY, today=dt.date(2025, 10, 6))
    assert e.value.rule == "registry_differs"


def _employee_in_work(engine: Engine, months: int) -> int:
    """An employee in work (no award) with ``months`` monthly contributions."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        person = registry.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540102", dt.date(1975, 5, 1), 7),
                name_zh="职工",
                hukou="urban",
            ),
            BY,
        )
        employer = Employer(
            credit_code=ids.make_credit_code("540102", 1),
            name="测试单位",
            division_code="540102",
        )
        s.add(employer)
        s.flush()
        e = PnEnrolment(
            person_id=person.id,
            scheme="employee_pension",
            employer_id=employer.id,
            division_code="540102",
            base=700_000,
            start_date=dt.date(2000, 1, 1),
        )
        s.add(e)
        s.flush()
        for i in range(months):
            year, month = 2005 + i // 12, i % 12 + 1
            s.add(
                PnContribution(
                    key=f"t:{person.id}:{year}:{month}",
                    person_id=person.id,
                    enrolment_id=e.id,
                    scheme="employee_pension",
                    kind="regular",
                    year=year,
                    month=month,
                    credit_year=year,
                    base=700_000,
                    individual=56_000,
                    employer=112_000,
                    subsidy=0,
                    government_paid=False,
                    paid_by="employer",
                    division_code="540102",
                    recorded_by="test",
                )
            )
        return person.id


@pytest.mark.parametrize(
    ("months", "survivors"),
    [(100, 4325_00 * 9), (200, 4325_00 * 10), (240, 4325_00 * 23 // 2), (600, 4325_00 * 24)],
)
def test_an_employees_funeral_grant_and_survivors_allowance_follow_the_2021_rule(
    engine: Engine, months: int, survivors: int
) -> None:
    pid = _employee_in_work(engine, months)
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = death.settle_death(s, pid, dt.date(2024, 9, 1), BY, today=dt.date(2024, 10, 1))
    # 2024: the 2023 urban disposable income per head, 51,900 元 ÷ 12 = 4,325 元 a month
    assert r.scheme == "employee_pension" and r.award_id is None and r.overpaid == 0
    assert r.funeral_grant == 2 * 4325_00
    assert r.survivors_allowance == survivors
    base = next(p for p in r.parts if p["name"] == "funeral_grant")["parameters"][0]
    assert (base["path"], base["value"], base["start"]) == (
        "pensions.death.base_income_yearly",
        5_190_000,
        "2024-01-01",
    )


@given(
    years=st.integers(0, 80),
    more=st.integers(0, 10),
)
def test_the_survivors_months_rise_with_the_years_between_the_bounds(years: int, more: int) -> None:
    def months(y: int) -> Fraction:
        return death.survivors_months(Fraction(9), 15, Fraction(1, 2), Fraction(24), y)

    assert Fraction(9) <= months(years) <= Fraction(24)
    assert months(years) <= months(years + more)
    if years <= 15:
        assert months(years) == 9
