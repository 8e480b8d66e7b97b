"""Settling many bills in one unit of work: a hospital system's batch, the single-bill
requests that group commit gathers from many connections, and the single settlement itself
(``service.settle`` is a batch of one: one settlement path).

:func:`settle_many` settles the items in the order given, each exactly as it would be settled
alone — the same checks in the same order, the same idempotency, audit entry and ledger caps —
and a bill that is refused leaves nothing behind: its error takes its slot, the others settle.
It works batch-first (docs/medical.md, "Batches"):

1. every check that can refuse a bill is made before anything is written — the key, the
   hospital and its region, the patient (all ID numbers in one query), the date, the lines
   (the fingerprint), the key's first use (all keys in one query; a key repeated inside the
   batch too), the enrolment on the day, the stated balance;
2. the yearly totals of every (person, year) settled, and the personal accounts they may
   debit, are locked in one sorted statement each;
3. the rules run vectorised in *waves*: a bill is in the wave after the last earlier bill that
   shares its patient, an account it may debit or its key, so a wave's bills are independent
   and each starts from the totals its predecessors left — as one by one, to the fen;
4. each wave's settlements are inserted in one statement (so the next wave's reads see them),
   then the totals and balances updated and the audit entries recorded, one each.

Nothing after step 1 refuses a bill; should the database refuse the insert (a concurrent
request with the same key committed first, PostgreSQL), the batch's savepoint is rolled back
and the batch run once more, now finding the winner. A bill whose patient shows the electronic
card is settled on its own, in order, in a savepoint (scanning the card writes)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from minsheng.core import ids
from minsheng.core.errors import MinshengError, NotFoundError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import batch_load as load
from minsheng.medical import posting, rules, service
from minsheng.medical.intake import (
    Inputs,
    _registration_waiver,
    _scoped,
    _years,
    accounts_of,
    check_key,
    enrolled,
    fingerprint,
    make_inputs,
    params_on,
    parse_lines,
    presented_as,
    split_sums,
    stated_balance,
)
from minsheng.medical.ledger import TOTAL_FIELDS, _post, debit
from minsheng.medical.misses import (
    PATIENT_MISSES_PER_HOUR,
    _miss_key,
    _missing,
    _no_such_patient,
    _too_many_misses,
    misses_in_window,
)
from minsheng.medical.models import LedgerYear, PersonalAccount
from minsheng.medical.reads import out_of
from minsheng.medical.schemas import BillIn, FundStep, SettlementOut
from minsheng.policy import ParameterTree


@dataclass(frozen=True)
class Item:
    """One bill of a batch, with its own caller (group commit mixes callers) and the
    Idempotency-Key as sent (checked as :func:`service.check_key` checks it)."""

    bill: BillIn
    by: Principal
    key: str | None


Outcome = SettlementOut | MinshengError


def settle_many(
    session: Session, items: Sequence[Item], tree: ParameterTree | None = None
) -> list[Outcome]:
    """Settle ``items`` in order inside the caller's open transaction (the caller commits):
    each result a :class:`SettlementOut`, or the :class:`MinshengError` that refused it. What a
    refusal must leave behind (a patient miss counted and audited) is written here, in the
    batch's transaction."""
    results = settle_all(session, items, tree)
    for r in results:
        if isinstance(r, MinshengError):
            for work in r.after_rollback:
                work(session)
            r.after_rollback.clear()
    return results


