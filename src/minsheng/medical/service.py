"""Settling a bill: who the patient is, the figures in force, the locked running totals, the pure
rules, and one transaction that writes the settlement, the new totals and the audit entry.

Hardening (issue 10, docs/medical.md): the patient is identified by the identity presented at the
window, never by an enumerable internal id; a pre-settlement is an audited read, stored so that
confirming posts exactly what was previewed; an idempotency key is bound to the fingerprint of
the first bill sent with it; stored bills reference the person, never the ID number."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.core.errors import (
    ConflictError,
    MinshengError,
    NotFoundError,
    invalid,
)
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.medical import posting, rules
from minsheng.medical.intake import (  # noqa: F401  (the service's public names, re-exported)
    KEY_MAX,
    Inputs,
    _facility,
    _patient,
    _scoped,
    bill_row,
    check_key,
    fingerprint,
    referenced_bill,
)
from minsheng.medical.intake import (
    parse_lines as parse_lines,
)
from minsheng.medical.ledger import (  # noqa: F401  (re-exported for api, pages and cli)
    TOTAL_FIELDS,
    _before,
    _debit,
    _lock,
    _post,
)
from minsheng.medical.ledger import (
    replay_year as replay_year,
)
from minsheng.medical.ledger import (
    totals as totals,
)
from minsheng.medical.models import LedgerYear, PersonalAccount, Preview, Settlement
from minsheng.medical.reads import (
    _no_settlement,
    _visible,
)
from minsheng.medical.reads import (
    get as get,
)
from minsheng.medical.reads import (
    list_for as list_for,
)
from minsheng.medical.reads import (
    out as out,
)
from minsheng.medical.reads import (
    person_in_region as person_in_region,
)
from minsheng.medical.reads import (
    render as render,
)
from minsheng.medical.schemas import BillIn, PatientOut, SettlementOut
from minsheng.policy import ParameterTree
from minsheng.registry import service as registry
from minsheng.registry.models import Facility, Person

PREVIEW_TTL = dt.timedelta(minutes=15)  # a pre-settlement may be confirmed this long
PREVIEW_KEEP = dt.timedelta(days=1)  # expired pre-settlements are purged after this
FIGURES = (
    "total",
    "basic",
    "ci",
    "assistance",
    "tilted",
    "commercial",
    "patient",
    "account",
    "cash",
)
T = TypeVar("T")


_BY_KEY = select(Settlement).where(Settlement.idempotency_key == bindparam("key"))  # built once


def _not_future(bill: BillIn) -> None:
    if bill.service_date > dt.date.today():
        raise invalid(
            "service_date", "future", "就诊日期不能在未来", "the date of service is in the future"
        )


def _compute(
    session: Session,
    bill: BillIn,
    by: Principal,
    person: Person,
    facility: Facility,
    ledger: LedgerYear | None,
    fp: str,
    tree: ParameterTree | None,
) -> tuple[Settlement, Inputs]:
    """The settlement this bill makes against ``ledger`` (not added to the session)."""
    inputs = bill_row(session, bill, person, facility, ledger, tree)
    bills = rules.Bills.of([inputs.row])
    r = rules.settle(bills, _before(ledger), inputs.params)
    _, explained = posting.explanation(bills, r, inputs.params, 0)
    values = posting.values(bill, person.id, facility.id, fp, inputs, r, 0, explained, by.actor)
    return Settlement(**values), inputs


def settle(
    session: Session,
    bill: BillIn,
    by: Principal,
    idempotency_key: str | None = None,
    preview: bool = False,
    tree: ParameterTree | None = None,
) -> SettlementOut:
    """Settle (or, with ``preview``, pre-settle without posting) one bill: a batch of one
    (:func:`batch.settle_many`: one settlement path for the window, the HIS and group commit).

    With an ``idempotency_key``, a retry of the same bill returns the first answer and posts
    nothing; the same key with another bill is refused (409 naming the key)."""
    check_key(idempotency_key)
    if preview:
        return presettle(session, bill, by, tree)
    from minsheng.medical import batch  # it builds on this module

    (result,) = batch.settle_all(session, [batch.Item(bill, by, idempotency_key)], tree)
    if isinstance(result, MinshengError):
        raise result  # its after_rollback (a patient miss counted) left to the unit of work
    return result


def _settle_single(
    session: Session, bill: BillIn, by: Principal, key: str | None, tree: ParameterTree | None
) -> SettlementOut:
    """One bill on its own, read by read (a batch's bill of a patient who shows the electronic
    card: scanning it is a write of its own)."""
    key = check_key(key)
    facility = _facility(session, bill.facility_code, by)
    person, _ = _patient(session, bill, by)
    return _settle(
        session, bill, by, person, facility, key, _scoped(by, key) if key else None, tree
    )


def _key_reused(shown: str) -> ConflictError:
    return ConflictError(
        "idempotency_key",
        "key_reused",
        f"幂等键“{shown}”已用于另一张账单；新账单请用新的键",
        f"the Idempotency-Key {shown!r} was already used for a different bill; "
        "send a new bill with a new key",
        bo=f"Idempotency-Key “{shown}” ནི་ཐོ་ཁྲ་གཞན་ཞིག་ལ་བེད་སྤྱོད་བྱས་ཟིན།",
    )


def _first_fingerprint(session: Session, first: Any) -> str | None:
    """The fingerprint stored with a key; for rows from before it was stored, the stored
    bill's (None if that bill no longer reads: then nothing can match it)."""
    if first.fingerprint:
        return str(first.fingerprint)
    person = session.get(Person, first.person_id)
    facility = session.get(Facility, first.facility_id)
    try:
        stored = BillIn.model_validate_json(first.bill)
        assert person is not None and facility is not None
        return fingerprint(stored, person, facility)
    except (ValidationError, ValueError, AssertionError):
        return None


