"""What a batch of bills reads, for all its bills at once: the hospitals, the patients by the
hash of their ID numbers, their enrolments and statuses, the settlements already made with
their idempotency keys, and — locked, in one sorted statement each, so two batches never wait
on each other crosswise — the yearly totals and the personal accounts they touch.

Each read is a Core statement over plain rows (no ORM objects are built for a bill); the
person's view (:class:`Patient`) has the attributes the single settlement reads of a
``Person``, so the same functions (``registry.enrolment_on``, ``person_facts``) read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Date, DateTime, Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from minsheng.foundation.crypto import lookup_hash
from minsheng.medical.ledger import TOTAL_FIELDS, _new_row
from minsheng.medical.models import LedgerYear, PersonalAccount, Settlement
from minsheng.registry.models import Enrolment, Facility, Person, SpecialStatus

CHUNK = 500  # values in one IN list (SQLite's and PostgreSQL's limits are far above)


@dataclass(frozen=True)
class Hospital:
    id: int
    code: str
    level: int
    division_code: str


@dataclass(frozen=True)
class Period:
    """An enrolment or a status: what ``registry.enrolment_on`` / ``statuses_on`` read."""

    start_date: dt.date
    end_date: dt.date | None
    kind: str = ""
    scheme: str = ""
    pooling_region: str = ""


@dataclass
class Patient:
    """A person as a settlement reads them."""

    id: int
    birth_date: dt.date
    household_id: int | None
    division_code: str
    enrolments: list[Period] = field(default_factory=list)
    statuses: list[Period] = field(default_factory=list)


LEDGER_FIELDS = (*TOTAL_FIELDS, "admissions", "settlements")


class Ledger(SimpleNamespace):
    """A person-year's totals, locked, as the batch posts to them (``ledger._post`` adds to
    them as to a ``LedgerYear``): ``person_id``, ``year`` and :data:`LEDGER_FIELDS`."""


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


_F = Facility.__table__.c
_P = Person.__table__.c
_E = Enrolment.__table__.c
_S = SpecialStatus.__table__.c
_M = Settlement.__table__
_A = PersonalAccount.__table__


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


# Every statement built once (a batch of one — the window's settlement — runs them all).
_HOSPITALS = select(_F.id, _F.code, _F.level, _F.division_code).where(_F.code.in_(_in("codes")))
_BY_HASH = select(_P.id, _P.id_hash).where(_P.id_hash.in_(_in("hashes")))
_PEOPLE = select(_P.id, _P.birth_date, _P.household_id, _P.division_code).where(
    _P.id.in_(_in("ids"))
)
_ENROLMENTS = (
    select(_E.person_id, _E.start_date, _E.end_date, _E.scheme, _E.pooling_region)
    .where(_E.person_id.in_(_in("ids")))
    .order_by(_E.person_id, _E.start_date, _E.id)
)
_STATUSES = (
    select(_S.person_id, _S.start_date, _S.end_date, _S.kind)
    .where(_S.person_id.in_(_in("ids")))
    .order_by(_S.person_id, _S.start_date, _S.id)
)
_KEYED = select(_M).where(_M.c.idempotency_key.in_(_in("keys")))
_MEMBERS = (
    select(_P.id, _P.household_id).where(_P.household_id.in_(_in("households"))).order_by(_P.id)
)
_LOCK_ACCOUNTS = (
    select(_A.c.person_id, _A.c.balance, _A.c.family_sharing)
    .where(_A.c.person_id.in_(_in("ids")))
    .order_by(_A.c.person_id)
    .with_for_update()
)


def hospitals(session: Session, codes: set[str]) -> dict[str, Hospital]:
    found: dict[str, Hospital] = {}
    for part in _chunks(sorted(codes)):
        for r in session.execute(_HOSPITALS, {"codes": list(part)}):
            found[r.code] = Hospital(r.id, r.code, r.level, r.division_code)
    return found


def by_id_number(session: Session, numbers: set[str]) -> dict[str, int]:
    """Person ids by ID number (through the lookup hash: the number is never stored plain)."""
    hashes = {lookup_hash(n): n for n in numbers}
    found: dict[str, int] = {}
    for part in _chunks(sorted(hashes)):
        for pid, h in session.execute(_BY_HASH, {"hashes": list(part)}):
            found[hashes[h]] = pid
    return found


def patients(session: Session, person_ids: set[int]) -> dict[int, Patient]:
    """The persons, with their enrolments and statuses in start-date order (as ``Person``'s)."""
    found: dict[int, Patient] = {}
    ordered = sorted(person_ids)
    for part in _chunks(ordered):
        for r in session.execute(_PEOPLE, {"ids": list(part)}):
            found[r.id] = Patient(r.id, r.birth_date, r.household_id, r.division_code)
        for e in session.execute(_ENROLMENTS, {"ids": list(part)}):
            found[e.person_id].enrolments.append(
                Period(e.start_date, e.end_date, scheme=e.scheme, pooling_region=e.pooling_region)
            )
        for st in session.execute(_STATUSES, {"ids": list(part)}):
            found[st.person_id].statuses.append(Period(st.start_date, st.end_date, kind=st.kind))
    return found


def keyed(session: Session, keys: set[str]) -> dict[str, Any]:
    """The settlements already stored under these (scoped) idempotency keys."""
    found: dict[str, Any] = {}
    for part in _chunks(sorted(keys)):
        for r in session.execute(_KEYED, {"keys": list(part)}):
            found[r.idempotency_key] = r
    return found


_L = LedgerYear.__table__
_LOCK_LEDGERS = (
    select(_L)
    .where(
        _L.c.person_id.in_(bindparam("persons", expanding=True)),
        _L.c.year.in_(bindparam("years", expanding=True)),
    )
    .order_by(_L.c.person_id, _L.c.year)
    .with_for_update()
)


def lock_ledgers(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Ledger]:
    """The yearly totals of every (person, year), created if new and locked until commit — in
    (person, year) order, in one insert and one select a chunk (row locks on PostgreSQL; on
    SQLite the unit of work holds the write lock)."""
    pg = session.get_bind().dialect.name == "postgresql"
    ordered = sorted(pairs)
    found: dict[tuple[int, int], Ledger] = {}
    conn = session.connection()
    for part in _chunks(ordered):
        conn.execute(_NEW_ROW[pg], [{"person_id": p, "year": y} for p, y in part])
        persons = sorted({p for p, _ in part})
        years = sorted({y for _, y in part})
        for r in conn.execute(_LOCK_LEDGERS, {"persons": persons, "years": years}):
            if (r.person_id, r.year) in pairs:  # (another year of a person: locked, unused)
                found[(r.person_id, r.year)] = Ledger(**r._mapping)
    return found


_NEW_ROW = {False: _new_row(False), True: _new_row(True)}


@dataclass
class Accounts:
    """The personal accounts a batch may debit, locked: balance and sharing by person, and
    the members of each household."""

    balance: dict[int, int]
    sharing: dict[int, bool]
    members: dict[int, list[int]]
    touched: set[int] = field(default_factory=set)

    def own(self, person_id: int) -> int | None:
        return self.balance.get(person_id)

    def relatives(self, person: Patient) -> list[tuple[int, int]]:
        """The household's other accounts that share and hold money, in person-id order (as
        ``intake._accounts`` reads them)."""
        if person.household_id is None:
            return []
        return [
            (m, self.balance[m])
            for m in self.members.get(person.household_id, ())
            if m != person.id and m in self.balance and self.sharing[m] and self.balance[m] > 0
        ]


def lock_accounts(session: Session, people: Iterable[Patient]) -> Accounts:
    """The accounts of the patients and of their households' members, locked in person-id
    order (one statement a chunk)."""
    people = list(people)
    households = sorted({p.household_id for p in people if p.household_id is not None})
    members: dict[int, list[int]] = {}
    for part in _chunks(households):
        for pid, hh in session.execute(_MEMBERS, {"households": list(part)}):
            members.setdefault(hh, []).append(pid)
    ids = sorted({p.id for p in people} | {m for ms in members.values() for m in ms})
    balance: dict[int, int] = {}
    sharing: dict[int, bool] = {}
    for part in _chunks(ids):
        for r in session.execute(_LOCK_ACCOUNTS, {"ids": list(part)}):
            balance[r.person_id], sharing[r.person_id] = r.balance, bool(r.family_sharing)
    return Accounts(balance, sharing, members)


# The statements that write a batch (built once).
_SETTLEMENTS = cast(Table, Settlement.__table__)
_LEDGERS = cast(Table, LedgerYear.__table__)
_ACCOUNTS = cast(Table, PersonalAccount.__table__)
NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('med_settlements', 'id')) "
    "FROM generate_series(1, :n) ORDER BY 1"
)
LAST_ID = text("SELECT coalesce(max(id), 0) FROM med_settlements")
# Every column but created_at (the database's clock stamps it); the rows go to the driver's own
# executemany (SQLAlchemy's per-row parameter building was a tenth of a batch's time)
ADD_COLUMNS = tuple(c.name for c in _SETTLEMENTS.columns if c.name != "created_at")
_ADD_SQL = "INSERT INTO med_settlements ({}) VALUES ({})".format(
    ", ".join(ADD_COLUMNS), ", ".join(["{0}"] * len(ADD_COLUMNS))
)


