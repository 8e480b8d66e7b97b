"""At the booth and after the fair: interviews and intentions, live counts, the report.

A recruiter records, for a visitor checked in at the fair (found by the ID number or the QR
pass), what came of meeting them at its booth: ``interviewed``, ``intends`` (intends to hire)
or ``unsuitable``. One record per fair, employer and visitor: a later one replaces the outcome.
Only an employer holding a booth at the fair records, and only while the fair runs (or on its
days).

:func:`live` counts what the organiser watches during the fair — visitors checked in,
employers present (holding a booth), interviews, intentions. :func:`report` adds, after it,
the posts shown and the hires filed later (``em_hires``) by the fair's employers of its visitors
within ``employment.fair.report_hire_days`` after the last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, invalid
from minsheng.employment.fair_booths import employer_for, vacancy_ids
from minsheng.employment.fair_checkin import checked_in, visitor
from minsheng.employment.fair_models import (
    OUTCOMES,
    EmFair,
    EmFairApplication,
    EmFairCheckin,
    EmFairInterview,
)
from minsheng.employment.fair_schemas import CheckinIn, InterviewIn
from minsheng.employment.fairs import get_fair, param, phase
from minsheng.employment.vacancy_models import EmHire
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal


def booth_of(session: Session, fair_id: int, employer_id: int) -> EmFairApplication | None:
    """The employer's application at the fair if it holds a booth."""
    return session.scalar(
        select(EmFairApplication).where(
            EmFairApplication.fair_id == fair_id,
            EmFairApplication.employer_id == employer_id,
            EmFairApplication.booth_id.is_not(None),
        )
    )


def record_interview(
    session: Session, fair_id: int, data: InterviewIn, by: Principal, moment: dt.datetime
) -> tuple[EmFairInterview, bool]:
    """Record (or replace) what came of a visitor at the recruiter's booth: (row, whether it
    is new). Audited."""
    fair = get_fair(session, fair_id, by)
    employer_id = employer_for(session, by)
    app = booth_of(session, fair.id, employer_id)
    if app is None:
        raise ConflictError(
            "fair_id",
            "no_booth",
            "本单位在该招聘会没有展位",
            "your employer has no booth at this fair",
            "འགྲེམས་ཁང་མེད།",
        )
    if data.outcome not in OUTCOMES:
        raise invalid(
            "outcome",
            "outcome",
            "结果应为已面试、有意向录用或不合适",
            "the outcome is interviewed, intends or unsuitable",
            "འབྲས་བུ་ནོར་འདུག",
        )
    if data.vacancy_id is not None and data.vacancy_id not in vacancy_ids(app):
        raise invalid(
            "vacancy_id",
            "not_at_booth",
            "该岗位不在本单位的参会岗位中",
            "the vacancy is not among those your employer brought",
            "ལས་གནས་འདི་མེད།",
        )
    if phase(fair, moment) not in ("running", "closed"):
        raise ConflictError(
            "fair_id",
            "not_running",
            "只能在招聘会举办期间记录面试",
            "interviews are recorded on the fair's days",
            "འཚོང་འདུས་ཀྱི་ཉིན་མོར་འབྲི་དགོས།",
        )
    person, _, _ = visitor(
        session, fair, CheckinIn(id_number=data.id_number, token=data.token), moment
    )
    if checked_in(session, fair.id, person.id) is None:
        raise invalid(
            "id_number",
            "not_checked_in",
            "该求职者未在本场招聘会签到",
            "this visitor has not checked in at the fair",
            "མི་འདི་ཐོ་མ་བཀོད།",
        )
    row = session.scalar(
        select(EmFairInterview).where(
            EmFairInterview.fair_id == fair.id,
            EmFairInterview.employer_id == employer_id,
            EmFairInterview.person_id == person.id,
        )
    )
    created = row is None
    if row is None:
        row = EmFairInterview(fair_id=fair.id, employer_id=employer_id, person_id=person.id)
        session.add(row)
    row.outcome = data.outcome
    row.vacancy_id = data.vacancy_id
    row.note = data.note
    row.by = by.actor[:64]
    row.at = moment
    session.flush()
    audit.record(
        session,
        by,
        "interview",
        "em_fair_interview",
        row.id,
        fair.division_code,
        {"fair_id": fair.id, "person_id": person.id, "outcome": data.outcome},
    )
    return row, created


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def live(session: Session, fair: EmFair) -> dict[str, int]:
    """Visitors checked in, employers present, interviews and intentions so far."""
    interviews = select(func.count()).where(EmFairInterview.fair_id == fair.id)
    return {
        "visitors": _count(session, select(func.count()).where(EmFairCheckin.fair_id == fair.id)),
        "employers": _count(
            session,
            select(func.count()).where(
                EmFairApplication.fair_id == fair.id, EmFairApplication.booth_id.is_not(None)
            ),
        ),
        "interviews": _count(session, interviews),
        "intentions": _count(session, interviews.where(EmFairInterview.outcome == "intends")),
    }


def hire_days(fair: EmFair) -> int:
    return int(param("report_hire_days", fair.ends_on, fair.division_code))


def report(session: Session, fair_id: int, by: Principal) -> dict[str, Any]:
    """The fair's figures (see the module); hires count once the fair has started."""
    fair = get_fair(session, fair_id, by)
    figures: dict[str, Any] = dict(live(session, fair))
    apps = session.scalars(
        select(EmFairApplication).where(
            EmFairApplication.fair_id == fair.id, EmFairApplication.booth_id.is_not(None)
        )
    ).all()
    figures["posts"] = sum(len(vacancy_ids(a)) for a in apps)
    days = hire_days(fair)
    until = fair.ends_on + dt.timedelta(days=days)
    employer_ids = [a.employer_id for a in apps]
    visitors = select(EmFairCheckin.person_id).where(EmFairCheckin.fair_id == fair.id)
    figures["hires"] = (
        _count(
            session,
            select(func.count(func.distinct(EmHire.person_id))).where(
                EmHire.employer_id.in_(employer_ids),
                EmHire.person_id.in_(visitors),
                EmHire.hired_on >= fair.starts_on,
                EmHire.hired_on <= until,
            ),
        )
        if employer_ids
        else 0
    )
    figures["hire_days"] = days
    figures["hires_until"] = until.isoformat()
    return figures


def interviews_of(session: Session, fair_id: int, employer_id: int) -> list[EmFairInterview]:
    return list(
        session.scalars(
            select(EmFairInterview)
            .where(EmFairInterview.fair_id == fair_id, EmFairInterview.employer_id == employer_id)
            .order_by(EmFairInterview.at.desc(), EmFairInterview.id.desc())
        ).all()
    )


def interview_out(row: EmFairInterview) -> dict[str, Any]:
    return {
        "id": row.id,
        "fair_id": row.fair_id,
        "employer_id": row.employer_id,
        "person_id": row.person_id,
        "vacancy_id": row.vacancy_id,
        "outcome": row.outcome,
        "note": row.note,
    }


__all__ = [
    "booth_of",
    "hire_days",
    "interview_out",
    "interviews_of",
    "live",
    "record_interview",
    "report",
]