def _settle(
    session: Session,
    bill: BillIn,
    by: Principal,
    person: Person,
    facility: Facility,
    shown_key: str | None,
    key: str | None,
    tree: ParameterTree | None = None,
    expect: dict[str, int] | None = None,
) -> SettlementOut:
    _not_future(bill)
    fp = fingerprint(bill, person, facility)
    ledger = _lock(session, person.id, bill.service_date.year)
    if key is not None:
        first = session.scalar(_BY_KEY, {"key": key})
        if first is not None:
            if _first_fingerprint(session, first) != fp:
                raise _key_reused(shown_key or key)
            return out(first)  # a retry: the first answer, nothing posted
    s, inputs = _compute(session, bill, by, person, facility, ledger, fp, tree)
    s.idempotency_key = key
    if expect is not None and any(getattr(s, f) != expect.get(f) for f in FIGURES):
        raise ConflictError(
            "preview_id",
            "figures_changed",
            "预结算后金额已有变化（另一笔结算或账户余额），请重新预结算",
            "the figures changed since the preview (another settlement or an account balance); "
            "preview again",
            bo="སྔོན་རྩིས་རྗེས་གྲངས་འབོར་འགྱུར་སོང་། ཡང་བསྐྱར་སྔོན་རྩིས་གནང་།",
        )
    if inputs.accounts and s.account:
        s.account_debits = json.dumps(_debit(session, inputs.accounts, s.account))
    _post(ledger, s, +1)
    session.add(s)
    session.flush()
    audit.record(
        session,
        by,
        "settle",
        "med_settlement",
        s.id,
        facility.division_code,
        {"person_id": person.id, "total": s.total},
    )
    return out(s)


def retrying(
    open_uow: Callable[[], AbstractContextManager[Session]], work: Callable[[Session], T]
) -> T:
    """Run ``work`` in a unit of work. If a concurrent request with the same idempotency key
    committed first (PostgreSQL: another person's or year's ledger row, so no shared lock — the
    unique key refuses this insert), run it once more: it now finds the winner and answers as
    a retry (or 409), never a 500."""
    try:
        with open_uow() as session:
            return work(session)
    except IntegrityError as err:
        if "idempotency_key" not in str(err.orig):
            raise
    with open_uow() as session:
        return work(session)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def who(person: Person, scheme: str, day: dt.date, p: rules.MedicalParams) -> PatientOut:
    """Who the patient is, for the cashier's check: the statuses a settlement looks at."""
    statuses = set(registry.statuses_on(person, day))
    return PatientOut(
        name_zh=person.name_zh,
        name_bo=person.name_bo,
        id_masked=person.id_masked,
        scheme=scheme,
        groups=[g for g in p.medical_statuses() if g in statuses],
    )


def presettle(
    session: Session, bill: BillIn, by: Principal, tree: ParameterTree | None = None
) -> SettlementOut:
    """预结算: the split without posting, and who the patient is, so the cashier can check the
    person. It reads the person's scheme, groups and caps, so it is audited. Under the rules in
    force it is stored (``Preview``) to be confirmed by id and fingerprint; under a reform
    overlay (``tree``) it is a what-if and cannot be confirmed."""
    facility = _facility(session, bill.facility_code, by)
    person, via = _patient(session, bill, by)
    _not_future(bill)
    fp = fingerprint(bill, person, facility)
    ledger = session.get(LedgerYear, (person.id, bill.service_date.year))
    s, inputs = _compute(session, bill, by, person, facility, ledger, fp, tree)
    result = out(s, preview=True)
    result.person = who(person, inputs.row.scheme, bill.service_date, inputs.params)
    audit.record(
        session,
        by,
        "presettle",
        "person",
        person.id,
        person.division_code,
        {"via": via, "facility_id": facility.id},
    )
    if tree is None:
        now = _now()
        session.execute(delete(Preview).where(Preview.expires_at < now - PREVIEW_KEEP))
        pv = Preview(
            person_id=person.id,
            facility_id=facility.id,
            fingerprint=fp,
            bill=s.bill,
            figures=json.dumps({f: getattr(s, f) for f in FIGURES}),
            created_by=by.actor,
            expires_at=now + PREVIEW_TTL,
        )
        session.add(pv)
        session.flush()
        result.preview_id, result.expires_at = pv.id, pv.expires_at
    return result


