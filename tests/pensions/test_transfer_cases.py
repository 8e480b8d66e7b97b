"""Stored transfers (issue 12 point 8): the whole life of the Chongqing → Lhasa worked example
with its amounts and 15-working-day deadlines; a step out of order refused in words; each side
takes only its own steps; a third region sees 404; a retried open gives the same case; the
receipt credits once; the history from the stored contributions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from minsheng.cases import engine as cases
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.models import AuditEntry
from minsheng.pensions import transfer_cases as tc
from minsheng.pensions.models import PnAccount, PnTransfer, PnTransferEvent
from tests.pensions.transfer_kit import (
    LHASA,
    NYINGCHI,
    SHIGATSE,
    TODAY,
    balance,
    chongqing,
    employee_history,
    person,
)

D = dt.date


def _account(engine: Engine, pid: int, scheme: str = "employee_pension") -> int | None:
    with make_sessionmaker(engine)() as s:
        return s.scalar(
            select(PnAccount.balance).where(PnAccount.person_id == pid, PnAccount.scheme == scheme)
        )


def test_the_worked_example_from_chongqing_to_lhasa_lives_its_whole_life(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 1)
        t = tc.open_transfer(s, pid, chongqing(), "key-chongqing-1", LHASA, today=TODAY)
        tid = t.id
        assert (t.account, t.pooled, t.account + t.pooled) == (9_876_543, 15_264_000, 25_140_543)
        assert t.claim_place == "500000" and t.state == "applied" and not t.temporary_account
        assert t.confirm_by == D(2026, 3, 23)  # 15 working days after 2026-03-02
    assert _account(engine, pid) is None
    with unit_of_work(make_sessionmaker(engine)) as s:
        # Chongqing is outside the region: Lhasa records its steps from the national platform
        t = tc.take_step(s, tid, "confirm", LHASA, day=D(2026, 3, 20), today=TODAY)
        assert t.send_by == D(2026, 4, 13)
        t = tc.take_step(s, tid, "send", LHASA, day=D(2026, 4, 10), today=TODAY)
        assert t.receive_by == D(2026, 5, 6) == cases.due(D(2026, 4, 10), 15)
        t = tc.take_step(s, tid, "receive", LHASA, day=D(2026, 4, 20), today=TODAY)
        assert (t.state, t.credited, t.open_key) == ("done", 9_876_543, None)
    assert _account(engine, pid) == 9_876_543
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(PnTransferEvent).where(PnTransferEvent.transfer_id == tid)).all()
        assert [(e.action, e.to_state) for e in rows] == [
            ("open", "applied"),
            ("confirm", "confirmed"),
            ("send", "sent"),
            ("receive", "done"),
        ]
        assert rows[-1].amount == 9_876_543
        audits = s.scalars(
            select(AuditEntry.action).where(AuditEntry.resource == "pn_transfer")
        ).all()
        assert sorted(audits) == ["confirm", "open", "receive", "send"]


def test_a_step_out_of_order_is_refused_in_words_and_changes_nothing(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        tid = tc.open_transfer(
            s, person(s, 2), chongqing(), "key-order-0001", LHASA, today=TODAY
        ).id
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "receive", LHASA, today=TODAY)
    assert (e.value.field, e.value.rule, e.value.status) == ("action", "wrong_state", 409)
    assert "applied" in str(e.value.en) and "receive" in str(e.value.en)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "confirm", LHASA, day=D(2026, 3, 1), today=TODAY)  # before applying
    assert (e.value.field, e.value.rule) == ("day", "order")
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "refuse", LHASA, today=TODAY)  # no reason
    assert (e.value.field, e.value.rule) == ("reason", "required")
    with make_sessionmaker(engine)() as s:
        t = s.get(PnTransfer, tid)
        assert t is not None and t.state == "applied" and t.confirmed_on is None


def test_each_side_takes_its_own_steps_and_a_third_region_sees_nothing(engine: Engine) -> None:
    """Shigatse → Lhasa inside the region, the history from the stored contributions."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 3)  # lives in Lhasa now, paid in Shigatse
        employee_history(s, pid, "540202", 24, 600_000)
        balance(s, pid, "employee_pension", 345_600)
        req = {**chongqing(), "from": "540202", "to": "540102", "hukou": "540102"}
        del req["account_balance"]
        t = tc.open_transfer(s, pid, req, "key-sides-0001", LHASA, today=TODAY)
        tid = t.id
        # 12 % × 24 months × 6 000.00 held at Shigatse; the account from pn_accounts
        assert (t.account, t.pooled) == (345_600, 24 * 600_000 * 12 // 100)
        assert tc.stored_history(s, pid) == [
            {"place": "540202", "from": "2016-01", "to": "2017-12", "monthly_wage": "6000.00"}
        ]
    for who, action in ((LHASA, "confirm"), (NYINGCHI, "confirm")):
        with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
            tc.take_step(s, tid, action, who, today=TODAY)
        expected = ("other_side", 403) if who is LHASA else ("not_found", 404)
        assert (e.value.rule, e.value.status) == expected
    with unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "confirm", SHIGATSE, today=TODAY)
        tc.take_step(s, tid, "send", SHIGATSE, today=TODAY)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "receive", SHIGATSE, today=TODAY)
    assert e.value.rule == "other_side"
    with unit_of_work(make_sessionmaker(engine)) as s:
        t = tc.take_step(s, tid, "receive", LHASA, today=TODAY)
        assert t.credited == 345_600  # one account row: it stays whole
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        tc.take_step(s, tid, "receive", LHASA, today=TODAY)  # crediting twice
    assert e.value.rule == "wrong_state"
    assert _account(engine, pid) == 345_600
    with pytest.raises(MinshengError) as e, make_sessionmaker(engine)() as s:
        tc.load(s, tid, NYINGCHI)
    assert e.value.status == 404


