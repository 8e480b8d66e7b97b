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

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from minsheng.foundation.crypto import lookup_hash
from minsheng.medical.ledger import TOTAL_FIELDS
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


def _none(kind: Any) -> Any:
    return type_coerce(null(), kind)


# The persons named by the hash of their ID number or by id (found once: a materialised CTE),
# with their enrolments and statuses: one statement, three branches of one shape (``what``: 0
# the person, 1 an enrolment, 2 a status), in person and start-date order.
_WHO = (
    select(_P.id, _P.birth_date, _P.id_hash, _P.division_code, _P.household_id)
    .where(or_(_P.id_hash.in_(_in("hashes")), _P.id.in_(_in("ids"))))
    .cte("who")
    .prefix_with("MATERIALIZED")
)
_PEOPLE = union_all(
    select(
        literal_column("0", Integer).label("what"),
        _WHO.c.id.label("person_id"),
        _WHO.c.birth_date.label("d1"),  # birth date, or the period's start and end
        _none(Date).label("d2"),
        _WHO.c.id_hash.label("s1"),  # the ID hash, or the scheme, or the status's kind
        _WHO.c.division_code.label("s2"),  # the division, or the pooling region
        _WHO.c.household_id.label("n"),
        _none(Integer).label("row"),
    ),
    select(
        literal_column("1", Integer),
        _E.person_id,
        _E.start_date,
        _E.end_date,
        _E.scheme,
        _E.pooling_region,
        _none(Integer),
        _E.id,
    ).join_from(_WHO, Enrolment.__table__, _E.person_id == _WHO.c.id),
    select(
        literal_column("2", Integer),
        _S.person_id,
        _S.start_date,
        _S.end_date,
        _S.kind,
        _none(String),
        _none(Integer),
        _S.id,
    ).join_from(_WHO, SpecialStatus.__table__, _S.person_id == _WHO.c.id),
).order_by(text("what"), text("person_id"), text("d1"), text("row"))

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
# The accounts of the patients and of their households' members, with the member's household,
# locked in person-id order (the accounts' rows only): one statement for both.
_LOCK_HOUSEHOLDS = (
    select(_A.c.person_id, _A.c.balance, _A.c.family_sharing, _P.household_id)
    .select_from(_A.join(Person.__table__, _P.id == _A.c.person_id))
    .where(
        _A.c.person_id.in_(
            select(_P.id).where(or_(_P.id.in_(_in("ids")), _P.household_id.in_(_in("households"))))
        )
    )
    .order_by(_A.c.person_id)
    .with_for_update(of=_A)
)


def hospitals(session: Session, codes: set[str]) -> dict[str, Hospital]:
    found: dict[str, Hospital] = {}
    for part in _chunks(sorted(codes)):
        for r in session.execute(_HOSPITALS, {"codes": list(part)}):
            found[r.code] = Hospital(r.id, r.code, r.level, r.division_code)
    return found


def people(
    session: Session, numbers: set[str], person_ids: set[int]
) -> tuple[dict[str, int], dict[int, Patient]]:
    """The persons named by ID number (through the lookup hash: the number is never stored
    plain) or by id, with their enrolments and statuses in start-date order (as ``Person``'s):
    the person id of each number found, and each person found."""
    hashes = {lookup_hash(n): n for n in numbers}
    by_hash, by_id = sorted(hashes), sorted(person_ids)
    found: dict[str, int] = {}
    persons: dict[int, Patient] = {}
    for i in range(0, max(len(by_hash), len(by_id)), CHUNK):
        part = {"hashes": by_hash[i : i + CHUNK], "ids": by_id[i : i + CHUNK]}
        for r in session.execute(_PEOPLE, part):
            if r.what == 0:  # (first: a person read in an earlier chunk too starts afresh)
                if r.s1 in hashes:
                    found[hashes[r.s1]] = r.person_id
                persons[r.person_id] = Patient(r.person_id, r.d1, r.n, r.s2)
            elif r.what == 1:
                persons[r.person_id].enrolments.append(
                    Period(r.d1, r.d2, scheme=r.s1, pooling_region=r.s2)
                )
            else:
                persons[r.person_id].statuses.append(Period(r.d1, r.d2, kind=r.s1))
    return found, persons


