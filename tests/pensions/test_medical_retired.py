"""Retirees' medical personal accounts (issue 12, point 3): the monthly credit of a retiree
drawing the employee pension — a share of the pension, or a fixed sum when the parameters say
so (国办发〔2021〕14号) — then a medical bill that draws on it, end to end (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import PERMISSIONS, Principal
from minsheng.medical import service as medical
from minsheng.medical.models import PersonalAccount
from minsheng.medical.schemas import BillIn
from minsheng.pensions import accounts
from minsheng.pensions.models import PnAward, PnMedicalCredit
from minsheng.policy import load
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn
from tests.pensions.award_kit import BY

TODAY = dt.date(2025, 7, 10)


def _retiree(s: object, seq: int, county: str = "540102", state: str = "active") -> int:
    person = registry.create_person(
        s,  # type: ignore[arg-type]
        PersonIn(
            id_number=ids.make_resident_id(county, dt.date(1962, 3, 1), seq),
            name_zh="退休职工",
            hukou="urban",
        ),
        BY,
    )
    add_enrolment(
        s,  # type: ignore[arg-type]
        person.id,
        EnrolmentIn(scheme="employee_retired", start_date=dt.date(2022, 4, 1)),
        BY,
    )
    s.add(  # type: ignore[attr-defined]
        PnAward(
            person_id=person.id,
            scheme="employee_pension",
            division_code=county,
            start_month="2022-04",
            monthly=512_345,  # 5,123.45 元
            parts=json.dumps([]),
            state=state,
            last_certified_on=dt.date(2025, 1, 1),
            certification_due=dt.date(2026, 1, 1),
            terminated_on=dt.date(2025, 5, 1) if state == "terminated" else None,
            by="test",
            overpaid=0,
        )
    )
    s.flush()  # type: ignore[attr-defined]
    return person.id


def _balance(engine: Engine, pid: int) -> int | None:
    with make_sessionmaker(engine)() as s:
        acct = s.get(PersonalAccount, pid)
        return None if acct is None else acct.balance


def test_a_retirees_credit_is_two_percent_of_the_pension_and_a_bill_draws_on_it(
    engine: Engine,
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        pid = _retiree(s, 1)
        dead = _retiree(s, 2, state="terminated")  # died in April: no June credit
        far = _retiree(s, 3, county="540202")
    lhasa = Principal(
        kind="staff",
        name="lhasa",
        role="supervisor",
        region="540100",
        permissions=PERMISSIONS["supervisor"],
        user_id=1,
    )
    with unit_of_work(make_sessionmaker(engine)) as s:
        out = accounts.credit_medical(s, 2025, 6, lhasa, today=TODAY)
    assert out == {"year": 2025, "month": 6, "accounts": 1, "total": "102.47"}  # 2% of 5,123.45
    assert _balance(engine, pid) == 10_247
    assert _balance(engine, dead) is None and _balance(engine, far) is None
    with unit_of_work(make_sessionmaker(engine)) as s:
        again = accounts.credit_medical(s, 2025, 6, lhasa, today=TODAY)
        assert again["accounts"] == 0  # each person and month once
        basis = s.scalars(select(PnMedicalCredit.basis).where(PnMedicalCredit.person_id == pid))
        assert list(basis) == ["retired"]
    bill = {
        "patient": {"id_number": ids.make_resident_id("540102", dt.date(1962, 3, 1), 1)},
        "facility_code": "H54010200001",
        "visit": "outpatient",
        "service_date": "2025-06-20",
        "lines": [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": "400.00"}],
    }
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = medical.settle(s, BillIn.model_validate(bill), BY)
    assert 0 < r.account <= 10_247  # the personal share is paid from the account first
    assert _balance(engine, pid) == 10_247 - r.account


def test_a_fixed_sum_applies_when_the_parameters_say_so(engine: Engine, tmp_path: Path) -> None:
    overlay = tmp_path / "fixed.yaml"
    overlay.write_text(
        "description: 定额划入\n"
        "reference: [{title: 测试, href: internal}]\n"
        "changes:\n"
        "  pensions.medical_retired.basis:\n"
        "    values: {2025-01-01: {value: fixed}}\n"
        "  pensions.medical_retired.fixed_monthly:\n"
        "    values: {2025-01-01: {value: 88.5}}\n",
        encoding="utf-8",
    )
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = _retiree(s, 4)
    with unit_of_work(make_sessionmaker(engine)) as s:
        tree = load().with_overlay(overlay)
        out = accounts.credit_medical(s, 2025, 6, BY, today=TODAY, tree=tree)
    assert out["total"] == "88.50" and _balance(engine, pid) == 8_850
