"""Helpers of the stored transfer tests: staff of a place, a person, the Chongqing → Lhasa
worked example's request (tests/pensions/cases/transfer_employee.yaml), a link request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.pensions.models import PnAccount, PnContribution, PnEnrolment
from minsheng.registry import service as registry
from minsheng.registry.models import Employer
from minsheng.registry.schemas import PersonIn

BY = system("test")
TODAY = dt.date(2026, 6, 1)


def staff(user_id: int, region: str, role: str = "caseworker") -> Principal:
    return Principal(
        kind="staff",
        name=f"u{user_id}",
        role=role,
        region=region,
        permissions=PERMISSIONS[role],
        user_id=user_id,
    )


LHASA, SHIGATSE, NYINGCHI = staff(1, "540100"), staff(2, "540200"), staff(3, "540400")


def person(
    s: Session, seq: int, county: str = "540102", born: dt.date = dt.date(1980, 5, 3)
) -> int:
    p = registry.create_person(
        s,
        PersonIn(id_number=ids.make_resident_id(county, born, seq), name_zh="转移", hukou="urban"),
        BY,
    )
    s.flush()
    return p.id


def employee_history(s: Session, pid: int, county: str, months: int, base: int) -> None:
    """``months`` employee pension months from January 2016 paid in ``county`` at ``base``."""
    employer = Employer(
        credit_code=ids.make_credit_code(county, pid), name="测试单位", division_code=county
    )
    s.add(employer)
    s.flush()
    e = PnEnrolment(
        person_id=pid,
        scheme="employee_pension",
        employer_id=employer.id,
        division_code=county,
        base=base,
        start_date=dt.date(2016, 1, 1),
    )
    s.add(e)
    s.flush()
    for i in range(months):
        year, month = 2016 + i // 12, i % 12 + 1
        s.add(
            PnContribution(
                key=f"tr:{pid}:{year}:{month}",
                person_id=pid,
                enrolment_id=e.id,
                scheme="employee_pension",
                kind="regular",
                year=year,
                month=month,
                credit_year=year,
                base=base,
                individual=base * 8 // 100,
                employer=base * 16 // 100,
                subsidy=0,
                government_paid=False,
                paid_by="employer",
                division_code=county,
                recorded_by="test",
            )
        )
    s.flush()


def balance(s: Session, pid: int, scheme: str, fen: int) -> None:
    s.add(PnAccount(person_id=pid, scheme=scheme, balance=fen))
    s.flush()


def chongqing() -> dict[str, Any]:
    """The worked example: 98765.43 in the account, 12 % × 1 272 000.00 pooled (2026-03-02)."""
    return {
        "kind": "employee",
        "applied": "2026-03-02",
        "sex": "male",
        "birth": "1980-05",
        "hukou": "510100",
        "from": "500000",
        "to": "540100",
        "account_balance": "98765.43",
        "history": [
            {"place": "500000", "from": "1996-07", "to": "2014-12", "monthly_wage": "3000.00"},
            {"place": "500000", "from": "2015-01", "to": "2025-12", "monthly_wage": "5000.00"},
            {"place": "540100", "from": "2026-01", "to": "2026-02", "monthly_wage": "8000.00"},
        ],
    }


def link(employee_months: int, employee: str, resident: str) -> dict[str, Any]:
    return {
        "kind": "link",
        "applied": "2026-03-02",
        "sex": "female",
        "category": "cadre",
        "birth": "1970-06",
        "employee_months": employee_months,
        "employee_account": employee,
        "resident_years": 6,
        "resident_account": resident,
    }
