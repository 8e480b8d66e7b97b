"""The tamper-evident audit log: every write and every staff read of a person's record.

Each entry's hash is an HMAC-SHA256, under a key held outside the database (the environment
or the key file, like the data keys: ``Keys.audit_mac_key``), of its own fields and the hash of
the entry before, so editing, deleting or reordering any entry breaks the chain at that point
(``verify``), and someone who can write the database but does not hold the key cannot re-hash
the rest of the chain to hide it. Someone who holds the key too (the server itself) could; the
head is therefore anchored outside the database (``anchor``, ``minsheng audit anchor``) and a
rewrite of anything before the last anchor is caught against it (``verify(anchor=...)``).
Entries written before migration 0007 were unkeyed; the migration keys them (``key_legacy``)
after checking their unkeyed chain is intact, so from then on an unkeyed entry can only have
been written by someone without the key: ``verify`` reports it as tampering, and there is no
command that keys a chain after the fact (it would launder a forgery). Appends are
serialised through the single ``audit_head`` row, which the appending transaction updates at its
commit (a row lock on PostgreSQL, the write lock on SQLite), so two requests never chain to the
same predecessor. No route updates or deletes entries; the log has no API but reading.

Entries never hold an ID or phone number: records are named by their database id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from minsheng.foundation.models import AuditEntry, AuditHead
from minsheng.foundation.principals import Principal

GENESIS = "0" * 64
FIELDS = ("id", "at", "actor", "role", "action", "resource", "record_id", "region", "ip", "detail")
ALG = "hmac-sha256"  # entries since migration 0007
LEGACY = "sha256"  # unkeyed entries written before it


def _canonical(prev_hash: str, fields: dict[str, Any]) -> bytes:
    return json.dumps(
        [prev_hash, *[fields[k] for k in FIELDS]], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _key() -> bytes:
    from minsheng.foundation import crypto

    return crypto.keys().audit_mac_key()


def entry_hash(prev_hash: str, fields: dict[str, Any], key: bytes | None = None) -> str:
    """The keyed hash of an entry (HMAC-SHA256 under the audit key)."""
    return hmac.new(key or _key(), _canonical(prev_hash, fields), hashlib.sha256).hexdigest()


def legacy_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The unkeyed hash entries had before migration 0007 (read only to re-key them)."""
    return hashlib.sha256(_canonical(prev_hash, fields)).hexdigest()


# The statements of an append, built once (Core: no ORM bookkeeping on the hot path).
_BUMP = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=AuditHead.seq + bindparam("n"))
    .returning(AuditHead.seq, AuditHead.last_hash)
)
_SET_HEAD = update(AuditHead).where(AuditHead.id == 1).values(last_hash=bindparam("digest"))
_APPEND = insert(AuditEntry)
_PENDING = "minsheng.audit.pending"  # session.info: (savepoint or None, fields) to append


