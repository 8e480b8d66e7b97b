"""The tamper-evident audit log: every write and every staff read of a person's record.

Each entry's hash covers its own fields and the hash of the entry before, so editing,
deleting or reordering any entry breaks the chain at that point (``verify``). Appends are
serialised through the single ``audit_head`` row, which the appending transaction updates first
(a row lock on PostgreSQL, the write lock on SQLite), so two requests never chain to the same
predecessor. No route updates or deletes entries; the log has no API but reading.

Entries never hold an ID or phone number: records are named by their database id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minsheng.auth.models import AuditEntry, AuditHead
from minsheng.auth.permissions import Principal

GENESIS = "0" * 64
FIELDS = ("id", "at", "actor", "role", "action", "resource", "record_id", "region", "ip", "detail")


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(
        [prev_hash, *[fields[k] for k in FIELDS]], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    session: Session,
    by: Principal,
    action: str,
    resource: str,
    record_id: int | str | None = None,
    region: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the work)."""
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one_or_none()
    if head is None:  # first entry ever
        session.add(AuditHead(id=1, seq=1, last_hash=GENESIS))
        session.flush()
        seq, prev = 1, GENESIS
    else:
        seq, prev = head
    fields: dict[str, Any] = {
        "id": seq,
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": by.actor,
        "role": by.role,
        "action": action,
        "resource": resource,
        "record_id": None if record_id is None else str(record_id),
        "region": region,
        "ip": by.ip,
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
    }
    digest = entry_hash(prev, fields)
    entry = AuditEntry(**fields, prev_hash=prev, hash=digest)
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    session.flush()
    return entry


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


def verify(session: Session) -> Verdict:
    """Walk the chain; report the first entry that was edited, deleted or moved."""
    prev, expected_id, count = GENESIS, 1, 0
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
        if entry_hash(prev, fields) != e.hash:
            return Verdict(
                False, count, prev, f"entry {e.id} was changed after it was written", e.id
            )
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
    return Verdict(True, count, prev)
