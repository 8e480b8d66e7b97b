"""Helpers of the bundle tests: an employee of a Lhasa employer about to retire (employee
pension, work injury and unemployment; 职工在职 medical insurance; 180 months of contributions
and a credited account), and a worker about to be hired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.db import Base
from minsheng.foundation.principals import system
from minsheng.pensions import enrolment
from minsheng.pensions.models import PnAccount, PnContribution
from minsheng.pensions.schemas import EnrolIn
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, EnrolmentIn, PersonIn

BY = system("test")
TODAY = dt.date(2025, 6, 30)
CREDIT = ids.make_credit_code("540102", 41)
BASE = 800_000  # 8,000 元 a month


def employer(s: Session, code: str = CREDIT, county: str = "540102") -> int:
    return create_employer(
        s, EmployerIn(credit_code=code, name="拉萨测试公司", division_code=county), BY
    ).id


def person(
    s: Session,
    seq: int,
    *,
    county: str = "540102",
    born: dt.date,
    household: str | None = None,
    relationship: str | None = None,
) -> int:
    p = registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(county, born, seq),
            name_zh="测试",
            hukou="urban",
            household_code=household,
            relationship=relationship,
        ),
        BY,
    )
    return p.id


def retiring(
    s: Session,
    seq: int,
    *,
    county: str = "540102",
    born: dt.date = dt.date(1964, 5, 10),
    months: int = 180,
    code: str = CREDIT,
    household: str | None = None,
) -> int:
    """A male worker (60 in 2024-05, before the delay) in the three employee schemes from
    2023, in 职工在职 medical insurance, with ``months`` monthly contributions (recorded in
    2023 and 2024; a history from 2000 is tests/pensions/test_awards_history.py)."""
    pid = person(
        s, seq, county=county, born=born, household=household, relationship=household and "head"
    )
    start = dt.date(2023, 1, 1)
    rows = {}
    for scheme in ("employee_pension", "work_injury", "unemployment"):
        rows[scheme] = enrolment.enrol(
            s,
            EnrolIn(person_id=pid, scheme=scheme, credit_code=code, wage="8000", start_date=start),
            BY,
        )
    employer_id = rows["employee_pension"].employer_id
    add_enrolment(
        s, pid, EnrolmentIn(scheme="employee_active", start_date=start, employer_id=employer_id), BY
    )
    for i in range(months):
        s.add(
            PnContribution(
                key=f"bundle-test:{pid}:{i}",
                person_id=pid,
                enrolment_id=rows["employee_pension"].id,
                scheme="employee_pension",
                kind="regular",
                year=2023 + (i % 2),
                month=1 + (i // 2) % 12,
                credit_year=2023 + (i % 2),
                base=BASE,
                individual=BASE * 8 // 100,
                employer=BASE * 16 // 100,
                subsidy=0,
                government_paid=False,
                paid_by="employer",
                division_code=county,
                recorded_by="test",
            )
        )
    s.add(PnAccount(person_id=pid, scheme="employee_pension", balance=15_000_000))
    s.flush()
    return pid


def counts(s: Session) -> dict[str, int]:
    """Rows in every table but the audit log's: what a refused bundle must leave unchanged
    (bar its own record)."""
    out = {}
    for name, table in Base.metadata.tables.items():
        if name.startswith("audit") or name.startswith("bundle"):
            continue
        out[name] = int(s.scalar(select(func.count()).select_from(table)) or 0)
    return out


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, Any]:
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
