import sqlalchemy as sa
from sqlalchemy.orm import Session

from minsheng.foundation import audit
from minsheng.foundation.models import AuditEntry, AuditHead
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


def _actions(session: Session) -> list[str]:
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_entries_are_appended_at_the_commit_in_order(session: Session) -> None:
    audit.record(session, BY, "create", "person", 1)
    audit.record(session, BY, "update", "person", 1)
    assert audit.pending(session) == 2  # nothing written, the head not locked yet
    head = session.connection().scalar(sa.select(sa.func.count()).select_from(AuditHead))
    assert head == 0  # (read on the connection: an ORM read of the log writes what waits)
    session.commit()
    audit.record(session, BY, "delete", "person", 1)
    session.commit()
    assert _actions(session) == ["create", "update", "delete"]
    assert audit.verify(session).ok and audit.head_anchor(session).count == 3


def test_a_rolled_back_transaction_leaves_no_entry(session: Session) -> None:
    audit.record(session, BY, "create", "person", 1)
    session.rollback()
    session.commit()
    assert _actions(session) == [] and audit.pending(session) == 0


def test_a_rolled_back_savepoint_drops_only_its_own_entries(session: Session) -> None:
    audit.record(session, BY, "before", "person", 1)
    try:
        with session.begin_nested():
            audit.record(session, BY, "inside", "person", 2)
            with session.begin_nested():
                audit.record(session, BY, "deeper", "person", 3)
            raise RuntimeError("the savepoint fails")
    except RuntimeError:
        pass
    with session.begin_nested():  # a savepoint that commits keeps its entry for the root
        audit.record(session, BY, "kept", "person", 4)
    assert audit.pending(session) == 2
    session.commit()
    assert _actions(session) == ["before", "kept"]
    assert audit.verify(session).ok


def test_a_closed_session_forgets_what_it_did_not_commit(session: Session) -> None:
    audit.record(session, BY, "create", "person", 1)
    session.close()
    session.commit()
    assert _actions(session) == [] and audit.pending(session) == 0


def test_the_audit_hook_runs_after_every_other_hook_before_a_commit() -> None:
    """The head is the last lock a writer takes: a hook that writes after the append (here the
    search index) could deadlock against a writer holding its row and waiting for the head."""
    from minsheng import models  # noqa: F401  (every module that registers hooks)
    from minsheng.employment import search_sync  # noqa: F401

    hooks = list(Session().dispatch.before_commit)
    assert len(hooks) >= 2 and hooks[-1] is audit._write_pending


def test_a_transaction_reading_the_log_sees_its_own_entries(session: Session) -> None:
    audit.record(session, BY, "create", "person", 1)
    assert _actions(session) == ["create"] and audit.pending(session) == 0
    with session.begin_nested():  # inside a savepoint they wait for the root
        audit.record(session, BY, "update", "person", 1)
        assert _actions(session) == ["create"]
    session.commit()
    assert _actions(session) == ["create", "update"] and audit.verify(session).ok
