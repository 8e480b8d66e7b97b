"""Concurrent hire filings against one vacancy, on both databases: the places filled never go
above the places offered (nor below zero), exactly ``count`` filings succeed and the rest are
refused as a conflict, and the last place closes the vacancy. PostgreSQL locks the vacancy's
row; SQLite's unit of work serialises writers."""

from __future__ import annotations

import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from minsheng.core.errors import ConflictError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import hires, vacancies
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.registry.models import Employer
from tests.employment.vacancy_kit import BY, TODAY, person, vacancy_in

_SEQ = iter(range(1, 10**6))


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(1, 4), extra=st.integers(0, 3))
def test_concurrent_filings_fill_exactly_the_places(engine: Engine, count: int, extra: int) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        employer = s.scalar(select(Employer.id).limit(1))
        if employer is None:
            from tests.employment.vacancy_kit import employer as make_employer

            employer = make_employer(s)
        v = vacancies.create_vacancy(s, vacancy_in(employer_id=employer, count=count), BY, TODAY)
        vacancies.publish(s, v.id, BY, TODAY)
        numbers = [person(s, next(_SEQ) % 999 + 1, "540103")[1] for _ in range(count + extra)]
        s.commit()
        vid = v.id
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(numbers))

    def file(number: str) -> None:
        start.wait()
        try:
            with unit_of_work(factory) as s:
                hires.record_hire(s, employer, number, vid, None, TODAY, BY, TODAY)
            result = "ok"
        except ConflictError:
            result = "full"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=file, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        v = s.get(EmVacancy, vid)
        assert v is not None
        filed = s.scalar(select(func.count()).where(EmHire.vacancy_id == vid))
        assert (v.filled, filed, v.state) == (count, count, "closed")
    assert sorted(outcomes) == ["full"] * extra + ["ok"] * count
