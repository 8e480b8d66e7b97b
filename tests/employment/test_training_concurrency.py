"""Concurrent enrolments on PostgreSQL never exceed a course's capacity, and a person
enrolled by two desks at once is enrolled once (property test: capacity, people, clients)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import training
from minsheng.employment.training_models import EmCourse, EmEnrolment
from tests.employment.training_kit import BY, MONDAY, course, site


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite writes one at a time)")
    return engine


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(capacity=st.integers(1, 4), people=st.integers(1, 6), twice=st.booleans())
def test_concurrent_enrolments_keep_the_capacity(
    pg: Engine, capacity: int, people: int, twice: bool
) -> None:
    factory = make_sessionmaker(pg)
    with factory() as s:
        tag = s.scalar(select(func.count()).select_from(EmCourse)) or 0
        k = site(s, 50 + tag, people=people)
        c = course(s, capacity=capacity)
        s.commit()
        course_id, numbers = c.id, k.numbers
    jobs = [n for n in numbers for _ in range(2 if twice else 1)]
    start = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def one(number: str) -> None:
        start.wait()
        try:
            with unit_of_work(factory) as s:
                training.enrol(s, course_id, BY, MONDAY, id_number=number)
            outcomes.append("ok")
        except MinshengError as err:
            outcomes.append(err.rule)

    threads = [threading.Thread(target=one, args=(n,)) for n in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        rows = s.scalar(
            select(func.count()).select_from(EmEnrolment).where(EmEnrolment.course_id == course_id)
        )
        held = s.get(EmCourse, course_id)
        assert held is not None
        assert rows == held.enrolled == min(capacity, people)
        assert set(outcomes) <= {"ok", "full"}
        s.execute(delete(EmEnrolment).where(EmEnrolment.course_id == course_id))
        s.commit()