def add_settlements(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the settlements ``rows`` (``posting.values`` with their ``id``) in one executemany
    of the driver: a column a row lacks is NULL; a date goes as ISO text to SQLite (as
    SQLAlchemy's ``Date`` stores it) and as a date to PostgreSQL."""
    sqlite = conn.dialect.name == "sqlite"
    cells = [list(map(v.get, ADD_COLUMNS)) for v in rows]
    if sqlite:
        for row in cells:
            for i in _DATES:
                day = row[i]
                if day is not None:
                    row[i] = day.isoformat()
    conn.exec_driver_sql(_ADD_SQL.format("?" if sqlite else "%s"), [tuple(r) for r in cells])


_DATES = tuple(
    i
    for i, name in enumerate(ADD_COLUMNS)
    if isinstance(_SETTLEMENTS.c[name].type, Date | DateTime)
)

SET_LEDGER = (
    update(_LEDGERS)
    .where(_LEDGERS.c.person_id == bindparam("k_person"), _LEDGERS.c.year == bindparam("k_year"))
    .values({f: bindparam(f"v_{f}") for f in LEDGER_FIELDS})
)
SET_BALANCE = (
    update(_ACCOUNTS)
    .where(_ACCOUNTS.c.person_id == bindparam("k_person"))
    .values(balance=bindparam("v_balance"))
)