def settle_all(
    session: Session, items: Sequence[Item], tree: ParameterTree | None = None
) -> list[Outcome]:
    """:func:`settle_many` leaving each refusal's ``after_rollback`` to the caller (the single
    settlement raises the error and its unit of work runs them after the rollback)."""
    session.flush()
    results: list[Outcome | None] = [None] * len(items)
    start = 0
    for i, item in enumerate(items):
        patient = item.bill.patient
        if patient.ecard and not patient.id_number:
            _batch(session, items, range(start, i), results, tree)
            results[i] = _alone(session, item, tree)
            start = i + 1
    _batch(session, items, range(start, len(items)), results, tree)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _alone(session: Session, item: Item, tree: ParameterTree | None) -> Outcome:
    """One bill in its own savepoint, read by read (retried once after a concurrent duplicate
    key)."""
    for attempt in (1, 2):
        nested = session.begin_nested()
        try:
            result = service._settle_single(session, item.bill, item.by, item.key, tree)
            nested.commit()
            return result
        except MinshengError as err:
            nested.rollback()
            return err
        except IntegrityError as err:
            nested.rollback()
            if "idempotency_key" not in str(err.orig) or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _batch(
    session: Session,
    items: Sequence[Item],
    span: range,
    results: list[Outcome | None],
    tree: ParameterTree | None,
) -> None:
    if not span:
        return
    if session.get_bind().dialect.name == "sqlite":
        # no savepoint: it serves the retry after a concurrent duplicate key, which SQLite's one
        # writer (BEGIN IMMEDIATE) cannot meet; any error fails the whole unit of work (group
        # commit then settles each bill alone)
        done = _Batch(session, [items[i] for i in span], tree).run()
        for i, r in zip(span, done, strict=True):
            results[i] = r
        return
    for attempt in (1, 2):
        nested = session.begin_nested()
        try:
            done = _Batch(session, [items[i] for i in span], tree).run()
            nested.commit()
            for i, r in zip(span, done, strict=True):
                results[i] = r
            return
        except IntegrityError as err:
            # a concurrent request with one of these keys committed first (PostgreSQL,
            # another process): once more, now finding the winner — a retry's answer or a 409
            nested.rollback()
            if "idempotency_key" not in str(err.orig) or attempt == 2:
                raise


@dataclass
class _Bill:
    """One bill as the batch works on it."""

    item: Item
    key: str | None = None  # scoped
    hospital: load.Hospital | None = None
    patient: load.Patient | None = None
    fp: str = ""
    parsed: rules.Lines | None = None  # the bill's lines, parsed once
    parts: tuple[int, int, int, int] | None = None  # and split, for the whole batch at once
    enrolment: tuple[str, str] = ("", "")
    same_as: int | None = None  # an earlier bill of the batch with this key and fingerprint
    wave: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    steps: list[FundStep] = field(default_factory=list)


def _try(fn: Callable[..., Any], *args: Any) -> tuple[Any, MinshengError | None]:
    try:
        return fn(*args), None
    except MinshengError as err:
        return None, err


