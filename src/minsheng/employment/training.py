"""Vocational training (职业培训): courses created by caseworkers, enrolment at the desk (by ID
number through the registry) or by the citizen themself, attendance per session day, and the
finish — completion at the attendance share with a certificate and the subsidy per completion.

Who does what: a caseworker (``employment:write``) creates a course, moves it on (planned →
enrolling → running → finished), enrols people and keeps the attendance sheet; the region's
staff read (``employment:read``). A course outside the caller's region answers exactly as a
missing one (404). A citizen (``self:jobs``) enrols themself on a course open for enrolment
in their own prefecture (:mod:`minsheng.employment.training_views` has their lists).

Capacity is never exceeded: an enrolment locks the course row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite writes one at a time) and the database checks ``enrolled <= capacity``;
enrolling a person twice answers the first enrolment. Every write appends its audit entry in
the same transaction. The ID number is neither stored here nor logged nor put in an error.
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, false, select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import divisions
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.employment import occupations
from minsheng.employment import training_people as people
from minsheng.employment import training_rules as rules
from minsheng.employment.training_models import (
    COURSE_KINDS,
    COURSE_STATES,
    MAX_CAPACITY,
    MAX_HOURS,
    EmAttendance,
    EmCourse,
    EmCourseEvent,
    EmEnrolment,
)
from minsheng.employment.training_workflow import ACTION_TO, COURSE
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.models import Employer, Person

NEXT = dict(itertools.pairwise(COURSE_STATES))  # planned → enrolling → … (the pages' next step)


@lru_cache(maxsize=256)
def params(day: dt.date, division: str) -> Any:
    """The training figures in force on ``day`` in ``division``."""
    return load().at(day, division).employment.training


def _need(by: Principal, permission: str) -> None:
    if by.kind == "system" or by.can(permission):
        return
    raise ForbiddenError(
        "permission",
        "forbidden",
        f"您的角色没有此权限（{permission}）",
        f"your role lacks the permission ({permission})",
        "ཁྱེད་ལ་དབང་ཚད་མེད།",
    )


def no_course(course_id: int) -> NotFoundError:
    return NotFoundError(
        "course_id",
        f"培训班{course_id}不存在",
        f"course {course_id} does not exist",
        "སྦྱོང་བརྡར་འཛིན་གྲྭ་མེད།",
    )


def no_enrolment(enrolment_id: int) -> NotFoundError:
    return NotFoundError(
        "enrolment_id",
        f"培训报名{enrolment_id}不存在",
        f"enrolment {enrolment_id} does not exist",
        "མིང་ཐོ་མེད།",
    )


def visible(query: Any, by: Principal) -> Any:
    """Restrict ``query`` (over :class:`EmCourse`) to the courses ``by``'s region holds."""
    if by.kind == "system":
        return query
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(false())
    codes = by.covered_codes()
    return query if codes is None else query.where(EmCourse.division_code.in_(codes))


def get_course(
    session: Session, course_id: int, by: Principal, for_update: bool = False
) -> EmCourse:
    """The course, if the caller's region holds it; otherwise 404 as for a missing one."""
    q = visible(select(EmCourse).where(EmCourse.id == course_id), by)
    if for_update:
        q = q.with_for_update()
    course: EmCourse | None = session.scalar(q)
    if course is None:
        raise no_course(course_id)
    return course


