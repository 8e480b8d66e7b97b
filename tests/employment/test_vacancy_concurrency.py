"""Concurrent hire filings against one vacancy, on both databases: the places filled never go
above the places offered (nor below zero), exactly ``count`` filings succeed and the rest are
refused as a conflict, and the last place closes the vacancy. PostgreSQL locks the vacancy's
row; SQLite's unit of work serialises writers."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

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


def test_a_hire_filed_twice_at_once_is_stored_once(engine: Engine, monkeypatch: Any) -> None:
    """Two desks file the same hire (employer, person, day) at the same moment: both pass the
    read that looks for it, and the unique index lets one in — the other is refused as a
    duplicate, and the vacancy lost one place, not two."""
    factory = make_sessionmaker(engine)
    with factory() as s:
        from tests.employment.vacancy_kit import employer as make_employer

        employer = make_employer(s)
        v = vacancies.create_vacancy(s, vacancy_in(employer_id=employer, count=5), BY, TODAY)
        vacancies.publish(s, v.id, BY, TODAY)
        number = person(s, next(_SEQ) % 999 + 1, "540103")[1]
        s.commit()
        vid = v.id
    desks = 3
    after_check = threading.Barrier(desks, timeout=2)
    real = hires.HIRE

    class Held:  # every desk waits here, past the duplicate check, before it writes
        initial = real.initial

        def begin(self, *a: Any, **k: Any) -> Any:
            with contextlib.suppress(threading.BrokenBarrierError):  # SQLite: writers queue
                after_check.wait()
            return real.begin(*a, **k)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(hires, "HIRE", Held())
    outcomes: list[str] = []
    lock = threading.Lock()

    def file() -> None:
        try:
            with unit_of_work(factory) as s:
                hires.record_hire(s, employer, number, vid, None, TODAY, BY, TODAY)
            result = "ok"
        except ConflictError as e:
            result = e.problems[0].rule
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=file) for _ in range(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        rows = s.scalar(select(func.count()).where(EmHire.vacancy_id == vid))
        filled = s.scalar(select(EmVacancy.filled).where(EmVacancy.id == vid))
    assert (rows, filled) == (1, 1)
    assert sorted(outcomes) == ["duplicate"] * (desks - 1) + ["ok"]
