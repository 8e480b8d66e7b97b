"""Vocational training services on SQLite and PostgreSQL: the course's life, enrolment at the
desk and by the citizen (twice is once, never past the capacity, not in another prefecture),
attendance sheets, completion at the attendance boundary, certificates, the subsidy per
completion by kind, and placement inside / outside the window."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import ConflictError, MinshengError, NotFoundError, ValidationError
from minsheng.employment import training, training_views
from minsheng.employment.training_models import EmAttendance, EmCourseEvent, EmEnrolment
from minsheng.employment.training_rules import session_days
from minsheng.foundation.audit import AuditEntry
from minsheng.foundation.principals import staff
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.employment.training_kit import (
    BY,
    FRIDAY_NEXT,
    MONDAY,
    attend,
    citizen,
    course,
    hire,
    site,
)

DAYS = session_days(MONDAY, FRIDAY_NEXT)  # 10 working days


def test_the_course_moves_forward_one_step_at_a_time(session: Session) -> None:
    c = course(session, "planned")
    with pytest.raises(ConflictError):
        training.advance(session, c.id, "running", BY, MONDAY)
    training.advance(session, c.id, "enrolling", BY, MONDAY)
    assert training.advance(session, c.id, "enrolling", BY, MONDAY).state == "enrolling"  # retry
    with pytest.raises(ConflictError):  # not before its first day
        training.advance(session, c.id, "running", BY, MONDAY - dt.timedelta(days=1))
    training.advance(session, c.id, "running", BY, MONDAY)
    with pytest.raises(ConflictError):  # not before its last day
        training.advance(session, c.id, "finished", BY, FRIDAY_NEXT - dt.timedelta(days=1))
    assert training.advance(session, c.id, "finished", BY, FRIDAY_NEXT).state == "finished"
    with pytest.raises(ValidationError):
        training.advance(session, c.id, "planned", BY, FRIDAY_NEXT)
    steps = session.execute(
        select(EmCourseEvent.action, EmCourseEvent.to_state)
        .where(EmCourseEvent.course_id == c.id)
        .order_by(EmCourseEvent.id)
    ).all()
    assert [tuple(x) for x in steps] == [
        ("create", "planned"),
        ("open_enrolment", "enrolling"),
        ("start", "running"),
        ("finish", "finished"),
    ]  # one event per step on the case engine, a retried one adds none


def test_bad_courses_are_refused_and_nothing_is_written(session: Session) -> None:
    k = site(session, 1, people=0)
    good = dict(
        name="电工",
        occupation="6",
        kind="employment",
        division_code="540102",
        starts_on=MONDAY,
        ends_on=FRIDAY_NEXT,
        hours=80,
        capacity=10,
        provider_name="学校",
    )
    cases = [
        ({"occupation": "9"}, "occupation"),
        ({"kind": "bogus"}, "kind"),
        ({"division_code": "540100"}, "division_code"),
        ({"ends_on": MONDAY - dt.timedelta(days=1)}, "ends_on"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 1001}, "capacity"),
        ({"hours": 0}, "hours"),
        ({"provider_name": "  "}, "provider_name"),
        ({"kind": "order"}, "employer_id"),
        ({"employer_id": k.employer_id}, "employer_id"),
        ({"kind": "order", "employer_id": k.employer_id, "hire_promised": 11}, "hire_promised"),
        ({"starts_on": dt.date(2026, 10, 3), "ends_on": dt.date(2026, 10, 4)}, "ends_on"),
    ]
    for change, fieldname in cases:
        with pytest.raises(MinshengError) as err:
            training.create_course(session, BY, MONDAY, **{**good, **change})  # type: ignore[arg-type]
        assert err.value.field == fieldname, change
    assert training_views.courses(session, BY) == []


def test_another_region_sees_no_course(session: Session) -> None:
    c = course(session, "enrolling")
    shigatse = staff(5, "x", "caseworker", "540200")
    lhasa = staff(6, "y", "caseworker", "540100")
    with pytest.raises(NotFoundError):
        training_views.course(session, c.id, shigatse)
    with pytest.raises(NotFoundError):
        training.enrol(session, c.id, shigatse, MONDAY, id_number="x")
    assert training_views.courses(session, shigatse) == []
    assert [x["id"] for x in training_views.courses(session, lhasa)] == [c.id]
    auditor = staff(7, "z", "auditor", "540100")
    with pytest.raises(MinshengError) as err:
        training.advance(session, c.id, "running", auditor, MONDAY)
    assert err.value.status == 403


def test_enrolment_twice_is_one_and_capacity_holds(session: Session) -> None:
    k = site(session, 2, people=3)
    c = course(session, capacity=2)
    first, created = training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[0])
    again, created_again = training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[0])
    assert created and not created_again and first.id == again.id
    training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[1])
    with pytest.raises(ConflictError) as err:
        training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[2])
    assert err.value.rule == "full"
    assert c.enrolled == 2
    n = session.scalar(
        select(func.count()).select_from(EmEnrolment).where(EmEnrolment.course_id == c.id)
    )
    assert n == 2
    with pytest.raises(ValidationError) as bad:
        training.enrol(session, c.id, BY, MONDAY, id_number="540102199503030000")
    assert bad.value.field == "id_number"
    assert k.numbers[0] not in str(
        [a.detail for a in session.scalars(select(AuditEntry))]
    )  # the ID number is never in the audit trail


def test_a_citizen_enrols_themself_near_home_only(session: Session) -> None:
    k = site(session, 3, people=1)
    lhasa = course(session, county="540103", name="拉萨电工班")
    far = course(session, county="540202", name="日喀则电工班")
    me = citizen(k.persons[0])
    assert [x["id"] for x in training_views.open_near(session, me)] == [lhasa.id]
    e, created = training.enrol(session, lhasa.id, me, MONDAY)
    assert created and e.via == "self"
    assert training.enrol(session, lhasa.id, me, MONDAY)[0].id == e.id
    with pytest.raises(NotFoundError):
        training.enrol(session, far.id, me, MONDAY)
    assert [m["course"]["id"] for m in training_views.mine(session, me)] == [lhasa.id]


def test_attendance_sheets_are_exact_and_checked(session: Session) -> None:
    k = site(session, 4, people=2)
    c = course(session, "enrolling")
    a = training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[0])[0].id
    b = training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[1])[0].id
    with pytest.raises(ConflictError):  # not running yet
        training.record_attendance(session, c.id, MONDAY, [a], BY, MONDAY)
    training.advance(session, c.id, "running", BY, MONDAY)
    training.record_attendance(session, c.id, MONDAY, [a, b], BY, MONDAY)
    training.record_attendance(session, c.id, MONDAY, [a], BY, MONDAY)  # b was not there after all
    training.record_attendance(session, c.id, MONDAY, [a], BY, MONDAY)  # the same sheet again
    rows = {r["id"]: r["present"] for r in training_views.sheet(session, c.id, MONDAY, BY)}
    assert rows == {a: True, b: False}
    assert session.scalar(select(func.count()).select_from(EmAttendance)) == 1
    saturday = dt.date(2026, 11, 7)
    for day, today in ((saturday, saturday), (DAYS[3], DAYS[2])):  # a rest day; the future
        with pytest.raises(ValidationError):
            training.record_attendance(session, c.id, day, [a], BY, today)
    other = course(session, "running", name="另一个班")
    with pytest.raises(ValidationError):
        training.record_attendance(session, other.id, MONDAY, [a], BY, MONDAY)


def test_completion_at_the_attendance_boundary_with_certificates_and_subsidy(
    session: Session,
) -> None:
    """Worked example: 10 session days at the 0.8 share — 8 days completes, 7 does not;
    the employment-skills subsidy is ¥1,500 per completion."""
    k = site(session, 5, people=3)
    c = course(session, "enrolling")
    e = [training.enrol(session, c.id, BY, MONDAY, id_number=n)[0].id for n in k.numbers]
    training.advance(session, c.id, "running", BY, MONDAY)
    attend(session, c.id, [e[0], e[1], e[2]], DAYS[:7])
    attend(session, c.id, [e[0], e[1]], DAYS[7:8])  # e[2] stays at 7
    attend(session, c.id, [e[0]], DAYS[8:])  # e[0] all 10, e[1] exactly 8
    training.advance(session, c.id, "finished", BY, FRIDAY_NEXT)
    by_id = {r["id"]: r for r in training_views.enrolments(session, c.id, BY)}
    assert [by_id[i]["state"] for i in e] == ["completed", "completed", "incomplete"]
    assert [by_id[i]["attended"] for i in e] == [10, 8, 7]
    assert by_id[e[1]]["certificate_no"] == f"PX5401022026{e[1]:06d}"
    assert by_id[e[2]]["certificate_no"] is None
    pay = training_views.subsidy_list(session, c.id, BY)
    assert pay["completions"] == 2 and pay["total"] == 2 * 150_000 and pay["payee"] == "provider"
    cert = training_views.certificate(session, e[1], citizen(k.persons[1]))
    assert cert["enrolment"]["certificate_no"] == by_id[e[1]]["certificate_no"]
    for who, enrolment in ((citizen(k.persons[0]), e[1]), (BY, e[2])):  # not theirs; none
        with pytest.raises(NotFoundError):
            training_views.certificate(session, enrolment, who)


def test_the_order_based_subsidy_and_its_promised_places(session: Session) -> None:
    k = site(session, 6, people=1)
    c = course(session, "enrolling", kind="order", employer_id=k.employer_id, hire_promised=5)
    e = training.enrol(session, c.id, BY, MONDAY, id_number=k.numbers[0])[0].id
    training.advance(session, c.id, "running", BY, MONDAY)
    attend(session, c.id, [e], DAYS)
    training.advance(session, c.id, "finished", BY, FRIDAY_NEXT)
    assert training_views.subsidy_list(session, c.id, BY)["total"] == 200_000
    assert training_views.placement(session, c.id, BY, FRIDAY_NEXT)["hire_promised"] == 5


def test_placement_inside_and_outside_the_window(session: Session) -> None:
    """Worked example: completion 2026-11-13, 6 months — a hire on 2027-05-13 is inside,
    one on 2027-05-14 is not, one before the completion is not."""
    k = site(session, 7, people=4)
    c = course(session, "enrolling")
    e = [training.enrol(session, c.id, BY, MONDAY, id_number=n)[0].id for n in k.numbers]
    training.advance(session, c.id, "running", BY, MONDAY)
    attend(session, c.id, e, DAYS)
    training.advance(session, c.id, "finished", BY, FRIDAY_NEXT)
    early = training_views.placement(session, c.id, BY, dt.date(2027, 1, 1))
    assert {ln["placement"] for ln in early["lines"]} == {"open"}  # the window runs on
    hire(session, k.employer_id, k.persons[0], dt.date(2027, 5, 13))
    hire(session, k.employer_id, k.persons[1], dt.date(2027, 5, 14))
    hire(session, k.employer_id, k.persons[2], dt.date(2026, 11, 1))
    p = training_views.placement(session, c.id, BY, dt.date(2027, 6, 1))
    assert p["until"] == "2027-05-13" and p["months"] == 6
    status = {ln["person_id"]: ln["placement"] for ln in p["lines"]}
    assert status == {
        k.persons[0]: "placed",
        k.persons[1]: "not_placed",
        k.persons[2]: "not_placed",
        k.persons[3]: "not_placed",
    }
    assert (p["placed"], p["completions"], p["rate_text"]) == (1, 4, "25%")


def test_a_child_is_not_enrolled(session: Session) -> None:
    """Under the minimum age of work (16, 劳动法 art. 15) on the day: refused, nothing stored."""
    day = MONDAY
    young = ids.make_resident_id("540102", dt.date(day.year - 16, day.month, day.day + 1), 5)
    of_age = ids.make_resident_id("540102", dt.date(day.year - 16, day.month, day.day), 7)
    for number in (young, of_age):
        registry.create_person(
            session, PersonIn(id_number=number, name_zh="少年", hukou="urban"), BY
        )
    c = course(session)
    with pytest.raises(ValidationError) as err:
        training.enrol(session, c.id, BY, day, id_number=young)
    assert (err.value.field, err.value.rule) == ("id_number", "age") and c.enrolled == 0
    assert training.enrol(session, c.id, BY, day, id_number=of_age)[1]  # 16 on the day: enrolled