def keyed(session: Session, keys: set[str]) -> dict[str, Any]:
    """The settlements already stored under these (scoped) idempotency keys."""
    found: dict[str, Any] = {}
    for part in _chunks(sorted(keys)):
        for r in session.execute(_KEYED, {"keys": list(part)}):
            found[r.idempotency_key] = r
    return found


_L = cast(Table, LedgerYear.__table__)


_ZEROS = [literal_column("0", Integer).label(f) for f in LEDGER_FIELDS]  # new totals: inline


def _upsert(pg: bool) -> Any:
    """The totals of the (person, year)s given, created if new, returned — and on PostgreSQL
    locked, in the order given: the conflict's no-op update locks each row as ``FOR UPDATE``
    does and returns its latest version. On PostgreSQL one statement of one text whatever the
    count (the pairs as two arrays, unnested in (person, year) order: psycopg parses a
    many-row ``VALUES``'s text anew on every call); on SQLite an executemany."""
    if pg:
        pairs = (
            func.unnest(
                bindparam("persons", type_=postgresql.ARRAY(Integer)),
                bindparam("years", type_=postgresql.ARRAY(Integer)),
            )
            .table_valued("p", "y")
            .render_derived(name="pairs")
        )
        rows = select(pairs.c.p, pairs.c.y, *_ZEROS).order_by(pairs.c.p, pairs.c.y)
        stmt: Any = postgresql.insert(_L).from_select(["person_id", "year", *LEDGER_FIELDS], rows)
    else:
        values: dict[str, Any] = {"person_id": bindparam("person_id"), "year": bindparam("year")}
        stmt = sqlite.insert(_L).values(values | dict(zip(LEDGER_FIELDS, _ZEROS, strict=True)))
    return stmt.on_conflict_do_update(
        index_elements=[_L.c.person_id, _L.c.year],
        set_={"person_id": stmt.excluded.person_id},
    ).returning(*_L.c)


_UPSERT = {False: _upsert(False), True: _upsert(True)}


def lock_ledgers(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Ledger]:
    """The yearly totals of every (person, year), created if new and locked until commit — in
    (person, year) order, one upsert a chunk, so two batches never wait on each other crosswise
    (row locks on PostgreSQL, only the rows settled; on SQLite the unit of work holds the write
    lock)."""
    pg = session.get_bind().dialect.name == "postgresql"
    conn = session.connection()
    found: dict[tuple[int, int], Ledger] = {}
    for part in _chunks(sorted(pairs)):
        if pg:
            params: Any = {"persons": [p for p, _ in part], "years": [y for _, y in part]}
        else:
            params = [{"person_id": p, "year": y} for p, y in part]
        for r in conn.execute(_UPSERT[pg], params):
            found[(r.person_id, r.year)] = Ledger(**r._mapping)
    return found


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

    def shared(self, household_id: int) -> bool:
        """Whether a member's bill may debit another member's account: some account of the
        household shares and holds money. (Balances only fall during a batch, so a household
        without one at the start never has one.)"""
        return any(
            self.sharing.get(m, False) and self.balance.get(m, 0) > 0
            for m in self.members.get(household_id, ())
        )

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
    order: one statement (two a chunk when the batch is larger than a chunk, so the locks are
    still taken in one order)."""
    people = list(people)
    households = sorted({p.household_id for p in people if p.household_id is not None})
    ids = sorted({p.id for p in people})
    members: dict[int, list[int]] = {}
    balance: dict[int, int] = {}
    sharing: dict[int, bool] = {}
    if len(ids) <= CHUNK and len(households) <= CHUNK:
        for r in session.execute(_LOCK_HOUSEHOLDS, {"ids": ids, "households": households}):
            balance[r.person_id], sharing[r.person_id] = r.balance, bool(r.family_sharing)
            if r.household_id is not None:  # (a member without an account never shares)
                members.setdefault(r.household_id, []).append(r.person_id)
        return Accounts(balance, sharing, members)
    for part in _chunks(households):
        for pid, hh in session.execute(_MEMBERS, {"households": list(part)}):
            members.setdefault(hh, []).append(pid)
    ids = sorted(set(ids) | {m for ms in members.values() for m in ms})
    for part in _chunks(ids):
        for a in session.execute(_LOCK_ACCOUNTS, {"ids": list(part)}):
            balance[a.person_id], sharing[a.person_id] = a.balance, bool(a.family_sharing)
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
