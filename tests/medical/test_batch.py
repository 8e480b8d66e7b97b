"""``batch.settle_many``: many bills in one unit of work, each settled exactly as a single
settlement would be, one bad bill spoiling nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.medical import batch, service
from minsheng.medical.batch import Item
from minsheng.medical.ledger import totals
from minsheng.medical.models import Settlement
from minsheng.medical.schemas import BillIn, SettlementOut
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn, StatusIn
from minsheng.registry.statuses import add_status

BY = system("test")
YEAR = dt.date.today().year
DAY = dt.date(YEAR, 1, 2) if dt.date.today() >= dt.date(YEAR, 1, 2) else dt.date(YEAR, 1, 1)
A = ids.make_resident_id("540102", dt.date(1970, 7, 7), 31)
B = ids.make_resident_id("540102", dt.date(1970, 7, 7), 45)  # A's twin in every fact
D = ids.make_resident_id("540102", dt.date(1970, 7, 7), 53)  # and another
C = ids.make_resident_id("540102", dt.date(1981, 3, 9), 17)
LHASA = "H54010200001"
SHIGATSE = "H54020200001"
CASHIER = Principal(
    kind="staff",
    name="cashier",
    role="cashier",
    region="540102",
    permissions=PERMISSIONS["cashier"],
    user_id=7,
)


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    create_facility(session, FacilityIn(code=LHASA, name="城关区人民医院", level=2), BY)
    create_facility(session, FacilityIn(code=SHIGATSE, name="桑珠孜区人民医院", level=2), BY)
    people = {}
    for name, number in (("a", A), ("b", B), ("c", C), ("d", D)):
        p = registry.create_person(
            session, PersonIn(id_number=number, name_zh=name, hukou="urban"), BY
        )
        add_enrolment(
            session, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
        )
        add_status(session, p.id, StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1)), BY)
        people[name] = p.id
    session.commit()
    return people


def bill(number: str, amount: str, visit: str = "inpatient", **kw: Any) -> BillIn:
    return BillIn.model_validate(
        {
            "patient": {"id_number": number},
            "facility_code": kw.pop("facility_code", LHASA),
            "visit": visit,
            "service_date": DAY.isoformat(),
            "diagnosis": "J18.900",
            "lines": [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": amount}],
            **kw,
        }
    )


FUNDS = ("total", "basic", "ci", "assistance", "patient", "account", "cash")


def figures(r: SettlementOut) -> dict[str, Any]:
    return {f: getattr(r, f) for f in FUNDS} | {"explanation": r.explanation}


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_bad_bill_spoils_nothing(session: Session, world: dict[str, int]) -> None:
    future = dt.date.today() + dt.timedelta(days=3)
    items = [
        Item(bill(A, "3000.00"), BY, "k1"),
        Item(bill(A, "1.00", service_date=future.isoformat()), BY, "k2"),  # refused: future
        Item(bill(C, "500.00", facility_code="H54010200099"), BY, "k3"),  # no such hospital
        Item(bill(C, "800.00"), BY, "k4"),
    ]
    audit_before = count(session, AuditEntry)
    results = batch.settle_many(session, items)
    session.commit()
    ok = [r for r in results if isinstance(r, SettlementOut)]
    assert isinstance(results[0], SettlementOut) and len(ok) == 2
    assert isinstance(results[1], MinshengError) and results[1].field == "service_date"
    assert isinstance(results[2], MinshengError) and results[2].status == 404
    assert results[2].field == "facility_code"
    assert isinstance(results[3], SettlementOut) and results[3].person_id == world["c"]
    # only the two good ones are stored, counted and audited
    assert count(session, Settlement) == 2
    assert totals(session, world["a"], YEAR)["settlements"] == 1
    assert totals(session, world["c"], YEAR)["settlements"] == 1
    settles = session.scalars(
        select(AuditEntry.record_id).where(
            AuditEntry.id > audit_before, AuditEntry.action == "settle"
        )
    ).all()
    assert sorted(settles) == sorted(str(r.id) for r in ok)


def test_a_patients_bills_accumulate_as_one_by_one(session: Session, world: dict[str, int]) -> None:
    amounts = ["150000.00", "180000.00", "90000.00"]  # the caps bind within the batch
    together = batch.settle_many(
        session, [Item(bill(A, a), BY, f"a{i}") for i, a in enumerate(amounts)]
    )
    session.commit()
    alone = []
    for i, a in enumerate(amounts):  # B, A's twin: the same bills, each in its own transaction
        alone.append(service.settle(session, bill(B, a), BY, idempotency_key=f"b{i}"))
        session.commit()
    read_by_read = []
    for i, a in enumerate(amounts):  # D: the path that reads the ORM objects one by one
        read_by_read.append(service._settle_single(session, bill(D, a), BY, f"d{i}", None))
        session.commit()
    assert all(isinstance(r, SettlementOut) for r in together)
    assert [figures(r) for r in together] == [figures(r) for r in alone]  # type: ignore[arg-type]
    assert [figures(r) for r in together] == [figures(r) for r in read_by_read]  # type: ignore[arg-type]
    assert totals(session, world["a"], YEAR) == totals(session, world["b"], YEAR)
    assert totals(session, world["a"], YEAR) == totals(session, world["d"], YEAR)
    assert totals(session, world["a"], YEAR)["admissions"] == 3
    assert together[2].basic < alone[0].basic  # type: ignore[union-attr]  # the cap did bind


def test_a_key_repeated_in_one_batch(session: Session, world: dict[str, int]) -> None:
    results = batch.settle_many(
        session,
        [
            Item(bill(A, "3000.00"), BY, "same"),
            Item(bill(A, "3000.00"), BY, "same"),  # a retry: the first answer
            Item(bill(A, "4000.00"), BY, "same"),  # another bill with that key: 409
            Item(bill(A, "4000.00"), CASHIER, "same"),  # another caller's own key "same"
        ],
    )
    session.commit()
    first, retry, clash, other = results
    assert isinstance(first, SettlementOut) and isinstance(retry, SettlementOut)
    assert retry == first
    assert isinstance(clash, ConflictError) and clash.rule == "key_reused"
    assert clash.field == "idempotency_key"
    assert isinstance(other, SettlementOut) and other.id != first.id
    assert count(session, Settlement) == 2
    assert totals(session, world["a"], YEAR)["settlements"] == 2


def test_an_item_of_another_region_is_refused(session: Session, world: dict[str, int]) -> None:
    results = batch.settle_many(
        session,
        [
            Item(bill(A, "3000.00", facility_code=SHIGATSE), CASHIER, "x1"),  # not her hospital
            Item(bill(A, "3000.00"), CASHIER, "x2"),
        ],
    )
    session.commit()
    refused, settled = results
    assert isinstance(refused, ForbiddenError) and refused.rule == "out_of_region"
    assert isinstance(settled, SettlementOut)
    assert count(session, Settlement) == 1


def test_a_bad_key_is_refused_in_its_slot(session: Session, world: dict[str, int]) -> None:
    results = batch.settle_many(
        session, [Item(bill(A, "3000.00"), BY, "no spaces"), Item(bill(A, "3000.00"), BY, None)]
    )
    assert isinstance(results[0], MinshengError) and results[0].field == "idempotency_key"
    assert isinstance(results[1], SettlementOut)


def test_a_patient_miss_is_still_counted_and_audited(
    session: Session, world: dict[str, int]
) -> None:
    nobody = ids.make_resident_id("540102", dt.date(1990, 1, 1), 99)
    results = batch.settle_many(
        session, [Item(bill(nobody, "10.00"), CASHIER, "m1"), Item(bill(A, "10.00"), CASHIER, "m2")]
    )
    session.commit()
    assert isinstance(results[0], MinshengError) and results[0].status == 404
    assert isinstance(results[1], SettlementOut)
    misses = session.scalars(select(AuditEntry).where(AuditEntry.action == "patient_miss")).all()
    assert len(misses) == 1 and misses[0].actor == CASHIER.actor


def test_a_concurrent_duplicate_key_poisons_nothing(
    engine: Any, session: Session, world: dict[str, int]
) -> None:
    """PostgreSQL: another transaction holds the key uncommitted; this batch's insert waits on
    the unique index, fails when the other commits, and that item alone is retried (a 409:
    the key was used for another patient's bill) while the rest settle."""
    if engine.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite: the race cannot happen")
    import threading

    from sqlalchemy import text

    from minsheng.db import make_sessionmaker

    first = batch.settle_many(session, [Item(bill(A, "100.00"), BY, "raced")])
    assert isinstance(first[0], SettlementOut)  # held, uncommitted
    got: list[Any] = []

    def other() -> None:
        with make_sessionmaker(engine)() as s2:
            got.extend(
                batch.settle_many(
                    s2,
                    [Item(bill(C, "200.00"), BY, "raced"), Item(bill(C, "300.00"), BY, "free")],
                )
            )
            s2.commit()

    t = threading.Thread(target=other)
    t.start()
    with engine.connect() as watch:  # until the other's insert waits on this one's key
        while not watch.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
            t.join(0.05)
            assert t.is_alive(), got
    session.commit()
    t.join(60)
    raced, free = got
    assert isinstance(raced, ConflictError) and raced.rule == "key_reused"
    assert isinstance(free, SettlementOut) and free.person_id == world["c"]
    assert totals(session, world["c"], YEAR)["settlements"] == 1


def test_the_stored_explanation_is_the_steps_as_dumped(
    session: Session, world: dict[str, int]
) -> None:
    """The explanation is encoded from cached figures; it must read exactly as the steps'
    ``model_dump`` would, byte for byte, on every kind of bill (caps reached included)."""
    import json

    amounts = [
        ("150000.00", "inpatient"),
        ("80.00", "outpatient"),
        ("900000.00", "inpatient"),
        ("0.01", "outpatient"),
        ("4000.00", "outpatient"),
        ("2500000.00", "inpatient"),
    ]
    results = batch.settle_many(
        session, [Item(bill(A, a, visit), BY, f"e{i}") for i, (a, visit) in enumerate(amounts)]
    )
    session.commit()
    for r in results:
        assert isinstance(r, SettlementOut)
        stored = session.get(Settlement, r.id)
        assert stored is not None
        dumped = json.dumps([x.model_dump() for x in r.explanation], ensure_ascii=False)
        assert stored.explanation == dumped


def test_the_ledger_lock_takes_only_the_years_settled(
    engine: Any, session: Session, world: dict[str, int]
) -> None:
    """PostgreSQL: a batch settling A this year and C last year locks (A, this year) and (C,
    last year) — not A's row of last year (a select over the persons × the years took it too,
    so another window settling A's last-year bill waited for this batch)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite locks the whole database for the writer")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from minsheng.medical.models import LedgerYear

    for name in ("a", "c"):  # the rows exist (a row inserted uncommitted is no one's to lock)
        session.add_all([LedgerYear(person_id=world[name], year=y) for y in (YEAR - 1, YEAR)])
    session.commit()
    last_year = dt.date(YEAR - 1, 12, 30).isoformat()
    results = batch.settle_many(
        session,
        [
            Item(bill(A, "300.00", visit="outpatient"), BY, "this"),
            Item(bill(C, "300.00", visit="outpatient", service_date=last_year), BY, "last"),
        ],
    )
    assert all(isinstance(r, SettlementOut) for r in results), results
    grab = text("SELECT year FROM med_ledger WHERE person_id = :p AND year = :y FOR UPDATE NOWAIT")
    with engine.connect() as other:
        for p, y in ((world["a"], YEAR - 1), (world["c"], YEAR)):  # free
            assert other.scalar(grab, {"p": p, "y": y}) == y
            other.rollback()
        for p, y in ((world["a"], YEAR), (world["c"], YEAR - 1)):  # held until the commit
            with pytest.raises(OperationalError, match="could not obtain lock"):
                other.scalar(grab, {"p": p, "y": y})
            other.rollback()
    session.commit()


@pytest.fixture
def family(session: Session) -> dict[str, int]:
    """A household of two: the head (an employee, 150 yuan in a shared account) and a child."""
    from minsheng.medical.models import PersonalAccount
    from minsheng.registry.schemas import HouseholdIn

    create_facility(session, FacilityIn(code=LHASA, name="城关区人民医院", level=2), BY)
    registry.create_household(
        session, HouseholdIn(code="FAM-9", division_code="540102", area="urban"), BY
    )
    pids = {}
    for rel, number, scheme in (("head", A, "employee_active"), ("child", C, "resident")):
        p = registry.create_person(
            session,
            PersonIn(
                id_number=number, name_zh=rel, hukou="urban", household_code="FAM-9",
                relationship=rel,
            ),
            BY,
        )  # fmt: skip
        add_enrolment(session, p.id, EnrolmentIn(scheme=scheme, start_date=dt.date(2020, 1, 1)), BY)
        pids[rel] = p.id
    session.add(PersonalAccount(person_id=pids["head"], balance=15_000, family_sharing=True))
    session.commit()
    return pids


def test_a_batch_of_one_reads_in_folded_statements(
    engine: Any, session: Session, family: dict[str, int]
) -> None:
    """A batch of one (the window's settlement) reads the person with their enrolments and
    statuses in one statement, creates-and-locks the ledger row in one, the household's
    accounts in one — and on SQLite opens no savepoint (one writer: no concurrent duplicate
    key to retry). The relative's shared account still pays."""
    from sqlalchemy import event

    seen: list[str] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        (r,) = batch.settle_many(session, [Item(bill(C, "100.00", visit="outpatient"), BY, "k")])
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert isinstance(r, SettlementOut) and r.account > 0  # the parent's account paid
    assert (engine.dialect.name == "sqlite") == (not any("SAVEPOINT" in s for s in seen))
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len([s for s in reads if "FROM persons" in s]) == 1  # person, enrolments, statuses
    assert len([s for s in seen if "med_ledger" in s and "UPDATE med_ledger" not in s]) == 1
    assert len([s for s in reads if "med_accounts" in s]) == 1  # the household's, locked


def test_a_person_named_in_two_chunks_is_read_once(
    session: Session, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The persons are read a chunk of hashes and a chunk of ids at a time: a person named by
    number in one chunk and by id in another keeps one copy of each enrolment and status."""
    from minsheng.foundation.crypto import lookup_hash
    from minsheng.medical import batch_load

    monkeypatch.setattr(batch_load, "CHUNK", 1)
    first, last = sorted([A, C], key=lookup_hash)  # by hash: first in chunk 0, last in chunk 1
    pid = {A: world["a"], C: world["c"]}
    found, people = batch_load.people(session, {A, C}, {pid[last]})  # last by id: chunk 0 too
    assert found == {A: world["a"], C: world["c"]}
    assert sorted(people) == sorted(pid.values()) and first != last
    for p in people.values():
        assert (len(p.enrolments), len(p.statuses)) == (1, 1)


def test_the_households_accounts_alike_past_a_chunk(
    session: Session, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More patients or households than a chunk: the members and the accounts are read in two
    statements a chunk (still in person-id order) — and found alike."""
    from minsheng.medical import batch_load

    _, people = batch_load.people(session, {A, C}, set())
    one = batch_load.lock_accounts(session, people.values())
    monkeypatch.setattr(batch_load, "CHUNK", 1)
    two = batch_load.lock_accounts(session, people.values())
    child = people[family["child"]]
    assert one.relatives(child) == two.relatives(child) == [(family["head"], 15_000)]
    assert (one.balance, one.sharing) == (two.balance, two.sharing)


def _settlement_inserts(engine: Any, work: Any) -> int:
    from sqlalchemy import event

    seen: list[str] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", hook)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return sum(1 for s in seen if s.startswith("INSERT INTO med_settlements"))


@pytest.mark.parametrize("sharing", [True, False])
def test_household_members_wait_for_each_other_only_over_a_shared_account(
    engine: Any, session: Session, family: dict[str, int], sharing: bool
) -> None:
    """The head's bill and the child's in one batch: with the head's account shared (and
    holding money) the child's bill may draw on it, so it settles in the wave after the head's
    (two inserts) on what the head's left; without sharing they are independent — one wave, one
    insert — and each settles as it would alone."""
    from minsheng.medical.models import PersonalAccount

    account = session.get(PersonalAccount, family["head"])
    assert account is not None
    account.family_sharing = sharing
    session.commit()
    items = [
        Item(bill(A, "120.00", visit="outpatient"), BY, "head"),
        Item(bill(C, "100.00", visit="outpatient"), BY, "child"),
    ]
    out: list[Any] = []
    inserts = _settlement_inserts(engine, lambda: out.extend(batch.settle_many(session, items)))
    session.commit()
    head, child = out
    assert isinstance(head, SettlementOut) and isinstance(child, SettlementOut)
    assert inserts == (2 if sharing else 1)
    left = session.get(PersonalAccount, family["head"])
    assert left is not None
    assert left.balance == 15_000 - head.account - child.account >= 0  # never overdrawn
    assert (child.account > 0) == (sharing and head.account < 15_000)