def confirm(
    session: Session,
    preview_id: int,
    fp: str,
    by: Principal,
    bill: BillIn | None = None,
) -> SettlementOut:
    """Post exactly the pre-settlement ``preview_id`` showed — or refuse, asking for a new one.

    The caller must be the one who previewed, give its fingerprint, and (if ``bill`` is given:
    the cashier's form as sent with the confirm) a bill with the same fingerprint; the figures
    must come out as shown. Confirming twice answers the same settlement."""
    pv = session.get(Preview, preview_id)
    if pv is None or pv.created_by != by.actor:
        raise NotFoundError(
            "preview_id",
            "没有这笔预结算，请重新预结算",
            "no such pre-settlement; preview again",
            bo="སྔོན་རྩིས་འདི་མེད། ཡང་བསྐྱར་སྔོན་རྩིས་གནང་།",
        )
    if fp != pv.fingerprint:
        raise ConflictError(
            "fingerprint",
            "preview_changed",
            "确认的不是所预结算的账单，请重新预结算",
            "this is not the bill that was previewed; preview again",
            bo="འདི་སྔོན་རྩིས་བྱས་པའི་ཐོ་ཁྲ་མིན། ཡང་བསྐྱར་སྔོན་རྩིས་གནང་།",
        )
    facility = session.get(Facility, pv.facility_id)
    person = session.get(Person, pv.person_id)
    assert facility is not None and person is not None  # foreign keys
    by.require_covers(facility.division_code, "facility")
    if bill is not None:
        shown, _ = _patient(session, bill, by)
        there = _facility(session, bill.facility_code, by)
        if fingerprint(bill, shown, there) != pv.fingerprint:
            raise ConflictError(
                "bill",
                "bill_changed",
                "账单在预结算后被修改，请重新计算",
                "the bill was changed after the preview; calculate again",
                bo="སྔོན་རྩིས་རྗེས་ཐོ་ཁྲ་བཟོ་བཅོས་བྱས་འདུག ཡང་བསྐྱར་རྩིས་རྒྱག་གནང་།",
            )
    if pv.settlement_id is not None:
        done = session.get(Settlement, pv.settlement_id)
        assert done is not None
        return out(done)
    if _aware(pv.expires_at) < _now():
        raise ConflictError(
            "preview_id",
            "preview_expired",
            "预结算已过期，请重新预结算",
            "the pre-settlement has expired; preview again",
            bo="སྔོན་རྩིས་དུས་ཚོད་ཡོལ་སོང་། ཡང་བསྐྱར་སྔོན་རྩིས་གནང་།",
        )
    stored = BillIn.model_validate_json(pv.bill)
    person_id = stored.patient.person_id
    assert person_id == person.id and fingerprint(stored, person, facility) == pv.fingerprint
    result = _settle(
        session,
        stored,
        by,
        person,
        facility,
        None,
        f"{by.actor}:preview/{pv.id}",  # a user's key cannot contain "/"
        expect=json.loads(pv.figures),
    )
    pv.settlement_id = result.id
    return result


def reverse(session: Session, settlement_id: int, by: Principal) -> SettlementOut:
    """冲销: a new record with the opposite amounts; the totals return exactly to what they were
    without the settlement."""
    original, facility, _ = _visible(session, settlement_id, by)
    if original.kind != "settle":
        raise _no_settlement(settlement_id)
    by.require_covers(facility.division_code, "facility")  # the patient's region reads only
    ledger = _lock(session, original.person_id, original.year)
    session.refresh(original)
    if original.reversed_by_id is not None:
        raise ConflictError(
            "settlement_id",
            "already_reversed",
            "该结算单已冲销",
            "this settlement was already reversed",
        )
    neg = {
        f: -getattr(original, f)
        for f in (
            "total",
            "full_self",
            "over_limit",
            "self_first",
            "policy",
            "basic",
            "ci",
            "assistance",
            "patient",
            "account",
            "cash",
            "op_deductible",
            "ci_base",
            "as_deductible",
            "basic_above",
            "cm_deductible",
        )
    }
    for f in ("tilted", "commercial"):  # NULL (no such layer in the region's order) stays NULL
        v = getattr(original, f)
        neg[f] = None if v is None else -v
    rev = Settlement(
        kind="reverse",
        person_id=original.person_id,
        year=original.year,
        facility_id=original.facility_id,
        reverses_id=original.id,
        service_date=original.service_date,
        visit=original.visit,
        scheme=original.scheme,
        level=original.level,
        area=original.area,
        admission_no=original.admission_no,
        diagnosis=original.diagnosis,
        explanation=original.explanation,
        bill=original.bill,
        inputs=original.inputs,
        account_debits="[]",
        created_by=by.actor,
        **neg,
    )
    _post(ledger, original, -1)
    for person_id, fen in json.loads(original.account_debits or "[]"):
        acct = session.get(PersonalAccount, person_id)
        if acct is not None:
            acct.balance += fen  # the money goes back where it came from
    session.add(rev)
    session.flush()
    original.reversed_by_id = rev.id
    audit.record(
        session,
        by,
        "reverse",
        "med_settlement",
        original.id,
        facility.division_code,
        {"reversal_id": rev.id},
    )
    return out(rev)
