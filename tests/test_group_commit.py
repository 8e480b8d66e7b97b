"""Group commit (foundation/group_commit.py, issue 17 point 2) with a toy handler that writes one
audit entry per item: requests queued while a batch runs share the next transaction; each is
answered only after its commit; one item's error is its own; a failed transaction is rerun one
item at a time; the writer thread ends when idle and comes back."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from minsheng.core.errors import MinshengError, invalid
from minsheng.db import make_sessionmaker
from minsheng.foundation import audit
from minsheng.foundation.group_commit import GroupCommit
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import system

BY = system("group-commit-test")


def _written(engine: Engine) -> list[str]:
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(AuditEntry.record_id).where(AuditEntry.action == "gc_test")).all()
    return sorted(r for r in rows if r is not None)


def _toy(gate: threading.Event | None = None, entered: threading.Event | None = None):  # type: ignore[no-untyped-def]
    """Items are strings; "bad" answers an error in its slot (its entry rolled back with its
    savepoint), "boom" raises out of the handler (the whole transaction fails)."""
    sizes: list[int] = []

    def handle(session: Session, items: Sequence[str]) -> list[str | BaseException]:
        sizes.append(len(items))
        if entered is not None:
            entered.set()
        if gate is not None:
            gate.wait(10)
        out: list[str | BaseException] = []
        for item in items:
            if item == "boom":
                raise RuntimeError("a bug in one item")
            nested = session.begin_nested()
            audit.record(session, BY, "gc_test", "toy", item, "540000")
            if item.startswith("bad"):
                nested.rollback()
                out.append(invalid("item", "bad", "坏的", "a bad item"))
            else:
                nested.commit()
                out.append(f"ok:{item}")
        return out

    return handle, sizes


def _held(
    engine: Engine,
    first: str,
    rest: Sequence[str],
    max_batch: int = 64,
    factory: sessionmaker[Session] | None = None,
    answer: Callable[[GroupCommit[str, str], str], Awaitable[object]] | None = None,
) -> tuple[list[object], list[int], GroupCommit[str, str]]:
    """``first`` submitted and held inside its batch while ``rest`` queue behind it; nobody is
    answered before the gate opens; then every answer (errors in their slots), the sizes of
    the batches the handler saw, and the writer."""
    gate, entered = threading.Event(), threading.Event()
    handle, sizes = _toy(gate, entered)
    gc: GroupCommit[str, str] = GroupCommit(
        factory or make_sessionmaker(engine), handle, "gc-test", max_batch=max_batch
    )
    send = answer or (lambda g, x: g.submit(x))

    async def day() -> list[object]:
        head = asyncio.ensure_future(send(gc, first))
        await asyncio.to_thread(entered.wait, 10)  # the writer is inside the first batch
        tail = [asyncio.ensure_future(send(gc, x)) for x in rest]
        await asyncio.sleep(0.05)
        assert not any(f.done() for f in [head, *tail])  # nobody answered before a commit
        gate.set()
        return list(await asyncio.gather(head, *tail, return_exceptions=True))

    return asyncio.run(day()), sizes, gc


def test_requests_queued_during_a_batch_share_the_next_transaction(engine: Engine) -> None:
    answers, sizes, gc = _held(engine, "a0", [f"a{i}" for i in range(1, 10)])
    assert answers == [f"ok:a{i}" for i in range(10)]  # each its own answer, in order
    assert sizes == [1, 9]  # the nine that waited went in one transaction
    assert gc.batches == 2 and gc.items == 10
    assert _written(engine) == sorted(f"a{i}" for i in range(10))


def test_an_items_error_is_its_own_and_leaves_nothing(engine: Engine) -> None:
    answers, sizes, _ = _held(engine, "b0", ["b1", "bad2", "b3"])
    assert answers[:2] == ["ok:b0", "ok:b1"] and answers[3] == "ok:b3"
    assert isinstance(answers[2], MinshengError) and answers[2].field == "item"
    assert sizes == [1, 3]
    assert _written(engine) == ["b0", "b1", "b3"]  # the bad one's entry went with its savepoint


def test_a_failed_transaction_is_rerun_one_item_at_a_time(engine: Engine) -> None:
    answers, sizes, _ = _held(engine, "c0", ["c1", "boom", "c3"])
    assert answers[0] == "ok:c0" and answers[1] == "ok:c1" and answers[3] == "ok:c3"
    assert isinstance(answers[2], RuntimeError)  # the bug answers its own request only
    assert sizes == [1, 3, 1, 1, 1]  # the failed batch of three, then each alone
    assert _written(engine) == ["c0", "c1", "c3"]


def test_a_commit_that_fails_answers_no_success(engine: Engine) -> None:
    """The answer comes after the commit: when a batch's commit fails, nobody hears "done"
    from that transaction; rerun alone, each item commits and only then is answered."""
    factory = make_sessionmaker(engine)
    failures = {"left": 1}

    @event.listens_for(factory, "before_commit")
    def fail_once(session: Session) -> None:
        if failures["left"] and audit.pending(session) > 1:
            failures["left"] -= 1
            raise RuntimeError("the disk is full")

    async def answered_after_commit(gc: GroupCommit[str, str], x: str) -> object:
        got = await gc.submit(x)
        assert x in _written(engine)  # committed before this request was answered
        return got

    answers, sizes, _ = _held(
        engine, "d0", ["d1", "d2", "d3"], factory=factory, answer=answered_after_commit
    )
    assert answers == [f"ok:d{i}" for i in range(4)]
    assert failures["left"] == 0 and sizes == [1, 3, 1, 1, 1]
    assert _written(engine) == [f"d{i}" for i in range(4)]


def test_the_writer_ends_when_idle_and_comes_back(engine: Engine) -> None:
    handle, _ = _toy()
    name = f"gc-idle-{uuid.uuid4().hex}"  # this test's writer alone
    gc = GroupCommit(make_sessionmaker(engine), handle, name, idle_seconds=0.05)

    def writers() -> int:
        return sum(t.name == name for t in threading.enumerate())

    def gone() -> bool:
        for _ in range(500):
            if writers() == 0:
                return True
            threading.Event().wait(0.01)
        return False

    assert writers() == 0  # nothing submitted: no thread
    assert asyncio.run(gc.submit("e0")) == "ok:e0"
    assert gone()
    assert asyncio.run(gc.submit("e1")) == "ok:e1"  # started again
    assert _written(engine) == ["e0", "e1"]
    assert gone()


def test_a_batch_bound_below_one_is_refused(engine: Engine) -> None:
    handle, _ = _toy()
    with pytest.raises(ValueError):
        GroupCommit(make_sessionmaker(engine), handle, "x", max_batch=0)


@pytest.mark.parametrize("text", ["0", "1001", "-3", "many", ""])
def test_the_bound_of_a_group_commit_is_checked_when_read(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from minsheng.config import ConfigError, Settings

    monkeypatch.setenv("MINSHENG_GROUP_COMMIT_MAX", text)
    with pytest.raises(ConfigError, match="MINSHENG_GROUP_COMMIT_MAX"):
        Settings.from_env()


def test_a_bound_of_one_is_a_transaction_per_request(engine: Engine) -> None:
    answers, sizes, gc = _held(engine, "f0", ["f1", "f2", "f3"], max_batch=1)
    assert answers == [f"ok:f{i}" for i in range(4)]
    assert sizes == [1, 1, 1, 1] and gc.batches == 4