class _Batch:
    def __init__(self, session: Session, items: list[Item], tree: ParameterTree | None) -> None:
        self.session, self.items, self.tree = session, items, tree
        self.bills = [_Bill(item) for item in items]
        self.out: list[Outcome | None] = [None] * len(items)
        self.params: dict[tuple[dt.date, str], rules.MedicalParams] = {}

    def run(self) -> list[Outcome]:
        settling = self._check()
        if settling:
            self.ledgers = load.lock_ledgers(
                self.session,
                {(b.patient.id, b.item.bill.service_date.year) for b in settling},  # type: ignore[union-attr]
            )
            self.accounts = load.lock_accounts(self.session, [b.patient for b in settling])  # type: ignore[misc]
            parts = split_sums([b.parsed for b in settling])  # type: ignore[misc]
            for b, p in zip(settling, parts, strict=True):
                b.parts = p
            self._waves(settling)
            self._write(settling)
        for i, b in enumerate(self.bills):
            if b.same_as is not None:
                self.out[i] = self.out[b.same_as]
        assert all(r is not None for r in self.out)
        return [r for r in self.out if r is not None]

    # ------------------------------------------------------------------------ the checks

    def _check(self) -> list[_Bill]:
        """Every check that may refuse a bill, in the order a single settlement makes them;
        the bills to settle."""
        session, n = self.session, len(self.bills)
        early: list[list[Any]] = [[None, None, None] for _ in range(n)]  # key, code, patient
        codes: set[str] = set()
        numbers: set[str] = set()
        for i, b in enumerate(self.bills):
            bill, by = b.item.bill, b.item.by
            early[i] = [
                _try(check_key, b.item.key),
                _try(lambda code: ids.parse_facility_code(code).code, bill.facility_code),
                _try(presented_as, bill, by),
            ]
            if early[i][1][1] is None:
                codes.add(early[i][1][0])
            if early[i][2][1] is None and early[i][2][0][0] == "id_number":
                numbers.add(str(early[i][2][0][1]))
        hospitals = load.hospitals(session, codes)
        named = {int(e[2][0][1]) for e in early if e[2][1] is None and e[2][0][0] == "person_id"}
        found, people = load.people(session, numbers, named)
        misses: dict[str, int] = {}
        alive: list[int] = []
        for i, b in enumerate(self.bills):
            try:
                self._identify(b, early[i], hospitals, found, people, misses)
                alive.append(i)
            except MinshengError as err:
                self.out[i] = err
        return self._keys(alive)

    def _identify(
        self,
        b: _Bill,
        early: list[Any],
        hospitals: dict[str, load.Hospital],
        found: dict[str, int],
        people: dict[int, load.Patient],
        misses: dict[str, int],
    ) -> None:
        by, bill = b.item.by, b.item.bill
        for _, err in early[:2]:
            if err is not None:
                raise err
        key, code = early[0][0], early[1][0]
        b.key = _scoped(by, key) if key else None
        hospital = hospitals.get(code)
        if hospital is None:
            raise NotFoundError("facility_code", f"定点医疗机构{code}未登记", f"no facility {code}")
        by.require_covers(hospital.division_code, "facility")
        named, err = early[2]
        if err is not None:
            raise err
        via, presented = named
        if via == "id_number":
            person_id = found.get(str(presented))
            if by.kind != "system":
                mkey = _miss_key(by)
                if mkey not in misses:
                    misses[mkey] = misses_in_window(self.session, mkey)
                if misses[mkey] >= PATIENT_MISSES_PER_HOUR:
                    raise _too_many_misses()  # whatever the number: the refusal tells nothing
                if person_id is None:
                    misses[mkey] += 1
                    raise _missing(by, mkey)
        else:
            person_id = int(presented)
        if person_id is None or person_id not in people:
            raise _no_such_patient()
        b.hospital, b.patient = hospital, people[person_id]
        service._not_future(bill)
        b.parsed = parse_lines(list(bill.lines))
        b.fp = fingerprint(bill, b.patient, hospital, b.parsed)  # type: ignore[arg-type]

    def _keys(self, alive: list[int]) -> list[_Bill]:
        """Each key's first use — stored (a retry answers it, another bill is a 409) or earlier
        in this batch — then the enrolment and the stated balance: the bills to settle."""
        stored = load.keyed(self.session, {k for i in alive if (k := self.bills[i].key)})
        first: dict[str, int] = {}
        settling: list[_Bill] = []
        for i in alive:
            b = self.bills[i]
            try:
                if b.key is not None and b.key in stored:
                    row = stored[b.key]
                    if service._first_fingerprint(self.session, row) != b.fp:
                        raise service._key_reused(str(b.item.key))
                    self.out[i] = service.out(row)  # a retry: the first answer, nothing posted
                    continue
                if b.key is not None and b.key in first:
                    j = first[b.key]
                    if self.bills[j].fp != b.fp:
                        raise service._key_reused(str(b.item.key))
                    b.same_as = j
                    continue
                assert b.patient is not None
                b.enrolment = enrolled(b.patient, b.item.bill.service_date)  # type: ignore[arg-type]
                stated_balance(b.item.bill)
            except MinshengError as err:
                self.out[i] = err
                continue
            if b.key is not None:
                first[b.key] = i
            settling.append(b)
        return settling

    # ------------------------------------------------------------------------ the rules

    def _waves(self, settling: list[_Bill]) -> None:
        last: dict[tuple[str, int | str], int] = {}
        waves: list[list[_Bill]] = []
        for b in settling:
            assert b.patient is not None
            uses: list[tuple[str, int | str]] = [("person", b.patient.id)]
            household = b.patient.household_id
            if household is not None and self.accounts.shared(household):
                uses.append(("household", household))  # family accounts: one after the other
            if b.key is not None:
                uses.append(("key", b.key))
            b.wave = 1 + max((last.get(u, -1) for u in uses), default=-1)
            for u in uses:
                last[u] = b.wave
            if b.wave == len(waves):
                waves.append([])
            waves[b.wave].append(b)
        for wave in waves:
            self._wave(wave)

    def _wave(self, wave: list[_Bill]) -> None:
        groups: dict[int, list[tuple[_Bill, Inputs]]] = {}
        for b in wave:
            inputs = self._inputs(b)
            groups.setdefault(id(inputs.params), []).append((b, inputs))
        rows: list[dict[str, Any]] = []
        done: list[_Bill] = []
        for group in groups.values():
            params = group[0][1].params
            bills = rules.Bills.of([inputs.row for _, inputs in group])
            ledgers = [self._ledger(b) for b, _ in group]
            before = rules.Totals(
                *[
                    np.array([getattr(lg, f) for lg in ledgers], dtype=np.int64)
                    for f in TOTAL_FIELDS
                ]
            )
            r = rules.settle(bills, before, params)
            for k, (b, inputs) in enumerate(group):
                assert b.patient is not None and b.hospital is not None
                b.steps, explained = posting.explanation(bills, r, params, k)
                v = posting.values(
                    b.item.bill, b.patient.id, b.hospital.id, b.fp, inputs, r, k, explained,
                    b.item.by.actor,
                )  # fmt: skip
                v["idempotency_key"] = b.key
                debits: list[list[int]] = []
                if inputs.accounts and v["account"]:
                    debits = debit(self.accounts.balance, inputs.accounts, v["account"])
                    self.accounts.touched.update(pid for pid, _ in debits)
                v["account_debits"] = json.dumps(debits)
                _post(ledgers[k], SimpleNamespace(**v), +1)
                ledgers[k].touched = True
                b.values = v
                rows.append(v)
                done.append(b)
        # Core on the connection, no ORM bookkeeping for rows the session never holds: the ids
        # drawn first (PostgreSQL's sequence; on SQLite above the largest — the unit of work
        # holds the write lock, BEGIN IMMEDIATE, and a settlement is never deleted), then one
        # executemany of the driver (a many-row INSERT … RETURNING is re-parsed by psycopg on
        # every call and costs SQLite a third more than the plain rows)
        conn = self.session.connection()
        if conn.dialect.name == "postgresql":
            ids_ = conn.execute(load.NEXT_IDS, {"n": len(rows)}).scalars().all()
        else:
            last = int(conn.execute(load.LAST_ID).scalar_one())
            ids_ = list(range(last + 1, last + 1 + len(rows)))
        for v, sid in zip(rows, ids_, strict=True):
            v["id"] = sid
        load.add_settlements(conn, rows)

    def _ledger(self, b: _Bill) -> load.Ledger:
        assert b.patient is not None
        return self.ledgers[(b.patient.id, b.item.bill.service_date.year)]

    def _inputs(self, b: _Bill) -> Inputs:
        """The rules' view of the bill, from the facts read for the batch and the totals and
        balances the bills before it left."""
        bill, patient, hospital = b.item.bill, b.patient, b.hospital
        assert patient is not None and hospital is not None
        day = bill.service_date
        scheme, home = b.enrolment
        params = params_on(day, home, self.tree, self.params)
        person: Any = patient  # a Person's attributes, read as the single settlement reads them
        waived = _registration_waiver(self.session, bill, person, home)
        accounts = accounts_of(
            bill,
            patient.id,
            scheme,
            self.accounts.own(patient.id),
            self.accounts.relatives(patient),
        )
        years = _years(self.session, person, day, params)
        return make_inputs(
            bill,
            person,
            hospital,
            self._ledger(b),
            b.enrolment,
            params,
            waived,
            accounts,
            years,
            b.parsed,
            b.parts,
        )

    # ------------------------------------------------------------------------ the writes

    def _write(self, settling: list[_Bill]) -> None:
        session = self.session
        conn = session.connection()
        touched = [lg for lg in self.ledgers.values() if lg.touched]
        if touched:
            conn.execute(
                load.SET_LEDGER,
                [
                    {"k_person": lg.person_id, "k_year": lg.year}
                    | {f"v_{f}": getattr(lg, f) for f in load.LEDGER_FIELDS}
                    for lg in touched
                ],
            )
        balances = self.accounts.balance
        if self.accounts.touched:
            conn.execute(
                load.SET_BALANCE,
                [{"k_person": p, "v_balance": balances[p]} for p in sorted(self.accounts.touched)],
            )
        stale: list[Any] = [identity_key(LedgerYear, (lg.person_id, lg.year)) for lg in touched]
        stale += [identity_key(PersonalAccount, (p,)) for p in self.accounts.touched]
        for k in stale:  # an ORM copy read earlier in this session would be out of date
            obj = session.identity_map.get(k)
            if obj is not None:
                session.expire(obj)
        index = {id(b): i for i, b in enumerate(self.bills)}
        for b in sorted(settling, key=lambda b: index[id(b)]):
            v = b.values
            assert b.hospital is not None
            audit.record(
                session,
                b.item.by,
                "settle",
                "med_settlement",
                v["id"],
                b.hospital.division_code,
                {"person_id": v["person_id"], "total": v["total"]},
            )
            self.out[index[id(b)]] = out_of(v, b.steps)
