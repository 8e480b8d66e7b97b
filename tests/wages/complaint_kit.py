"""Helpers of the complaint tests: projects in a few counties, staff of an office, a citizen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.wages.complaint_filing import ComplaintIn
from minsheng.wages.complaint_models import WgComplaint, WgComplaintEvent
from minsheng.wages.models import WgProject

BY = system("test")
TODAY = dt.date(2026, 6, 1)  # a Monday
CHENGGUAN, SAMZHUBZE, BAYI = "540102", "540202", "540402"  # Lhasa, Shigatse, Nyingchi counties


def staff(user_id: int, region: str, role: str = "caseworker") -> Principal:
    return Principal(
        kind="staff",
        name=f"u{user_id}",
        role=role,
        region=region,
        permissions=PERMISSIONS[role],
        user_id=user_id,
    )


def citizen(person_id: int) -> Principal:
    return Principal(
        kind="citizen",
        name=f"p{person_id}",
        role="citizen",
        permissions=PERMISSIONS["citizen"],
        person_id=person_id,
    )


def project(s: Session, county: str, name: str, n: int) -> WgProject:
    p = WgProject(
        code=f"XM{county}{n:04d}",
        name=name,
        division_code=county,
        contract_value=500_000_000,
        contract_signed_on=dt.date(2025, 3, 1),
        start_date=dt.date(2025, 4, 1),
        state="active",
    )
    s.add(p)
    s.flush()
    return p


def person(s: Session, seq: int, county: str = CHENGGUAN, name: str = "次仁多吉") -> int:
    p = registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(county, dt.date(1985, 4, 4), seq),
            name_zh=name,
            hukou="rural",
            phone="13908901234",
        ),
        BY,
    )
    s.flush()
    return p.id


def world(s: Session) -> dict[str, Any]:
    return {
        "lhasa": project(s, CHENGGUAN, "拉萨市城关区安居园三期", 1),
        "shigatse": project(s, SAMZHUBZE, "日喀则桑珠孜区职教中心", 2),
        "nyingchi": project(s, BAYI, "林芝巴宜区尼洋河大桥", 3),
    }


def complaint_in(project_id: int | None = None, **kw: Any) -> ComplaintIn:
    values: dict[str, Any] = {
        "facts": "2026年3月至5月的工资没有发，班组共12人。",
        "lang": "zh",
        "project_id": project_id,
        "amount_claimed": "36000",
        "workers": "12",
    }
    values.update(kw)
    return ComplaintIn(**values)


def counts(s: Session) -> tuple[int, int, int]:
    """Complaints, their events and audit entries: what bad input must leave unchanged."""
    return (
        s.scalar(select(func.count(WgComplaint.id))) or 0,
        s.scalar(select(func.count(WgComplaintEvent.id))) or 0,
        s.scalar(select(func.count(AuditEntry.id))) or 0,
    )
