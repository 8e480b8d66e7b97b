"""Group commit (issue 17): concurrent requests share one transaction.

A request hands its work item to :meth:`GroupCommit.submit` and awaits the answer. One writer
thread takes the items queued at that moment (up to ``max_batch``), runs the programme's
``handle(session, items)`` over all of them in one unit of work (one ``BEGIN``, one commit, the
audit entries appended together), and only **after the commit** answers each request — with its
result, or with the error that item alone met (``handle`` answers an exception in that item's
slot and leaves nothing of it behind). A failure of the transaction itself (a bug in one item, a
deadlock with another process, a lost connection) does not spoil the others: the batch is then
run again one item per unit of work, so each request gets its own answer.

What is kept:

- *answered only after its commit*: the futures are set after ``unit_of_work`` has committed; a
  process killed before that answers nobody and has committed nothing of the batch (one
  transaction), so a client's retry with its idempotency key settles once;
- *order*: items are handled in arrival order, so one person's requests keep theirs;
- *no idle thread*: the writer stops after ``IDLE_SECONDS`` without work and is started again by
  the next item (an app that never settles holds no thread).

One writer per process (and per app): with ``serve --workers N`` each worker has its own, and the
database's locks (SQLite's writer lock, PostgreSQL's row locks) order them as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog
from sqlalchemy.orm import Session, sessionmaker

from minsheng.db import unit_of_work

I = TypeVar("I")  # noqa: E741  (an item)
R = TypeVar("R")  # its result

IDLE_SECONDS = 5.0  # the writer thread ends after this long without work
MAX_BATCH = 64  # items in one transaction at most: an engineering bound on a batch's latency

log = structlog.get_logger(__name__)
Handler = Callable[[Session, Sequence[I]], Sequence["R | BaseException"]]


@dataclass
class _Waiting(Generic[I, R]):
    item: I
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]


def _answer(w: _Waiting[I, R], outcome: R | BaseException) -> None:
    def settle() -> None:
        if w.future.done():  # the request was cancelled (the client left): nothing to tell
            return
        if isinstance(outcome, BaseException):
            w.future.set_exception(outcome)
        else:
            w.future.set_result(outcome)

    with contextlib.suppress(RuntimeError):  # the request's loop closed: nobody waits
        w.loop.call_soon_threadsafe(settle)


class GroupCommit(Generic[I, R]):
    """A queue of work items and the one writer thread that commits them in batches."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        handle: Handler[I, R],
        name: str,
        max_batch: int = MAX_BATCH,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch is at least 1")
        self._factory = factory
        self._handle = handle
        self._name = name
        self.max_batch = max_batch
        self._idle = idle_seconds
        self._queue: queue.SimpleQueue[_Waiting[I, R]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.batches = 0  # committed transactions (for tests and benchmarks)
        self.items = 0

    async def submit(self, item: I) -> R:
        """The item's result once its batch has committed (or its error, raised)."""
        loop = asyncio.get_running_loop()
        waiting: _Waiting[I, R] = _Waiting(item, loop, loop.create_future())
        with self._lock:  # put and start under one lock: a stopping writer cannot miss it
            self._queue.put(waiting)
            if not self._running:
                self._running = True
                threading.Thread(target=self._write, name=self._name, daemon=True).start()
        return await waiting.future

    def _write(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._idle)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._running = False
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._run(batch)

    def _run(self, batch: list[_Waiting[I, R]]) -> None:
        try:
            with unit_of_work(self._factory) as session:
                outcomes = list(self._handle(session, [w.item for w in batch]))
                if len(outcomes) != len(batch):
                    raise RuntimeError(f"{self._name}: {len(outcomes)} answers for {len(batch)}")
        except BaseException as exc:
            if len(batch) == 1:
                _answer(batch[0], exc)
                return
            log.warning("group_commit_batch_failed", writer=self._name, items=len(batch))
            for w in batch:  # each alone: one item's failure is its own
                self._run([w])
            return
        self.batches += 1
        self.items += len(batch)
        for w, outcome in zip(batch, outcomes, strict=True):
            _answer(w, outcome)


__all__ = ["IDLE_SECONDS", "MAX_BATCH", "GroupCommit"]
