"""What the training desk and the citizen read: a course as shown, its enrolments with the
attendance so far, the day's sheet, the subsidy list for payment, the placement of its
completions within the parameter's months, the citizen's courses near them and their own
enrolments and certificates.

Placement reads the hires filed for the trainees after their completion
(:func:`minsheng.employment.hires.hired_between`, the vacancy area's) — any employer's hire
of the person inside the window counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.auth.employers import employer_of
from minsheng.core import divisions, money
from minsheng.employment import training_rules as rules
from minsheng.employment.hires import hired_between
from minsheng.employment.training import (
    attendance_counts,
    get_course,
    no_enrolment,
    params,
    visible,
)
from minsheng.employment.training_models import EmAttendance, EmCourse, EmEnrolment
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer, Person


def course_out(c: EmCourse, employer_name: str | None = None) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "occupation": c.occupation,
        "kind": c.kind,
        "provider_employer_id": c.provider_employer_id,
        "provider_name": c.provider_name,
        "division_code": c.division_code,
        "county": divisions.get(c.division_code).name_zh,
        "county_bo": divisions.get(c.division_code).name_bo,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "hours": c.hours,
        "capacity": c.capacity,
        "enrolled": c.enrolled,
        "seats_left": c.capacity - c.enrolled,
        "free": c.free,
        "employer_id": c.employer_id,
        "employer_name": employer_name,
        "hire_promised": c.hire_promised,
        "state": c.state,
        "sessions": len(rules.session_days(c.starts_on, c.ends_on)),
    }


def _employer_names(session: Session, ids_: set[int]) -> dict[int, str]:
    if not ids_:
        return {}
    rows = session.execute(select(Employer.id, Employer.name).where(Employer.id.in_(ids_)))
    return {i: n for i, n in rows}


LIST_CAP = 2000  # courses a list reads at most (an engineering bound; the page says when cut)


def courses(
    session: Session, by: Principal, state: str | None = None, limit: int = LIST_CAP
) -> list[dict[str, Any]]:
    """The courses of the caller's region, newest first (optionally in one state)."""
    q = visible(select(EmCourse), by)
    if state:
        q = q.where(EmCourse.state == state)
    found = list(
        session.scalars(q.order_by(EmCourse.starts_on.desc(), EmCourse.id.desc()).limit(limit))
    )
    names = _employer_names(session, {c.employer_id for c in found if c.employer_id})
    return [course_out(c, names.get(c.employer_id or 0)) for c in found]


def course(session: Session, course_id: int, by: Principal) -> dict[str, Any]:
    c = get_course(session, course_id, by)
    names = _employer_names(session, {c.employer_id} if c.employer_id else set())
    return course_out(c, names.get(c.employer_id or 0))


def enrolment_out(e: EmEnrolment, p: Person, attended: int) -> dict[str, Any]:
    return {
        "id": e.id,
        "person_id": p.id,
        "name": p.name_zh,
        "name_bo": p.name_bo,
        "id_masked": p.id_masked,
        "via": e.via,
        "enrolled_on": e.enrolled_on.isoformat(),
        "state": e.state,
        "attended": attended,
        "sessions": e.sessions,
        "completed_on": e.completed_on.isoformat() if e.completed_on else None,
        "certificate_no": e.certificate_no,
        "subsidy": e.subsidy,
    }


def enrolments(session: Session, course_id: int, by: Principal) -> list[dict[str, Any]]:
    """The course's trainees (masked IDs), with the days attended so far."""
    c = get_course(session, course_id, by)
    counts = attendance_counts(session, c.id)
    rows = session.execute(
        select(EmEnrolment, Person)
        .join(Person, Person.id == EmEnrolment.person_id)
        .where(EmEnrolment.course_id == c.id)
        .order_by(EmEnrolment.id)
    ).all()
    return [enrolment_out(e, p, counts.get(e.id, 0)) for e, p in rows]


def sheet(session: Session, course_id: int, day: dt.date, by: Principal) -> list[dict[str, Any]]:
    """The attendance sheet of one day: every trainee, present or not."""
    rows = enrolments(session, course_id, by)
    there = set(
        session.scalars(
            select(EmAttendance.enrolment_id).where(
                EmAttendance.enrolment_id.in_([r["id"] for r in rows]), EmAttendance.day == day
            )
        )
    )
    return [{**r, "present": r["id"] in there} for r in rows]


def subsidy_list(session: Session, course_id: int, by: Principal) -> dict[str, Any]:
    """The completions of a finished course with the subsidy of each, and the total (fen),
    for payment (to the provider of a free course, else to the trainee)."""
    c = get_course(session, course_id, by)
    done = [r for r in enrolments(session, course_id, by) if r["state"] == "completed"]
    total = money.checked_sum((r["subsidy"] for r in done), "subsidy")
    return {
        "course_id": c.id,
        "kind": c.kind,
        "payee": "provider" if c.free else "trainee",
        "provider_name": c.provider_name,
        "lines": done,
        "completions": len(done),
        "total": total,
    }


