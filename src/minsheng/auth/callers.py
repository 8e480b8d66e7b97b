"""Who a credential belongs to, remembered for a few seconds in each worker process, and how a
change made in any process reaches every other one.

Most requests carry a token or a session cookie seen moments before; resolving it again costs a
thread hop and three queries. So each app (each worker process) keeps a :class:`Callers`: the
principal behind a credential's SHA-256 for :data:`CALLER_TTL` seconds, tagged with the
*generation* — the count in ``auth_generation`` of the changes that end a credential or change
what its caller may do — that was read, in the same transaction, just before the credential.

- Every such change (a token revoked, a session closed, an account disabled, a role granted)
  calls :func:`forget_all` in its transaction: the count moves by one, committed with the
  change, from whichever process (a worker, the command line).
- A process serves a remembered caller only while its entry's generation is the newest it knows
  and it read the count less than :data:`CHECK_EVERY` seconds ago; past that, the next request
  with a credential resolves from the database (reading the count first), and a moved count
  drops every entry. So another worker refuses a revoked credential at most ``CHECK_EVERY``
  after the revocation commits, at the cost of one resolve a second per process.
- The process that made the change learns the new count when its transaction commits (the
  sessionmaker's ``after_commit``) and refuses at once.

No request waits on the count: ``remembered`` reads two numbers and a dict.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from minsheng.auth.credentials import insert_for
from minsheng.auth.models import AuthGeneration
from minsheng.foundation.principals import Principal

CALLER_TTL = 10.0  # seconds a resolved caller is remembered
CHECK_EVERY = 1.0  # seconds a process may go without reading the generation (the bound)
MAX_CALLERS = 50_000  # remembered callers per process; past that, all are forgotten
_PENDING = "minsheng.auth.generation"  # session.info: the generation this transaction made


def _key(kind: str, raw: str) -> str:
    return f"{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def generation(session: Session) -> int:
    """The count of credential changes, as committed (0 before the first)."""
    found = session.scalar(select(AuthGeneration.generation).where(AuthGeneration.id == 1))
    return int(found or 0)


def forget_all(session: Session) -> None:
    """A credential ended or a caller changed in this transaction: move the count (every worker
    process forgets its remembered callers within :data:`CHECK_EVERY` of the commit, this one at
    the commit). One statement; the row is locked to the end of the transaction."""
    stmt = (
        insert_for(session)(AuthGeneration)
        .values(id=1, generation=1)
        .on_conflict_do_update(
            index_elements=["id"], set_={"generation": AuthGeneration.generation + 1}
        )
        .returning(AuthGeneration.generation)
    )
    session.info[_PENDING] = int(session.execute(stmt).scalar_one())


class Callers:
    """One process's memory of resolved callers (``app.state.callers``). ``clock`` is
    injectable (tests move it instead of sleeping)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[float, int, Principal]] = {}
        self._generation = -1
        self._checked_until = -math.inf  # the first request with a credential reads the count
        self._lock = threading.Lock()

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Learn the generation this process's own changes commit (sessions of ``factory``)."""
        event.listen(factory, "after_commit", self._committed)
        event.listen(factory, "after_rollback", self._rolled_back)

    def _committed(self, session: Session) -> None:
        made = session.info.pop(_PENDING, None)
        if made is not None:  # forget at once; the next read of the count stays due as it was
            self.observe(made, -math.inf)

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(_PENDING, None)

    def remembered(self, kind: str, raw: str, ip: str | None) -> Principal | None:
        """The caller behind this credential, if remembered and still current; else None (the
        caller resolves it from the database)."""
        t = self.clock()
        if t >= self._checked_until:
            return None  # the count is due a read: this request resolves from the database
        hit = self._entries.get(_key(kind, raw))
        if hit is None or hit[0] < t or hit[1] != self._generation:
            return None
        return replace(hit[2], ip=ip)

    def observe(self, generation: int, read_at: float) -> None:
        """The count as read from the database by a read that started at ``read_at`` (or as
        this process's own commit made it): a newer one drops every remembered caller. An older
        one (a slower concurrent read) changes nothing."""
        with self._lock:
            if generation < self._generation:
                return
            if generation > self._generation:
                self._entries.clear()
                self._generation = generation
            self._checked_until = max(self._checked_until, read_at + CHECK_EVERY)

    def remember(self, kind: str, raw: str, principal: Principal, generation: int) -> None:
        """Remember ``principal``, resolved in a transaction that read ``generation`` first."""
        with self._lock:
            if len(self._entries) > MAX_CALLERS:
                self._entries.clear()
            self._entries[_key(kind, raw)] = (self.clock() + CALLER_TTL, generation, principal)

    def forget(self) -> None:
        """Drop every remembered caller (tests)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["CALLER_TTL", "CHECK_EVERY", "Callers", "forget_all", "generation"]