def test_a_retried_open_gives_the_same_case_and_one_open_transfer_a_person(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid, other = person(s, 4), person(s, 5)
        first = tc.open_transfer(s, pid, chongqing(), "key-retry-0001", LHASA, today=TODAY).id
    with unit_of_work(make_sessionmaker(engine)) as s:
        again = tc.open_transfer(s, pid, chongqing(), "key-retry-0001", LHASA, today=TODAY)
        assert again.id == first
    for who, key, rule in (
        (pid, "key-retry-0002", "open_transfer"),
        (other, "key-retry-0001", "key_reused"),
    ):
        with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
            tc.open_transfer(s, who, chongqing(), key, LHASA, today=TODAY)
        assert e.value.rule == rule
    with make_sessionmaker(engine)() as s:
        assert len(s.scalars(select(PnTransfer.id)).all()) == 1


def test_the_queue_shows_both_sides_overdue_first_and_not_a_third_region(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        late = tc.open_transfer(s, person(s, 6), chongqing(), "key-queue-0001", LHASA, today=TODAY)
        fresh = {**chongqing(), "applied": "2026-05-29"}
        new = tc.open_transfer(s, person(s, 7), fresh, "key-queue-0002", LHASA, today=TODAY)
        ids = (late.id, new.id)
    with make_sessionmaker(engine)() as s:
        q, count = tc.queue_query(LHASA, "", TODAY)
        rows = s.scalars(q).all()
        assert [t.id for t in rows] == [ids[0], ids[1]] and s.scalar(count) == 2
        assert tc.out(rows[0], TODAY)["overdue"] and not tc.out(rows[1], TODAY)["overdue"]
        q, _ = tc.queue_query(NYINGCHI, "", TODAY)
        assert s.scalars(q).all() == []
        q, _ = tc.queue_query(LHASA, "done", TODAY)
        assert s.scalars(q).all() == []


def test_two_receipts_at_once_credit_once(engine: Engine) -> None:
    """The transfer row is locked for a step: of two receipts racing, one credits, the other is
    refused by the state it finds (fails without ``with_for_update`` on PostgreSQL)."""
    import threading

    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, 8)
        tid = tc.open_transfer(s, pid, chongqing(), "key-race-00001", LHASA, today=TODAY).id
        tc.take_step(s, tid, "confirm", LHASA, today=TODAY)
        tc.take_step(s, tid, "send", LHASA, today=TODAY)
    gate, outcomes = threading.Barrier(2), []

    def receive() -> None:
        gate.wait()
        try:
            with unit_of_work(make_sessionmaker(engine)) as s:
                tc.take_step(s, tid, "receive", LHASA, today=TODAY)
            outcomes.append("ok")
        except MinshengError as err:
            outcomes.append(err.rule)

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["ok", "wrong_state"]
    assert _account(engine, pid) == 9_876_543