def placement(session: Session, course_id: int, by: Principal, today: dt.date) -> dict[str, Any]:
    """Who of the completions was hired within the placement months, and the rate. A window
    not yet over with no hire yet is ``open`` (counted as not placed so far)."""
    c = get_course(session, course_id, by)
    months = int(params(c.ends_on, c.division_code).placement_months)
    done = [r for r in enrolments(session, course_id, by) if r["state"] == "completed"]
    until = rules.placement_until(c.ends_on, months)
    first = hired_between(session, [r["person_id"] for r in done], c.ends_on, until)
    lines, placed = [], 0
    for r in done:
        completed = dt.date.fromisoformat(r["completed_on"])
        found = first.get(r["person_id"])
        day = rules.placed_on(completed, [found] if found else [], months)
        placed += day is not None
        status = "placed" if day else ("open" if today <= until else "not_placed")
        lines.append({**r, "placed_on": day.isoformat() if day else None, "placement": status})
    value = rules.rate(placed, len(done))
    return {
        "course_id": c.id,
        "months": months,
        "until": until.isoformat(),
        "completions": len(done),
        "placed": placed,
        "rate": None if value is None else float(value),
        "rate_text": rules.percent(value),
        "hire_promised": c.hire_promised,
        "lines": lines,
    }


# ------------------------------------------------------------------ the citizen


def _me(session: Session, by: Principal) -> Person | None:
    return session.get(Person, by.person_id) if by.kind == "citizen" and by.person_id else None


def open_near(session: Session, by: Principal, limit: int = 50) -> list[dict[str, Any]]:
    """Courses open for enrolment with seats left in the citizen's own prefecture."""
    me = _me(session, by)
    if me is None:
        return []
    chain = divisions.ancestors(me.division_code)
    if len(chain) < 2:
        return []
    counties = [d.code for d in divisions.counties(chain[1])] + [chain[1]]
    q = (
        select(EmCourse)
        .where(
            EmCourse.state == "enrolling",
            EmCourse.division_code.in_(counties),
            EmCourse.enrolled < EmCourse.capacity,
        )
        .order_by(EmCourse.starts_on, EmCourse.id)
        .limit(limit)
    )
    found = list(session.scalars(q))
    names = _employer_names(session, {c.employer_id for c in found if c.employer_id})
    return [course_out(c, names.get(c.employer_id or 0)) for c in found]


def mine(session: Session, by: Principal) -> list[dict[str, Any]]:
    """The citizen's own enrolments, newest first, with their course."""
    me = _me(session, by)
    if me is None:
        return []
    rows = session.execute(
        select(EmEnrolment, EmCourse)
        .join(EmCourse, EmCourse.id == EmEnrolment.course_id)
        .where(EmEnrolment.person_id == me.id)
        .order_by(EmEnrolment.id.desc())
    ).all()
    days = dict(
        session.execute(
            select(EmAttendance.enrolment_id, func.count())
            .where(EmAttendance.enrolment_id.in_([e.id for e, _ in rows] or [0]))
            .group_by(EmAttendance.enrolment_id)
        ).all()
    )
    return [{**enrolment_out(e, me, days.get(e.id, 0)), "course": course_out(c)} for e, c in rows]


def certificate(session: Session, enrolment_id: int, by: Principal) -> dict[str, Any]:
    """The certificate of a completion: the citizen's own, or one of a course in the staff
    caller's region; anything else (or no certificate) answers 404."""
    row = session.execute(
        select(EmEnrolment, EmCourse, Person)
        .join(EmCourse, EmCourse.id == EmEnrolment.course_id)
        .join(Person, Person.id == EmEnrolment.person_id)
        .where(EmEnrolment.id == enrolment_id)
    ).one_or_none()
    if row is None:
        raise no_enrolment(enrolment_id)
    e, c, p = row
    if by.kind == "citizen":
        if by.person_id != p.id:
            raise no_enrolment(enrolment_id)
    else:
        get_course(session, c.id, by)
    if e.certificate_no is None:
        raise no_enrolment(enrolment_id)
    return {
        "enrolment": enrolment_out(e, p, e.attended),
        "course": course_out(c),
        "county_bo": divisions.get(c.division_code).name_bo,
    }


def rates(session: Session, rows: list[dict[str, Any]], today: dt.date) -> dict[int, str]:
    """The placement rate of each finished course of ``rows`` (a desk page's), as text."""
    out: dict[int, str] = {}
    for r in rows:
        if r["state"] != "finished":
            continue
        end = dt.date.fromisoformat(r["ends_on"])
        months = int(params(end, r["division_code"]).placement_months)
        done = list(
            session.scalars(
                select(EmEnrolment.person_id).where(
                    EmEnrolment.course_id == r["id"], EmEnrolment.state == "completed"
                )
            )
        )
        placed = hired_between(session, done, end, rules.placement_until(end, months))
        out[r["id"]] = rules.percent(rules.rate(len(placed), len(done)))
    return out


def for_employer(session: Session, by: Principal) -> list[dict[str, Any]]:
    """An employer's recruiter's order-based courses (the employer they act for, inside their
    region), each with its trainees and results — whom the employer promised to hire. An
    unbound recruiter sees none."""
    employer = employer_of(session, by.user_id) if by.kind in ("staff", "token") else None
    if employer is None:
        return []
    q = select(EmCourse).where(EmCourse.kind == "order", EmCourse.employer_id == employer)
    codes = by.covered_codes()
    if codes is not None:
        q = q.where(EmCourse.division_code.in_(codes))
    found = list(session.scalars(q.order_by(EmCourse.starts_on.desc(), EmCourse.id.desc())))
    names = _employer_names(session, {employer})
    out = []
    for c in found:
        rows = session.execute(
            select(EmEnrolment, Person)
            .join(Person, Person.id == EmEnrolment.person_id)
            .where(EmEnrolment.course_id == c.id)
            .order_by(EmEnrolment.id)
        ).all()
        trainees = [enrolment_out(e, p, e.attended) for e, p in rows]
        out.append({**course_out(c, names.get(employer)), "trainees": trainees})
    return out
