"""Enrolment in basic medical insurance (参保): one scheme at a time — 职工医保 (working or
retired) or 城乡居民医保 — from a start date (not before birth) to an optional last day, in the
pooling region (统筹区) of the person's county."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.core import divisions
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import vocab
from minsheng.registry.checks import check_period, close_period, load_period, overlaps
from minsheng.registry.models import Employer, Enrolment
from minsheng.registry.schemas import EnrolmentIn
from minsheng.registry.service import load_person


def add_enrolment(session: Session, person_id: int, data: EnrolmentIn, by: Principal) -> Enrolment:
    person = load_person(session, person_id, by)
    if data.scheme not in vocab.SCHEMES:
        raise invalid(
            "scheme",
            "scheme_unknown",
            f"参保类别无效：{data.scheme}（职工在职 employee_active、职工退休 employee_retired、"
            "城乡居民 resident）",
            f"unknown scheme {data.scheme!r} (employee_active, employee_retired, resident)",
        )
    check_period(data.start_date, data.end_date)
    if data.start_date < person.birth_date:
        raise invalid(
            "start_date", "before_birth", "参保开始日期早于出生日期", "starts before birth"
        )
    if data.employer_id is not None and session.get(Employer, data.employer_id) is None:
        raise NotFoundError(
            "employer_id", f"单位{data.employer_id}不存在", f"no employer {data.employer_id}"
        )
    for e in person.enrolments:
        if overlaps(e.start_date, e.end_date, data.start_date, data.end_date):
            raise ConflictError(
                "start_date",
                "enrolment_overlap",
                f"与已有参保期间（{e.start_date}起）重叠：同一时间只能参加一种基本医保",
                f"overlaps the enrolment from {e.start_date}: one basic scheme at a time",
            )
    enrolment = Enrolment(
        person_id=person.id,
        scheme=data.scheme,
        start_date=data.start_date,
        end_date=data.end_date,
        employer_id=data.employer_id,
        pooling_region=divisions.pooling_region(person.division_code),
    )
    session.add(enrolment)
    session.flush()
    session.refresh(person)
    audit.record(
        session,
        by,
        "create",
        "enrolment",
        enrolment.id,
        person.division_code,
        {"person_id": person.id, "scheme": enrolment.scheme},
    )
    return enrolment


def end_enrolment(session: Session, enrolment_id: int, end: dt.date, by: Principal) -> Enrolment:
    """Close an enrolment period (the last day it applies)."""
    record, person = load_period(session, Enrolment, enrolment_id, by, "enrolment", "参保记录")
    check_period(record.start_date, end)
    return close_period(session, record, person, end, by, "enrolment")