def _text(value: str | None, field: str, limit: int, zh: str, en: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > limit:
        raise invalid(field, "text", zh, en, "ཡི་གེ་ནོར་འདུག")
    return cleaned


def _int(value: int, field: str, lo: int, hi: int, zh: str, en: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise invalid(field, "range", zh, en, "གྲངས་ཀ་ནོར་འདུག")
    return value


def _employer(session: Session, employer_id: int | None, field: str) -> Employer | None:
    if employer_id is None:
        return None
    found = session.get(Employer, employer_id)
    if found is None:
        raise invalid(
            field,
            "not_registered",
            "用人单位不在单位库中",
            "no registered employer has this id",
            "ལས་བེད་སྤྱོད་ཚོང་ཁང་ཐོ་འགོད་མེད།",
        )
    return found


def create_course(
    session: Session,
    by: Principal,
    today: dt.date,
    *,
    name: str,
    occupation: str,
    kind: str,
    division_code: str,
    starts_on: dt.date,
    ends_on: dt.date,
    hours: int,
    capacity: int,
    free: bool = True,
    provider_employer_id: int | None = None,
    provider_name: str | None = None,
    employer_id: int | None = None,
    hire_promised: int = 0,
) -> EmCourse:
    """Create a course (planned). Validated whole before anything is written."""
    _need(by, "employment:write")
    name = _text(name, "name", 100, "请填写培训班名称（100字以内）", "name the course (100 chars)")
    occupations.get(occupation)
    if kind not in COURSE_KINDS:
        raise invalid(
            "kind",
            "choice",
            "培训类别应为就业技能、岗位技能提升或订单式",
            "kind is employment, upgrade or order",
            "སྦྱོང་བརྡར་གྱི་རིགས་ནོར་འདུག",
        )
    county = divisions.get(division_code)
    if county.level != "county":
        raise invalid(
            "division_code", "county", "请选择县（区）", "choose a county", "རྫོང་འདེམས་རོགས།"
        )
    by.require_covers(county.code, "course")
    if ends_on < starts_on or (ends_on - starts_on).days > rules.MAX_SESSION_DAYS:
        raise invalid(
            "ends_on",
            "period",
            f"结束日期须不早于开始日期，且培训期不超过{rules.MAX_SESSION_DAYS}天",
            f"the course ends on or after its start, within {rules.MAX_SESSION_DAYS} days",
            "མཇུག་སྡོམ་ཚེས་གྲངས་ནོར་འདུག",
        )
    if not rules.session_days(starts_on, ends_on):
        raise invalid(
            "ends_on",
            "no_sessions",
            "培训期内没有工作日（节假日不计培训日）",
            "the course has no working day to hold a session on",
            "ལས་ཀའི་ཉིན་མེད།",
        )
    hours = _int(hours, "hours", 1, MAX_HOURS, "课时须在1至2000之间", "hours are 1 to 2000")
    capacity = _int(
        capacity, "capacity", 1, MAX_CAPACITY, "名额须在1至1000之间", "capacity is 1 to 1000"
    )
    provider = _employer(session, provider_employer_id, "provider_employer_id")
    label = provider.name if provider else provider_name
    label = _text(
        label,
        "provider_name",
        200,
        "请填写培训机构名称或选择单位",
        "name the training institution or choose an employer",
    )
    if kind == "order":
        if _employer(session, employer_id, "employer_id") is None:
            raise invalid(
                "employer_id",
                "required",
                "订单式培训须指定用人单位",
                "an order-based course names the employer it trains for",
                "ལས་བེད་སྤྱོད་ཚོང་ཁང་འདེམས་རོགས།",
            )
        hire_promised = _int(
            hire_promised,
            "hire_promised",
            0,
            capacity,
            "承诺录用人数须在0至名额之间",
            "the places promised are 0 to the capacity",
        )
    elif employer_id is not None or hire_promised:
        raise invalid(
            "employer_id",
            "order_only",
            "只有订单式培训才指定用人单位和承诺录用人数",
            "only an order-based course names an employer and promised places",
            "ལས་བེད་སྤྱོད་ཚོང་ཁང་མི་དགོས།",
        )
    course = EmCourse(
        name=name,
        occupation=occupation,
        kind=kind,
        provider_employer_id=provider.id if provider else None,
        provider_name=label,
        division_code=county.code,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        capacity=capacity,
        enrolled=0,
        free=bool(free),
        employer_id=employer_id if kind == "order" else None,
        hire_promised=hire_promised if kind == "order" else 0,
        state="planned",
        created_by=by.actor,
    )
    session.add(course)
    session.flush()
    engine.write_event(
        session,
        EmCourseEvent,
        engine.Event("create", None, "planned", engine.accountable(by), today),
        by,
        resource="em_course",
        record_id=course.id,
        division=county.code,
        audit_action="create",
        detail={"kind": kind},
        course_id=course.id,
    )
    return course


def advance(session: Session, course_id: int, to: str, by: Principal, today: dt.date) -> EmCourse:
    """Move the course one step on the case engine (:data:`training_workflow.COURSE`). Running
    starts no earlier than its first day; the finish comes on or after its last day and decides
    every enrolment (:func:`finish`). Asking for the state the course is already in answers it
    as it stands (a retried request)."""
    _need(by, "employment:write")
    course = get_course(session, course_id, by, for_update=True)
    if to == course.state:
        return course
    action = ACTION_TO.get(to)
    if action is None:
        raise invalid(
            "to",
            "choice",
            "目标状态应为报名中、开班中或已结业",
            "to is enrolling, running or finished",
            "གནས་སྟངས་ནོར་འདུག",
        )

    def work(step: Any) -> None:
        if to == "running" and today < course.starts_on:
            raise ConflictError(
                "to",
                "too_early",
                f"培训班{course.starts_on}开班，不能提前开始",
                f"the course starts on {course.starts_on}",
                "སློབ་ཁྲིད་འགོ་འཛུགས་ཚེས་གྲངས་མ་སླེབས།",
            )
        if to == "finished":
            if today < course.ends_on:
                raise ConflictError(
                    "to",
                    "too_early",
                    f"培训班{course.ends_on}结束，不能提前结业",
                    f"the course ends on {course.ends_on}",
                    "མཇུག་སྡོམ་ཚེས་གྲངས་མ་སླེབས།",
                )
            finish(session, course, by, today)
        course.state = to

    event = COURSE.run(course, action, by, work, day=today)
    session.flush()
    engine.write_event(
        session,
        EmCourseEvent,
        event,
        by,
        resource="em_course",
        record_id=course.id,
        division=course.division_code,
        course_id=course.id,
    )
    return course


def finish(session: Session, course: EmCourse, by: Principal, today: dt.date) -> None:
    """Decide every enrolment at the finish: attended days against the session days, at the
    share in force on the last day; a completion gets its certificate and the subsidy of the
    course's kind."""
    p = params(course.ends_on, course.division_code)
    days = rules.session_days(course.starts_on, course.ends_on)
    counts = attendance_counts(session, course.id)
    subsidy = int(getattr(p.subsidy, course.kind))
    for e in session.scalars(select(EmEnrolment).where(EmEnrolment.course_id == course.id)):
        e.attended, e.sessions = counts.get(e.id, 0), len(days)
        if rules.completes(e.attended, e.sessions, p.completion_attendance_share):
            e.state, e.completed_on, e.subsidy = "completed", course.ends_on, subsidy
            e.certificate_no = rules.certificate_no(course.division_code, course.ends_on.year, e.id)
        else:
            e.state, e.completed_on, e.subsidy, e.certificate_no = "incomplete", None, 0, None
    course.finished_on = today


def attendance_counts(session: Session, course_id: int) -> dict[int, int]:
    """Days present per enrolment of the course (only days inside the course count)."""
    rows = session.execute(
        select(EmAttendance.enrolment_id, EmAttendance.day)
        .join(EmEnrolment, EmEnrolment.id == EmAttendance.enrolment_id)
        .where(EmEnrolment.course_id == course_id)
    ).all()
    out: dict[int, int] = {}
    for enrolment_id, _day in rows:
        out[enrolment_id] = out.get(enrolment_id, 0) + 1
    return out


def enrol(
    session: Session,
    course_id: int,
    by: Principal,
    today: dt.date,
    id_number: str | None = None,
) -> tuple[EmEnrolment, bool]:
    """Enrol a person: at the desk by ID number (``employment:write``), or the citizen
    themself (``self:jobs``) on a course in their prefecture. Answers ``(enrolment, created)``:
    enrolling twice is one enrolment. Refused once the course is full or not enrolling."""
    if by.kind == "citizen":
        _need(by, "self:jobs")
        person = session.get(Person, by.person_id) if by.person_id else None
        course = session.scalar(select(EmCourse).where(EmCourse.id == course_id).with_for_update())
        if person is None or course is None or not people.near(person, course):
            raise no_course(course_id)
        via = "self"
    else:
        _need(by, "employment:write")
        course = get_course(session, course_id, by, for_update=True)
        person = people.by_number(session, id_number or "")
        via = "desk"
    found = session.scalar(
        select(EmEnrolment).where(
            EmEnrolment.course_id == course.id, EmEnrolment.person_id == person.id
        )
    )
    if found is not None:
        return found, False
    people.check_age(person, today, "id_number" if via == "desk" else "person")
    if course.state != "enrolling":
        raise ConflictError(
            "course_id",
            "not_enrolling",
            "该培训班不在报名阶段",
            "the course is not open for enrolment",
            "མིང་འགོད་དུས་ཚོད་མིན།",
        )
    if course.enrolled >= course.capacity:
        raise ConflictError(
            "course_id",
            "full",
            "该培训班名额已满",
            "the course is full",
            "མིང་གྲངས་ཁ་ཚང་ཟིན།",
        )
    course.enrolled += 1
    e = EmEnrolment(
        course_id=course.id, person_id=person.id, via=via, enrolled_on=today, by=by.actor
    )
    session.add(e)
    session.flush()
    audit.record(
        session, by, "enrol", "em_enrolment", e.id, course.division_code, {"course": course.id}
    )
    return e, True


def record_attendance(
    session: Session,
    course_id: int,
    day: dt.date,
    present: list[int],
    by: Principal,
    today: dt.date,
) -> int:
    """The attendance sheet of one session day: exactly ``present`` (enrolment ids of the
    course) were there. Sending the same sheet again changes nothing. Answers how many."""
    _need(by, "employment:write")
    course = get_course(session, course_id, by, for_update=True)
    if course.state != "running":
        raise ConflictError(
            "day",
            "not_running",
            "只有开班中的培训班才能记考勤",
            "attendance is kept while the course runs",
            "སློབ་ཁྲིད་བྱེད་བཞིན་མེད།",
        )
    if day > today or day not in rules.session_days(course.starts_on, course.ends_on):
        raise invalid(
            "day",
            "session_day",
            "考勤日期须是本培训班已到的培训日（工作日）",
            "the day is a session day of the course, not in the future",
            "སློབ་ཁྲིད་ཉིན་མིན།",
        )
    wanted = set(present)
    ours = set(session.scalars(select(EmEnrolment.id).where(EmEnrolment.course_id == course.id)))
    if not wanted <= ours:
        raise invalid(
            "present",
            "other_course",
            "考勤名单中有不属于本培训班的学员",
            "someone on the sheet is not enrolled on this course",
            "སློབ་མ་འདི་འཛིན་གྲྭ་འདིའི་མིན།",
        )
    had = set(
        session.scalars(
            select(EmAttendance.enrolment_id).where(
                EmAttendance.enrolment_id.in_(ours), EmAttendance.day == day
            )
        )
    )
    if had - wanted:
        session.execute(
            delete(EmAttendance).where(
                EmAttendance.enrolment_id.in_(had - wanted), EmAttendance.day == day
            )
        )
    for enrolment_id in sorted(wanted - had):
        session.add(EmAttendance(enrolment_id=enrolment_id, day=day, by=by.actor))
    session.flush()
    audit.record(
        session,
        by,
        "attendance",
        "em_course",
        course.id,
        course.division_code,
        {"day": day.isoformat(), "present": len(wanted)},
    )
    return len(wanted)
