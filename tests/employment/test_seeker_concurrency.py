"""Two registrations of one person at the same moment, each in its own transaction, on
PostgreSQL: one record, both callers get it, one status row, one audit entry of registration."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import seeker_filing
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.foundation.models import AuditEntry
from tests.employment.seeker_kit import BY, TODAY, caseworker, stored_person


def test_concurrent_registration_yields_one_record(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    _, number = stored_person(engine, "540102")
    factory = make_sessionmaker(engine)
    barrier = threading.Barrier(4)
    got: list[int] = []
    errors: list[BaseException] = []

    def register(by: object) -> None:
        try:
            with unit_of_work(factory) as s:
                barrier.wait(timeout=10)
                got.append(seeker_filing.register_by_id(s, number, by, TODAY).id)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=register, args=(who,))
        for who in (BY, caseworker("540100", 1), caseworker("540102", 2), BY)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(got) == 4 and len(set(got)) == 1
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(EmSeeker)) == 1
        assert s.scalar(select(func.count()).select_from(EmSeekerStatus)) == 1
        registered = (
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.resource == "em_seeker", AuditEntry.action == "register")
        )
        assert s.scalar(registered) == 1
