"""Attacks on the recovery queue (issue 12, point 7): two repayments recorded at the same time
must both count (no lost update on PostgreSQL), and a refused repayment names the case's state
in words, not its internal code."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import death, recovery
from minsheng.pensions.models import PnDeathSettlement, PnRecovery
from tests.pensions.award_kit import claim, resident
from tests.pensions.test_recovery import DAY, _owing, staff
from tests.pensions.test_roll import roll


def test_two_repayments_at_once_both_count(engine: Engine, tmp_path: Path) -> None:
    rid, owed = _owing(engine, tmp_path)
    assert owed > 20_000
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(make_sessionmaker(engine)) as s:
                recovery.repay(s, rid, "100.00", staff(2), today=DAY)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    with unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, "100.00", staff(1), today=DAY)
        s.flush()
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.8)  # the other request reads the case while this one is uncommitted
    other.join(20)
    assert not errors, errors
    with make_sessionmaker(engine)() as s:
        rec = s.get(PnRecovery, rid)
        assert rec is not None
        assert rec.recovered - (rec.owed - owed) == 20_000  # both repayments, none lost


def test_a_refused_repayment_names_the_state_in_words(engine: Engine, tmp_path: Path) -> None:
    rid, _ = _owing(engine, tmp_path)
    with unit_of_work(make_sessionmaker(engine)) as s:
        recovery.propose_write_off(s, rid, "继承人无力偿还", staff(1), today=DAY)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, "1.00", staff(2), today=DAY)
    text = str(e.value.to_dict() if hasattr(e.value, "to_dict") else e.value.__dict__)
    assert "write_off_proposed" not in text
    assert "核销待审批" in text and "write-off proposed" in text


def test_the_same_death_settled_twice_at_once_is_settled_once(
    engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = claim(s, resident(s, 7, balance=13_900)).person_id
    roll(engine, "2025-09", tmp_path)
    died = dt.date(2025, 7, 20)
    results: list[Any] = []
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(make_sessionmaker(engine)) as s:
                results.append(death.settle_death(s, pid, died, staff(2), today=DAY).to_dict())
        except BaseException as err:  # reported below
            errors.append(err)

    with unit_of_work(make_sessionmaker(engine)) as s:
        first = death.settle_death(s, pid, died, staff(1), today=DAY).to_dict()
        s.flush()
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.8)  # the other request settles while this one is uncommitted
    other.join(20)
    assert not errors, errors
    assert results == [first]
    with make_sessionmaker(engine)() as s:
        assert len(s.scalars(select(PnDeathSettlement)).all()) == 1
        assert len(s.scalars(select(PnRecovery)).all()) == 1


def test_another_regions_recovery_case_answers_as_missing_through_every_door(
    engine: Engine, tmp_path: Path
) -> None:
    from tests.conftest import make_app, staff_client

    rid, _ = _owing(engine, tmp_path)
    app = make_app(engine)
    far: Any = staff_client(app, engine, "supervisor", "540200", "sup.shigatse")
    missing = rid + 1000

    def same(path: str, body: dict[str, Any] | None = None) -> None:
        call = far.get if body is None else far.post
        kw = {} if body is None else {"json": body}
        theirs, none = call(path.format(rid), **kw), call(path.format(missing), **kw)
        assert theirs.status_code == none.status_code == 404, (path, theirs.status_code)
        assert theirs.text.replace(str(rid), "N") == none.text.replace(str(missing), "N")

    same("/api/pensions/recoveries/{}")
    same("/api/pensions/recoveries/{}/notify", {})
    same("/api/pensions/recoveries/{}/repay", {"amount": "1.00"})
    same("/api/pensions/recoveries/{}/write-off", {"reason": "x"})
    same("/api/pensions/recoveries/{}/write-off/decision", {"approve": True})
    assert far.get("/api/pensions/recoveries").json() == {"cases": []}
    with make_sessionmaker(engine)() as s:
        rec = s.get(PnRecovery, rid)
        assert rec is not None and rec.state == "opened"


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "9999-12-31", "2025-02-29"])
def test_a_death_on_an_impossible_day_is_refused_in_words(
    engine: Engine, tmp_path: Path, day: str
) -> None:
    from tests.conftest import make_app, staff_client

    with unit_of_work(make_sessionmaker(engine)) as s:
        with_award = claim(s, resident(s, 8, balance=13_900)).person_id
        without = resident(s, 9, balance=13_900)
    app = make_app(engine)
    cw: Any = staff_client(app, engine, "caseworker", "540100")
    for pid in (with_award, without):
        r = cw.post(f"/api/pensions/persons/{pid}/death", json={"died_on": day})
        assert r.status_code == 422, (pid, r.status_code, r.text[:300])
    with make_sessionmaker(engine)() as s:
        assert s.scalars(select(PnDeathSettlement)).all() == []


def test_a_step_refused_by_the_cases_state_is_said_in_words(engine: Engine, tmp_path: Path) -> None:
    rid, _ = _owing(engine, tmp_path)
    with unit_of_work(make_sessionmaker(engine)) as s:
        recovery.notify(s, rid, staff(1), today=DAY)
    for act in (
        lambda s: recovery.notify(s, rid, staff(1), today=DAY),
        lambda s: recovery.decide_write_off(s, rid, True, staff(2, "supervisor"), today=DAY),
    ):
        with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
            act(s)
        said = f"{e.value.zh} {e.value.en}"
        for code in ("notified", "write_off_proposed", "notify", "write_off"):
            assert f"'{code}'" not in said and f"“{code}”" not in said, said


def test_a_retried_repayment_with_its_key_counts_once(engine: Engine, tmp_path: Path) -> None:
    rid, owed = _owing(engine, tmp_path)
    for _ in range(2):  # the cashier's form sent twice (a timeout, a double click)
        with unit_of_work(make_sessionmaker(engine)) as s:
            recovery.repay(s, rid, "100.00", staff(1), today=DAY, key="heir-receipt-0001")
    with make_sessionmaker(engine)() as s:
        rec = s.get(PnRecovery, rid)
        assert rec is not None
        assert rec.recovered - (rec.owed - owed) == 10_000  # once, not twice
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, "50.00", staff(1), today=DAY, key="heir-receipt-0001")
    assert (e.value.field, e.value.rule) == ("idempotency_key", "key_reused")
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, "1.00", staff(1), today=DAY, key="bad key\n")
    assert e.value.field == "idempotency_key"
