"""The route matrix's samples for employment's training routes (see tests/route_kit.py).

Lhasa courses, all in 城关区 and named with the marker: one planned (moved on by the state
sample), one enrolling (desk and self enrolment, P1 twice is once), one running since a few days
(the attendance sheet of its first session day), and one finished where P1 completed (the
certificate samples). The outside citizen (Shigatse) sees none of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.auth.models import EmployerUser, User
from minsheng.employment import training
from minsheng.employment.training_rules import session_days
from tests.route_kit import BY, INSIDE, P1_ID, Samples, World

MARKER = "拉萨测试培训班"
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/training/orders"),
    ("GET", "/employment/training/orders"),
    ("GET", "/api/employment/training/courses"),
    ("GET", "/api/me/training"),
    ("GET", "/employment/training"),
    ("GET", "/me/training"),
}
REGION_FREE: set[tuple[str, str]] = set()


def _bind(s: Session, username: str, employer_id: int) -> None:
    """The matrix's recruiter acts for the Lhasa employer (the vacancy samples bind it too)."""
    user = s.scalar(select(User.id).where(User.username == username))
    if user is not None and employers.employer_of(s, user) is None:
        s.add(EmployerUser(user_id=user, employer_id=employer_id))
        s.flush()


def _course(s: Session, n: int, starts_on: dt.date, ends_on: dt.date, **kw: Any) -> int:
    return training.create_course(
        s,
        BY,
        starts_on,
        name=f"{MARKER}{n}",
        occupation="6",
        kind=kw.pop("kind", "employment"),
        division_code="540102",
        starts_on=starts_on,
        ends_on=ends_on,
        hours=40,
        capacity=50,
        provider_name="拉萨测试培训学校",
        **kw,
    ).id


def populate(s: Session, w: World) -> None:
    today = dt.date.today()
    planned = _course(s, 1, today + dt.timedelta(days=30), today + dt.timedelta(days=44))
    enrolling = _course(s, 2, today + dt.timedelta(days=30), today + dt.timedelta(days=44))
    training.advance(s, enrolling, "enrolling", BY, today)
    start = today - dt.timedelta(days=14)  # a working day in it even around a holiday
    running = _course(s, 3, start, today + dt.timedelta(days=20))
    training.advance(s, running, "enrolling", BY, start)
    training.enrol(s, running, BY, start, id_number=P1_ID)
    training.advance(s, running, "running", BY, start)
    first = next(d for d in session_days(start, today + dt.timedelta(days=20)) if d <= today)
    done_end = today - dt.timedelta(days=30)
    done_start = done_end - dt.timedelta(days=14)
    done = _course(s, 4, done_start, done_end)
    training.advance(s, done, "enrolling", BY, done_start)
    e, _ = training.enrol(s, done, BY, done_start, id_number=P1_ID)
    training.advance(s, done, "running", BY, done_start)
    for d in session_days(done_start, done_end):
        training.record_attendance(s, done, d, [e.id], BY, d)
    training.advance(s, done, "finished", BY, done_end)
    _bind(s, f"employer.{INSIDE}", w.ids["employer"])
    soon = today + dt.timedelta(days=30)
    order = _course(
        s, 5, soon, soon + dt.timedelta(days=14), kind="order", employer_id=w.ids["employer"]
    )
    training.advance(s, order, "enrolling", BY, today)
    training.enrol(s, order, BY, today, id_number=P1_ID)
    w.ids.update(
        tr_planned=planned,
        tr_enrolling=enrolling,
        tr_running=running,
        tr_running_day=first.toordinal(),
        tr_finished=done,
        tr_certificate=e.id,
    )


def samples(w: World) -> Samples:
    planned = {"course_id": w.ids["tr_planned"]}
    enrolling = {"course_id": w.ids["tr_enrolling"]}
    running = {"course_id": w.ids["tr_running"]}
    finished = {"course_id": w.ids["tr_finished"]}
    cert = {"enrolment_id": w.ids["tr_certificate"]}
    day = dt.date.fromordinal(w.ids["tr_running_day"]).isoformat()
    soon = dt.date.today() + dt.timedelta(days=60)
    new = {
        "name": "拉萨测试新培训班",
        "occupation": "6",
        "kind": "employment",
        "division_code": "540102",
        "starts_on": soon.isoformat(),
        "ends_on": (soon + dt.timedelta(days=14)).isoformat(),
        "hours": 40,
        "capacity": 20,
        "provider_name": "拉萨测试培训学校",
    }
    return {
        ("GET", "/api/employment/training/courses"): {"marker": MARKER},
        ("POST", "/api/employment/training/courses"): {"json": new},
        ("GET", "/api/employment/training/courses/{course_id}"): {"path": finished},
        ("POST", "/api/employment/training/courses/{course_id}/state"): {
            "path": planned,
            "json": {"to": "enrolling"},
        },
        ("POST", "/api/employment/training/courses/{course_id}/enrolments"): {
            "path": enrolling,
            "json": {"id_number": P1_ID},
        },
        ("POST", "/api/employment/training/courses/{course_id}/attendance"): {
            "path": running,
            "json": {"day": day, "present": []},
        },
        ("GET", "/api/employment/training/courses/{course_id}/subsidy"): {"path": finished},
        ("GET", "/api/employment/training/courses/{course_id}/placement"): {"path": finished},
        ("GET", "/api/me/training"): {"marker": MARKER},
        ("GET", "/api/employment/training/orders"): {"marker": MARKER},
        ("GET", "/employment/training/orders"): {"marker": MARKER},
        ("POST", "/api/me/training/courses/{course_id}/enrol"): {"path": enrolling},
        # pages
        ("GET", "/employment/training"): {"marker": MARKER},
        ("POST", "/employment/training"): {"data": {**new, "hours": "40", "capacity": "20"}},
        ("GET", "/employment/training/certificates/{enrolment_id}"): {"path": cert},
        ("GET", "/employment/training/{course_id}"): {"path": finished},
        ("POST", "/employment/training/{course_id}"): {
            "path": enrolling,
            "data": {"action": "enrol", "id_number": P1_ID},
        },
        ("GET", "/employment/training/{course_id}/attendance"): {"path": running},
        ("POST", "/employment/training/{course_id}/attendance"): {
            "path": running,
            "data": {"day": day},
        },
        ("GET", "/me/training"): {"marker": MARKER},
        ("POST", "/me/training/{course_id}/enrol"): {"path": enrolling},
        ("GET", "/me/training/certificates/{enrolment_id}"): {"path": cert},
    }
