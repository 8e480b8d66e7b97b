"""The register on both databases: enrolment, contributions, the government-paid run, yearly
crediting and the medical personal-account credit (services, as the API and CLI call them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import Principal, staff, system
from minsheng.medical.models import PersonalAccount
from minsheng.pensions import accounts, contributions, enrolment, government
from minsheng.pensions.models import PnAccount, PnContribution, PnStatement
from minsheng.pensions.schemas import EmployeeContributionIn, EnrolIn, ResidentContributionIn
from minsheng.policy import load
from minsheng.policy.overlays import parse_overlay
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn, PersonPatch, StatusIn
from minsheng.registry.statuses import add_status

BY = system("test")
TODAY = dt.date(2025, 6, 30)
LHASA_CODE = ids.make_credit_code("540102", 77)
SHIGATSE_CODE = ids.make_credit_code("540202", 78)


def person(s: Session, county: str, born: dt.date, seq: int, name: str = "测试") -> int:
    p = registry.create_person(
        s,
        PersonIn(id_number=ids.make_resident_id(county, born, seq), name_zh=name, hukou="rural"),
        BY,
    )
    return p.id


def employers(s: Session) -> None:
    for code, county in ((LHASA_CODE, "540102"), (SHIGATSE_CODE, "540202")):
        create_employer(s, EmployerIn(credit_code=code, name="单位", division_code=county), BY)


def resident(s: Session, pid: int, start: dt.date = dt.date(2023, 1, 1)) -> int:
    return enrolment.enrol(
        s, EnrolIn(person_id=pid, scheme="resident_pension", start_date=start), BY
    ).id


def pay(s: Session, pid: int, year: int, tier: str, **kw: Any) -> contributions.Recorded:
    return contributions.record_resident(
        s, ResidentContributionIn(person_id=pid, year=year, tier=tier, **kw), BY, today=TODAY
    )


def err(fn: Any) -> MinshengError:
    with pytest.raises(MinshengError) as e:
        fn()
    return e.value


@pytest.fixture
def s(engine: Engine) -> Any:
    with make_sessionmaker(engine)() as session:
        employers(session)
        yield session


# ------------------------------------------------------------------------------ enrolment


def test_employee_enrolment_clamps_the_base_and_one_pension_scheme_at_a_time(s: Session) -> None:
    pid = person(s, "540102", dt.date(1990, 3, 3), 11)
    e = enrolment.enrol(
        s,
        EnrolIn(
            person_id=pid,
            scheme="employee_pension",
            credit_code=LHASA_CODE,
            wage="9999999.99",  # a huge wage: the base stops at 300 % of the average
            start_date=dt.date(2024, 1, 1),
        ),
        BY,
    )
    assert e.base == 124_000_00 * 3 // 12  # 31,000.00 a month
    low = enrolment.enrol(
        s,
        EnrolIn(
            person_id=pid,
            scheme="work_injury",
            credit_code=LHASA_CODE,
            wage="100",
            start_date=dt.date(2024, 1, 1),
        ),
        BY,
    )
    assert low.base == 124_000_00 * 6 // 10 // 12  # the 60 % floor: 6,200.00
    x = err(
        lambda: enrolment.enrol(
            s,
            EnrolIn(person_id=pid, scheme="resident_pension", start_date=dt.date(2024, 6, 1)),
            BY,
        )
    )
    assert (x.status, x.field, x.rule) == (409, "scheme", "one_pension_scheme")
    again = err(
        lambda: enrolment.enrol(
            s,
            EnrolIn(
                person_id=pid,
                scheme="employee_pension",
                credit_code=SHIGATSE_CODE,
                wage="5000",
                start_date=dt.date(2024, 3, 1),
            ),
            BY,
        )
    )
    assert (again.status, again.rule) == (409, "enrolment_overlap")
    # after the employee enrolment ends, the resident scheme is open
    enrolment.end_enrolment(s, e.id, dt.date(2024, 12, 31), BY)
    enrolment.enrol(
        s, EnrolIn(person_id=pid, scheme="resident_pension", start_date=dt.date(2025, 1, 1)), BY
    )


def test_resident_scheme_from_16_and_where_one_works_without_hukou(s: Session) -> None:
    young = person(s, "540102", dt.date(2010, 8, 1), 12)
    x = err(lambda: resident(s, young, dt.date(2025, 1, 1)))
    assert (x.field, x.rule) == ("start_date", "too_young")
    # a Lhasa resident enrols in Shigatse's Samzhubzê district, where she works
    pid = person(s, "540102", dt.date(1980, 1, 1), 13)
    e = enrolment.enrol(
        s,
        EnrolIn(
            person_id=pid,
            scheme="resident_pension",
            division_code="540202",
            start_date=dt.date(2023, 1, 1),
        ),
        BY,
    )
    assert e.division_code == "540202"
    # and a Shigatse caseworker now sees her insurance record
    far = staff(1, "far", "caseworker", "540200")
    assert [x.id for x in enrolment.enrolments_of(s, pid, far)] == [e.id]


def test_another_regions_person_is_not_found(s: Session) -> None:
    pid = person(s, "540102", dt.date(1980, 1, 1), 14)
    resident(s, pid)
    far = staff(1, "far", "caseworker", "540200")
    for call in (
        lambda: enrolment.enrolments_of(s, pid, far),
        lambda: contributions.record_resident(
            s, ResidentContributionIn(person_id=pid, year=2024, tier="100"), far, today=TODAY
        ),
        lambda: enrolment.enrol(
            s,
            EnrolIn(
                person_id=pid,
                scheme="work_injury",
                credit_code=LHASA_CODE,
                wage="5000",
                start_date=dt.date(2024, 1, 1),
            ),
            far,
        ),
        lambda: accounts.accounts_of(s, pid, far),
    ):
        x = err(call)
        assert x.status == 404, x


# ------------------------------------------------------------------------------ contributions


def test_tier_not_in_the_table_and_a_dead_person_are_refused(s: Session) -> None:
    pid = person(s, "540102", dt.date(1970, 1, 1), 15)
    resident(s, pid)
    x = err(lambda: pay(s, pid, 2024, "350"))
    assert (x.status, x.field, x.rule) == (422, "tier", "tier")
    x = err(lambda: pay(s, pid, 2024, "1e3"))
    assert x.status == 422 and x.field == "tier"
    r = pay(s, pid, 2024, "500")
    assert (r.rows[0].individual, r.rows[0].subsidy) == (500_00, 60_00)
    registry.update_person(s, pid, PersonPatch(death_date=dt.date(2025, 2, 1)), BY)
    x = err(lambda: pay(s, pid, 2025, "500"))
    assert (x.field, x.rule) == ("person_id", "deceased")
    assert s.scalar(select(func.count()).select_from(PnContribution)) == 1


def test_a_retried_contribution_counts_once(s: Session) -> None:
    pid = person(s, "540102", dt.date(1970, 1, 1), 16)
    resident(s, pid)
    first = pay(s, pid, 2024, "500")
    again = pay(s, pid, 2024, "500")
    assert first.created and not again.created and again.rows[0].id == first.rows[0].id
    other = err(lambda: pay(s, pid, 2024, "600"))
    assert (other.status, other.rule) == (409, "already_paid")
    assert s.scalar(select(func.count()).select_from(PnContribution)) == 1


def test_back_payment_near_the_claim_age_only(s: Session) -> None:
    old = person(s, "540102", dt.date(1968, 3, 1), 17)  # 57 in 2025
    resident(s, old, dt.date(2025, 1, 1))
    r = pay(s, old, 2018, "1000", back_payment=True)
    assert r.rows[0].kind == "back_payment" and r.rows[0].subsidy == 0  # no subsidy (param)
    assert r.rows[0].credit_year == 2025  # enters the account when paid
    young = person(s, "540102", dt.date(1990, 3, 1), 18)  # 35: too far from 60
    resident(s, young, dt.date(2025, 1, 1))
    x = err(lambda: pay(s, young, 2018, "1000", back_payment=True))
    assert (x.field, x.rule) == ("back_payment", "too_young")


@pytest.mark.parametrize("monthly", [True, False])
def test_employee_months_follow_the_rounding_order(s: Session, monthly: bool) -> None:
    pid = person(s, "540102", dt.date(1990, 3, 3), 19)
    enrolment.enrol(
        s,
        EnrolIn(
            person_id=pid,
            scheme="employee_pension",
            credit_code=LHASA_CODE,
            wage="6543.21",
            start_date=dt.date(2024, 1, 1),
        ),
        BY,
    )
    r = contributions.record_employee(
        s,
        EmployeeContributionIn(person_id=pid, year=2024, from_month=1, to_month=12),
        BY,
        today=TODAY,
        tree=load().with_overlay(parse_overlay(_rounding(monthly), "rounding")),
    )
    parts = [c.individual for c in r.rows]
    # 6,543.21 × 8 % = 523.4568 a month
    if monthly:
        assert parts == [523_46] * 12  # each month rounded, then summed: 6,281.52
    else:
        assert sum(parts) == 6_281_48  # 78,518.52 × 8 % = 6,281.4816, rounded once
        assert parts[:11] == [523_45] * 11 and parts[11] == 6_281_48 - 11 * 523_45


def _rounding(monthly: bool) -> dict[str, Any]:
    return {
        "changes": {
            "pensions.employee.contribution.round_monthly_then_sum": {
                "values": {"2020-01-01": {"value": monthly}},
                "metadata": {"status": "assumed"},
            }
        }
    }


# ------------------------------------------------------------------------------ government-paid


def test_government_paid_run_is_idempotent_and_lists_for_finance(s: Session) -> None:
    poor = person(s, "540102", dt.date(1970, 1, 1), 20, '低保,"户"')  # separators in a name
    severe = person(s, "540102", dt.date(1972, 1, 1), 21, "=重残")  # a formula in a name
    mild = person(s, "540102", dt.date(1973, 1, 1), 22, "轻残")
    paid_self = person(s, "540102", dt.date(1974, 1, 1), 23, "自缴")
    nobody = person(s, "540102", dt.date(1975, 1, 1), 24, "普通")
    for pid in (poor, severe, mild, paid_self, nobody):
        resident(s, pid)
    start = dt.date(2024, 1, 1)
    for pid, kind, grade in (
        (poor, "dibao", None),
        (severe, "disability", 2),
        (mild, "disability", 3),
        (paid_self, "tekun", None),
    ):
        add_status(s, pid, StatusIn(kind=kind, start_date=start, disability_grade=grade), BY)
    pay(s, paid_self, 2025, "1000")  # paid it herself: the run leaves it
    run = government.government_paid(s, 2025, BY, today=TODAY)
    assert run.new == 2
    assert sorted(r["person_id"] for r in run.listed) == sorted([poor, severe])
    rows = list(csv.reader(io.StringIO(run.csv().decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["year", "person_id", "name"]
    assert len(rows) == 3 and all(r[6] == "100.00" and r[7] == "30.00" for r in rows[1:])
    assert {r[2] for r in rows[1:]} == {'低保,"户"', "'=重残"}  # quoted; no formula
    again = government.government_paid(s, 2025, BY, today=TODAY)
    assert again.new == 0 and again.listed == run.listed
    assert s.scalar(select(func.count()).select_from(PnContribution)) == 3


# ------------------------------------------------------------------------------ accounts


def test_crediting_twice_changes_nothing_and_statements_add_up(s: Session) -> None:
    pid = person(s, "540102", dt.date(1970, 1, 1), 25)
    resident(s, pid)
    pay(s, pid, 2023, "500")
    pay(s, pid, 2024, "1000")
    accounts.credit_year(s, 2023, BY, today=TODAY)
    accounts.credit_year(s, 2024, BY, today=TODAY)
    before = s.scalar(select(PnAccount.balance))
    again = accounts.credit_year(s, 2024, BY, today=TODAY)
    assert again.accounts == 0 and s.scalar(select(PnAccount.balance)) == before
    statements = s.scalars(select(PnStatement).order_by(PnStatement.year)).all()
    assert [(x.year, x.opening, x.credited, x.interest, x.closing) for x in statements] == [
        (2023, 0, 560_00, 0, 560_00),  # 500 + subsidy 60; a yearly payment earns from next year
        (2024, 560_00, 1110_00, 1467, 560_00 + 1110_00 + 1467),  # 560 × 2.62 % = 14.67
    ]
    assert statements[1].rate_value == "0.0262" and statements[1].rate_date == dt.date(2024, 1, 1)
    # a contribution recorded after its year was credited enters the next crediting
    late = person(s, "540102", dt.date(1971, 1, 1), 26)
    resident(s, late)
    skipped = err(lambda: accounts.credit_year(s, 2026, BY, today=dt.date(2026, 6, 1)))
    assert skipped.rule == "year_skipped"


def test_a_crash_between_statements_and_balances_credits_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        employers(s)
        pid = person(s, "540102", dt.date(1970, 1, 1), 27)
        resident(s, pid)
        pay(s, pid, 2023, "500")
    real = accounts._write_balances

    def dies(*a: Any, **k: Any) -> None:
        raise RuntimeError("killed between the statements and the balances")

    monkeypatch.setattr(accounts, "_write_balances", dies)
    with pytest.raises(RuntimeError), unit_of_work(factory) as s:
        accounts.credit_year(s, 2023, BY, today=TODAY)
    monkeypatch.setattr(accounts, "_write_balances", real)
    with unit_of_work(factory) as s:
        assert s.scalar(select(func.count()).select_from(PnStatement)) == 0
        accounts.credit_year(s, 2023, BY, today=TODAY)
    with unit_of_work(factory) as s:
        accounts.credit_year(s, 2023, BY, today=TODAY)
        assert s.scalar(select(func.count()).select_from(PnStatement)) == 1
        assert s.scalar(select(PnAccount.balance)) == 560_00


def test_medical_personal_account_credited_monthly_once(s: Session) -> None:
    pid = person(s, "540102", dt.date(1990, 3, 3), 28)
    enrolment.enrol(
        s,
        EnrolIn(
            person_id=pid,
            scheme="employee_pension",
            credit_code=LHASA_CODE,
            wage="8000",
            start_date=dt.date(2024, 1, 1),
        ),
        BY,
    )
    out = accounts.credit_medical(s, 2025, 3, BY, today=TODAY)
    assert out["accounts"] == 1 and out["total"] == "160.00"  # 8,000 × 2 %
    assert accounts.credit_medical(s, 2025, 3, BY, today=TODAY)["accounts"] == 0
    accounts.credit_medical(s, 2025, 4, BY, today=TODAY)
    assert s.get(PersonalAccount, pid).balance == 320_00  # type: ignore[union-attr]


def test_by_is_a_principal() -> None:
    assert isinstance(BY, Principal)
