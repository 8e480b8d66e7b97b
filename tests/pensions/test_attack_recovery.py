"""Attacks on the recovery queue (issue 12, point 7): two repayments recorded at the same time
must both count (no lost update on PostgreSQL), and a refused repayment names the case's state
in words, not its internal code."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import recovery
from minsheng.pensions.models import PnRecovery
from tests.pensions.test_recovery import DAY, _owing, staff


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