def record(
    session: Session,
    by: Principal,
    action: str,
    resource: str,
    record_id: int | str | None = None,
    region: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Log an entry in the caller's transaction: it is appended at the commit, with the work,
    or dropped with it (a savepoint rolled back drops the entries recorded inside it).

    The caller's pending writes are flushed now (so a failing write fails here, as before).
    The chain's head is taken only at the commit, after every other row of the transaction has
    been written (one order of locks for every writer), and all the entries of a transaction go
    in one insert: the head row is locked for a few statements instead of the whole request."""
    session.flush()
    session.connection()  # the transaction has begun: its rollback drops the entry
    fields: dict[str, Any] = {
        "actor": by.actor,
        "role": by.role,
        "action": action,
        "resource": resource,
        "record_id": None if record_id is None else str(record_id),
        "region": region,
        "ip": by.ip,
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
    }
    pending: list[tuple[Any, dict[str, Any]]] = session.info.setdefault(_PENDING, [])
    pending.append((session.get_nested_transaction(), fields))


def pending(session: Session) -> int:
    """How many entries this session's transaction will append at its commit."""
    return len(session.info.get(_PENDING, ()))


def _append(session: Session, entries: list[dict[str, Any]]) -> None:
    """Append ``entries`` to the chain: one head update, one insert, one head update."""
    conn = session.connection()
    n = len(entries)
    head = conn.execute(_BUMP, {"n": n}).one_or_none()
    if head is None:  # first entry ever
        conn.execute(insert(AuditHead).values(id=1, seq=n, last_hash=GENESIS))
        seq, prev = n, GENESIS
    else:
        seq, prev = head
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    key = _key()
    rows = []
    for i, fields in enumerate(entries):
        full = {"id": seq - n + 1 + i, "at": at, **fields}
        digest = entry_hash(prev, full, key)
        rows.append({**full, "prev_hash": prev, "hash": digest, "alg": ALG})
        prev = digest
    conn.execute(_APPEND, rows)
    conn.execute(_SET_HEAD, {"digest": prev})


# The last hook before a commit: any other ``before_commit`` hook that writes registers with
# ``insert=True`` so that it runs first and the head stays the last lock every writer takes
# (tests/auth/test_audit.py holds every hook to it).
@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's commit: its entries wait for the root
        return
    entries = session.info.pop(_PENDING, None)
    if entries:
        session.flush()
        _append(session, [fields for _, fields in entries])


_LOG_TABLES = frozenset({"audit_log", "audit_head"})


@event.listens_for(Session, "do_orm_execute")
def _read_own_writes(state: ORMExecuteState) -> None:
    """A transaction that reads the log sees its own entries: those still pending are appended
    first (the head taken then, as before this was deferred). Inside a savepoint they wait —
    written there, a rollback of the savepoint would take entries recorded before it."""
    session = state.session
    if not session.info.get(_PENDING) or not state.is_select:
        return
    if not any(
        getattr(t, "name", None) in _LOG_TABLES
        for t in find_tables(cast(ClauseElement, state.statement), include_aliases=True)
    ):
        return
    if session.in_nested_transaction():
        return
    entries = session.info.pop(_PENDING)
    session.flush()
    _append(session, [fields for _, fields in entries])


def _within(tx: Any, ended: Any) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: Any) -> None:
    entries = session.info.get(_PENDING)
    if not entries:
        return
    if previous_transaction.nested:
        entries[:] = [(tx, f) for tx, f in entries if not _within(tx, previous_transaction)]
    else:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_unwritten(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the root ended: written at its commit, or never
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    last_hash: str
    problem: str | None = None
    at_entry: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at a moment, kept outside the database."""

    count: int
    hash: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "hash": self.hash, "at": self.at, "alg": ALG}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Anchor:
        return cls(int(data["count"]), str(data["hash"]), str(data["at"]))


def verify(session: Session, anchor: Anchor | None = None) -> Verdict:
    """Walk the chain; report the first entry that was edited, deleted or moved, a cut-off
    tail, unkeyed entries, and — given the last anchor — a history that no longer holds the
    anchored head or is shorter than it."""
    key = _key()
    prev, expected_id, count = GENESIS, 1, 0
    at_anchor: str | None = None
    for e in _entries(session):
        fields = {k: getattr(e, k) for k in FIELDS}
        if e.id != expected_id:
            return Verdict(
                False, count, prev, f"entry {expected_id} is missing (deleted)", expected_id
            )
        if e.prev_hash != prev:
            return Verdict(
                False,
                count,
                prev,
                f"entry {e.id} does not follow entry {e.id - 1} (moved or deleted)",
                e.id,
            )
        if e.alg != ALG:  # since migration 0007 every entry is keyed: this one was forged
            return Verdict(
                False,
                count,
                prev,
                f"entry {e.id} is not keyed: written or rewritten without the audit key",
                e.id,
            )
        digest = entry_hash(prev, fields, key)
        if not hmac.compare_digest(digest, e.hash):
            return Verdict(
                False, count, prev, f"entry {e.id} was changed after it was written", e.id
            )
        if anchor is not None and e.id == anchor.count:
            at_anchor = e.hash
        prev, expected_id, count = e.hash, e.id + 1, count + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != count or head.last_hash != prev):
        return Verdict(
            False,
            count,
            prev,
            f"the log ends at entry {count} but {head.seq} were written",
            count + 1,
        )
    if anchor is not None:
        if count < anchor.count:
            return Verdict(
                False,
                count,
                prev,
                f"the log is shorter than the anchor of {anchor.at}: {count} entries, "
                f"the anchor saw {anchor.count} (entries were cut)",
                count + 1,
            )
        if at_anchor != anchor.hash:
            return Verdict(
                False,
                count,
                prev,
                f"entry {anchor.count} does not hold the hash the anchor of {anchor.at} saw: "
                "the history before the anchor was rewritten",
                anchor.count,
            )
    return Verdict(True, count, prev)


def head_anchor(session: Session) -> Anchor:
    """The current head, to be written outside the database (``minsheng audit anchor``)."""
    head = session.get(AuditHead, 1)
    return Anchor(
        count=head.seq if head else 0,
        hash=head.last_hash if head else GENESIS,
        at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def key_legacy(rows: list[dict[str, Any]], key: bytes) -> list[tuple[int, str, str]] | None:
    """Migration 0007's step: the keyed (id, prev_hash, hash) of each entry written before it,
    given as dicts of FIELDS plus ``prev_hash`` and ``hash`` in id order — or None when their
    unkeyed chain is not intact (then they stay unkeyed and ``verify`` reports the break)."""
    prev, expected = GENESIS, 1
    for r in rows:
        fields = {k: r[k] for k in FIELDS}
        if r["id"] != expected or r["prev_hash"] != prev or legacy_hash(prev, fields) != r["hash"]:
            return None
        prev, expected = r["hash"], expected + 1
    out, prev = [], GENESIS
    for r in rows:
        digest = entry_hash(prev, {k: r[k] for k in FIELDS}, key)
        out.append((int(r["id"]), prev, digest))
        prev = digest
    return out
