import sqlalchemy as sa
from sqlalchemy.orm import Session

from minsheng.foundation import audit
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import system

BY = system("test")


def write(session: Session, n: int) -> None:
    for i in range(n):
        audit.record(session, BY, "update", "person", i, "540102", {"fields": ["phone"]})
    session.commit()


def test_a_clean_chain_verifies(session: Session) -> None:
    write(session, 5)
    v = audit.verify(session)
    assert v.ok and v.entries == 5


def test_an_edited_entry_is_found(session: Session) -> None:
    write(session, 5)
    session.execute(sa.update(AuditEntry).where(AuditEntry.id == 3).values(actor="user:99"))
    session.commit()
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 3 and "changed" in (v.problem or "")


def test_an_edit_that_rehashes_the_entry_is_still_found(session: Session) -> None:
    write(session, 5)
    e = session.get(AuditEntry, 3)
    assert e is not None
    fields = {k: getattr(e, k) for k in audit.FIELDS} | {"action": "read"}
    session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.id == 3)
        .values(action="read", hash=audit.entry_hash(e.prev_hash, fields))
    )
    session.commit()
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 4  # the next entry no longer follows


def test_a_deleted_entry_is_found(session: Session) -> None:
    write(session, 5)
    session.execute(sa.delete(AuditEntry).where(AuditEntry.id == 2))
    session.commit()
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 2 and "missing" in (v.problem or "")


def test_a_cut_tail_is_found(session: Session) -> None:
    write(session, 5)
    session.execute(sa.delete(AuditEntry).where(AuditEntry.id == 5))
    session.commit()
    v = audit.verify(session)
    assert not v.ok and "ends at entry 4" in (v.problem or "")


def test_reordered_entries_are_found(session: Session) -> None:
    write(session, 5)
    a, b = session.get(AuditEntry, 2), session.get(AuditEntry, 3)
    assert a is not None and b is not None
    cols = [*audit.FIELDS[1:], "prev_hash", "hash"]
    va, vb = ({c: getattr(x, c) for c in cols} for x in (a, b))
    session.execute(sa.update(AuditEntry).where(AuditEntry.id == 2).values(**vb))
    session.execute(sa.update(AuditEntry).where(AuditEntry.id == 3).values(**va))
    session.commit()
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 2


def test_entries_hold_no_id_number(client, session: Session) -> None:  # type: ignore[no-untyped-def]
    from minsheng.core import ids

    number = ids.make_resident_id("540102", __import__("datetime").date(1990, 1, 1), 5)
    client.post(
        "/api/persons",
        json={"id_number": number, "name_zh": "x", "hukou": "urban", "phone": "13908901234"},
    )
    client.post("/api/persons/lookup", json={"id_number": number})
    rows = session.execute(sa.select(AuditEntry)).scalars().all()
    assert {(e.action, e.resource) for e in rows} >= {("create", "person"), ("read", "person")}
    text = " ".join(f"{e.detail} {e.record_id}" for e in rows)
    assert number not in text and "13908901234" not in text


def test_no_route_changes_the_log(client) -> None:  # type: ignore[no-untyped-def]
    from minsheng.webkit.guards import api_routes

    for r in api_routes(client.app):
        if "audit" in r.path:
            assert r.methods == {"GET"}
