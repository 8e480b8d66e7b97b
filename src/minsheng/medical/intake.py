"""What arrives at the window, checked and made ready for the rules: the bill's lines bounded
and split, the patient by the identity presented, the hospital, the idempotency key, the bill's
fingerprint, the personal accounts that may pay, and the rules' typed view of the bill
(:class:`Inputs`, whose JSON is what a settlement stores as its inputs)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from minsheng.cards import service as cards
from minsheng.core import divisions, ids, money, text
from minsheng.core.errors import (
    NotFoundError,
    invalid,
)
from minsheng.foundation.principals import Principal
from minsheng.medical import person_facts, rules
from minsheng.medical.amounts import parse_lines as parse_lines
from minsheng.medical.misses import (  # re-exported: desk.py and tests read them here
    MISS_WINDOW as MISS_WINDOW,
)
from minsheng.medical.misses import (
    PATIENT_MISSES_PER_HOUR as PATIENT_MISSES_PER_HOUR,
)
from minsheng.medical.misses import (
    _count_miss as _count_miss,
)
from minsheng.medical.misses import (
    _miss_key as _miss_key,
)
from minsheng.medical.misses import (
    _misses_spent as _misses_spent,
)
from minsheng.medical.misses import (
    _missing as _missing,
)
from minsheng.medical.misses import (
    _no_such_patient as _no_such_patient,
)
from minsheng.medical.misses import (
    _too_many_misses as _too_many_misses,
)
from minsheng.medical.misses import (
    misses_in_window as misses_in_window,
)
from minsheng.medical.models import LedgerYear, PersonalAccount, Settlement
from minsheng.medical.schemas import BillIn
from minsheng.policy import ParameterTree, load
from minsheng.registry import service as registry
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Facility, Person

# Engineering bounds (not policy; docs/medical.md):
KEY_MAX = text.KEY_MAX  # an Idempotency-Key: 1–64 of A–Z a–z 0–9 . _ : - (core.text)


def _patient(
    session: Session, bill: BillIn, by: Principal, trusted: bool = False
) -> tuple[Person, str]:
    """The patient, by the identity presented at the window (the ID number), and how found.

    An internal ``person_id`` is accepted only from a stored, already-checked bill (``trusted``)
    or from the platform itself (the CLI): ids are enumerable, and a pre-settlement shows the
    person's scheme, special groups and caps."""
    via, presented = presented_as(bill, by, trusted)
    person: Person | None
    if via == "id_number":
        key = _miss_key(by)
        if by.kind != "system" and _misses_spent(session, key):
            raise _too_many_misses()  # whatever the number: the refusal tells nothing
        person = find_by_id_number(session, str(presented))
        if person is None and by.kind != "system":
            raise _missing(by, key)
    elif via == "ecard":
        # the patient shows the electronic card: it proves presence, names no ID number, and
        # is not counted as a look-up (a wrong code is refused by the card service alike)
        person = cards.scan(session, str(presented), by, dt.datetime.now(dt.UTC))
    else:
        person = session.get(Person, presented)
    if person is None:
        raise _no_such_patient()
    return person, via


def presented_as(bill: BillIn, by: Principal, trusted: bool = False) -> tuple[str, str | int]:
    """How the patient is named ("id_number", "ecard" or "person_id") and by what (the ID
    number checked, the card's code, the internal id) — or a clear 422."""
    patient = bill.patient
    if patient.id_number:
        return "id_number", ids.parse_resident_id(patient.id_number, "patient.id_number").number
    if patient.ecard:
        return "ecard", patient.ecard
    if patient.person_id is not None:
        if not (trusted or by.kind == "system"):
            raise invalid(
                "patient.person_id",
                "presented_identity",
                "请填写患者出示的身份证号；不能凭内部人员编号结算",
                "give the ID number the patient presents; an internal person_id is not accepted",
                bo="ནད་པས་སྟོན་པའི་ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་འབྲི་དགོས།",
            )
        return "person_id", patient.person_id
    raise invalid(
        "patient",
        "patient_required",
        "请填写患者的身份证号或扫描电子社保卡",
        "give the patient's ID number or scan the electronic card",
        bo="ནད་པའི་ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་འབྲི་དགོས།",
    )


def check_key(key: str | None) -> str | None:
    """An ``Idempotency-Key`` as sent, or a clear 422 (never a 500 from a column too short)."""
    return text.idempotency_key(key)


def _scoped(by: Principal, key: str) -> str:
    """The stored key: the caller's own (two hospitals may both send "1")."""
    scoped = f"{by.actor}:{key}"
    if len(scoped) > 120:  # the column; actors are short ("user:12", "token:3", "system:cli")
        raise invalid(
            "idempotency_key", "key_format", "幂等键过长", "the Idempotency-Key is too long"
        )
    return scoped


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(
    bill: BillIn, person: Person, facility: Facility, parsed: rules.Lines | None = None
) -> str:
    """SHA-256 over a canonical JSON of the bill as parsed: the same bill written differently
    ("100" or "100.00", a default spelt out) has the same fingerprint. The patient enters as the
    internal person id — never the ID number, which a plain hash would not hide. (``parsed``:
    the bill's lines already parsed.)"""
    parsed = parsed if parsed is not None else parse_lines(list(bill.lines))
    columns = [getattr(parsed, f) for f in parsed.__dataclass_fields__]
    lines = [
        [ln.code, ln.name, ln.category, ln.registration, *(int(c[i]) for c in columns)]
        for i, ln in enumerate(bill.lines)
    ]
    canon = {
        "v": 1,
        "person": person.id,
        "facility": facility.id,
        "visit": bill.visit,
        "service_date": bill.service_date.isoformat(),
        "admission_no": bill.admission_no or None,
        "diagnosis": bill.diagnosis or None,
        "out_of_area_filed": bill.out_of_area_filed,
        "major_disease": bill.major_disease,
        "account_balance": money.parse(bill.account_balance, "account_balance"),
        "lines": lines,
    }
    if bill.referred_from_level:  # only when stated: earlier bills keep their fingerprints
        canon["referred_from"] = bill.referred_from_level
    return hashlib.sha256(_canonical(canon).encode()).hexdigest()


def referenced_bill(bill: BillIn, person_id: int) -> str:
    """The bill as stored: as received, but the patient referenced by person id."""
    rest = bill.model_dump_json(exclude={"patient"})  # pydantic's encoder: no dict on the way
    return f'{{"patient": {{"person_id": {int(person_id)}}}, {rest[1:]}'  # (a bill has fields)


_FACILITY = select(Facility).where(Facility.code == bindparam("code"))  # built once


def _facility(session: Session, code: str, by: Principal) -> Facility:
    code = ids.parse_facility_code(code).code
    facility = session.scalar(_FACILITY, {"code": code})
    if facility is None:
        raise NotFoundError("facility_code", f"定点医疗机构{code}未登记", f"no facility {code}")
    by.require_covers(facility.division_code, "facility")  # cashiers settle at their own hospitals
    return facility


@dataclass(frozen=True)
class Inputs:
    """The rules' view of one bill (:class:`rules.BillRow`), the accounts that may pay it (in
    order), the pooling region whose figures apply, and whether the registration fee was
    waived; with the figures themselves (not stored)."""

    row: rules.BillRow
    accounts: list[int]
    pooling_region: str
    registration_waived: bool
    params: rules.MedicalParams

    def stored(self) -> dict[str, Any]:
        """What a settlement stores as its ``inputs`` (and :func:`ledger.replay_year` reads)."""
        row = self.row  # its fields are plain values (no deep copy needed)
        data = {name: getattr(row, name) for name in _STORED}
        return data | {
            "accounts": self.accounts,
            "pooling_region": self.pooling_region,
            "registration_waived": self.registration_waived,
        }


_STORED = tuple(f.name for f in fields(rules.BillRow) if f.name != "total")


def bill_row(
    session: Session,
    bill: BillIn,
    person: Person,
    facility: Facility,
    ledger: LedgerYear | None,
    tree: ParameterTree | None = None,
) -> Inputs:
    """The rules' view of one bill: who the patient is on the day of service, and where."""
    day = bill.service_date
    scheme, home = enrolled(person, day)
    params = params_on(day, home, tree)
    waived = _registration_waiver(session, bill, person, home)
    balance, accounts = _accounts(session, bill, person, scheme, day)
    years = _years(session, person, day, params)
    return make_inputs(bill, person, facility, ledger, (scheme, home), params, waived,
                       (balance, accounts), years)  # fmt: skip


def enrolled(person: Person, day: dt.date) -> tuple[str, str]:
    """The patient's (scheme, pooling region) on ``day``, or a clear 422."""
    enrolment = registry.enrolment_on(person, day)
    if enrolment is None:
        raise invalid(
            "patient",
            "not_enrolled",
            f"参保人在{day}未参加基本医疗保险",
            f"the patient is not enrolled in basic medical insurance on {day}",
        )
    return enrolment.scheme, enrolment.pooling_region


def params_on(
    day: dt.date,
    region: str,
    tree: ParameterTree | None = None,
    cache: dict[tuple[dt.date, str], rules.MedicalParams] | None = None,
) -> rules.MedicalParams:
    """The figures in force in ``region`` on ``day`` under ``tree`` (default: the rules in
    force). Building them takes milliseconds, so they are kept: per (tree, day, region), the
    last :data:`PARAMS_KEPT` (a tree is immutable once loaded; ``cache``: a batch's own)."""
    if cache is not None and (day, region) in cache:
        return cache[(day, region)]
    source = tree or load()
    key = (id(source), day, region)
    with _PARAMS_LOCK:
        kept = _PARAMS.get(key)
        if kept is not None and kept[0] is source:
            _PARAMS.move_to_end(key)
    if kept is not None and kept[0] is source:
        params = kept[1]
    else:
        params = rules.MedicalParams.from_snapshot(source.at(day, region))
        with _PARAMS_LOCK:
            _PARAMS[key] = (source, params)  # the tree held: its id is not reused while kept
            while len(_PARAMS) > PARAMS_KEPT:
                _PARAMS.popitem(last=False)
    if cache is not None:
        cache[(day, region)] = params
    return params


PARAMS_KEPT = 256  # (tree, day, region) figures kept in memory: an engineering bound
_PARAMS: OrderedDict[tuple[int, dt.date, str], tuple[ParameterTree, rules.MedicalParams]] = (
    OrderedDict()
)
_PARAMS_LOCK = threading.Lock()


def make_inputs(
    bill: BillIn,
    person: Person,
    facility: Any,
    ledger: Any,
    enrolment: tuple[str, str],
    params: rules.MedicalParams,
    waived: bool,
    accounts: tuple[int, list[int]],
    years: dict[str, int],
    parsed: rules.Lines | None = None,
    parts: tuple[int, int, int, int] | None = None,
) -> Inputs:
    """The rules' view of one bill from the facts read about it (no reads here: the single
    settlement reads them one by one, a batch for all its bills at once). ``ledger``: the
    year's totals before the bill (its ``admissions``), or None; ``parsed``: the bill's lines
    already parsed, ``parts``: their split already summed (全自费, 超限价, 先行自付, 政策范围内:
    :func:`split_sums`, for a batch's bills at once)."""
    day = bill.service_date
    scheme, home = enrolment
    statuses = set(registry.statuses_on(person, day))
    there = divisions.pooling_region(facility.division_code)
    area = "local" if home == there else ("filed" if bill.out_of_area_filed else "unfiled")
    if waived:
        lines = [
            ln.model_copy(update={"unit_price": "0"}) if ln.registration else ln
            for ln in bill.lines
        ]
        parts = split_sums([parse_lines(lines)])[0]
    elif parts is None:
        parts = split_sums([parsed if parsed is not None else parse_lines(list(bill.lines))])[0]
    full_self, over_limit, self_first, policy = parts
    balance, order = accounts
    admissions = ledger.admissions if ledger is not None else 0
    row = rules.BillRow(
        scheme=scheme,
        visit=bill.visit,
        level=facility.level,
        area=area,
        full_self=full_self,
        over_limit=over_limit,
        self_first=self_first,
        policy=policy,
        later_admission=bill.visit == "inpatient" and admissions > 0,
        admission=admissions + 1 if bill.visit == "inpatient" else 0,
        referred_from=bill.referred_from_level if bill.visit == "inpatient" else 0,
        special=params.special(statuses, scheme),
        group=params.group_of(statuses),
        border=rules.BORDER in statuses,
        major_disease=bill.major_disease,
        account_balance=balance,
        age=person_facts.age_on(person.birth_date, day),  # the registry's birth date
        **years,
    )
    return Inputs(row, order, home, waived, params)


def split_sums(bills: list[rules.Lines]) -> list[tuple[int, int, int, int]]:
    """Each bill's lines split (``rules.split_lines``, line by line) and summed: (全自费,
    超限价自费, 先行自付, 政策范围内) — the lines of all the bills in one vectorised pass."""
    names = rules.Lines.__dataclass_fields__
    joined = rules.Lines(*[np.concatenate([getattr(b, f) for b in bills]) for f in names])
    split = rules.split_lines(joined)
    starts = np.cumsum([0] + [len(b.category) for b in bills[:-1]])
    sums = [
        np.add.reduceat(getattr(split, f), starts)
        for f in ("full_self", "over_limit", "self_first", "policy")
    ]
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(*sums, strict=True)]


def _years(
    session: Session, person: Person, day: dt.date, params: rules.MedicalParams
) -> dict[str, int]:
    """The enrolment and zero-claim years (``person_facts.py``), read only for a region whose
    terms use them (Tibet's do not: no query is added to its bills)."""
    terms = params.t.person
    if not (terms.enrol_on or terms.cap_on):
        return {}
    periods = [(e.start_date, e.end_date) for e in person.enrolments]
    enrolled = person_facts.enrolled_years(periods, day.year)
    zero = person_facts.zero_claim_years(session, person.id, day.year, enrolled)
    return {"enrolled_years": enrolled, "zero_claim_years": zero}


def _accounts(
    session: Session, bill: BillIn, person: Person, scheme: str, day: dt.date
) -> tuple[int, list[int]]:
    """What personal accounts may pay (balance, accounts in order): the patient's own
    (employees), then relatives' in the same household who share theirs (家庭共济). A balance
    stated on the bill by the hospital's system is used when the patient has no account."""
    own = session.get(PersonalAccount, person.id)
    relatives: list[tuple[int, int]] = []
    if person.household_id is not None:
        relatives = [
            (a.person_id, a.balance)
            for a in session.execute(
                select(PersonalAccount)
                .join(Person, Person.id == PersonalAccount.person_id)
                .where(
                    Person.household_id == person.household_id,
                    Person.id != person.id,
                    PersonalAccount.family_sharing.is_(True),
                    PersonalAccount.balance > 0,
                )
                .order_by(PersonalAccount.person_id)
            ).scalars()
        ]
    return accounts_of(bill, person.id, scheme, None if own is None else own.balance, relatives)


def accounts_of(
    bill: BillIn,
    person_id: int,
    scheme: str,
    own: int | None,
    relatives: list[tuple[int, int]],
) -> tuple[int, list[int]]:
    """(balance, accounts in order) from the patient's own balance (None: no account) and the
    sharing relatives' (person id, balance) with a balance, in person-id order."""
    stated = stated_balance(bill)
    order: list[int] = []
    balance = 0
    if own is not None and scheme != "resident":
        order.append(person_id)
        balance += own
    for relative, fen in relatives:
        order.append(relative)
        balance += fen
    if not order:
        return (stated if scheme != "resident" else 0), []
    return balance, order


def stated_balance(bill: BillIn) -> int:
    """The balance the hospital's system states on the bill (fen), or a clear 422."""
    stated = money.parse(bill.account_balance, "account_balance")
    if stated < 0:
        raise invalid(
            "account_balance", "negative", "个人账户余额不能为负", "a balance cannot be negative"
        )
    return stated


def _registration_waiver(session: Session, bill: BillIn, person: Person, region: str) -> bool:
    """Whether this outpatient visit's registration fee is waived ("挂一次号管3天")."""
    if (
        bill.visit != "outpatient"
        or not bill.diagnosis
        or not any(ln.registration for ln in bill.lines)
    ):
        return False
    window = load().at(bill.service_date, region)["medical.registration_fee_waiver_days"]
    if not isinstance(window, int) or window <= 0:
        return False
    last = session.scalar(
        select(Settlement.service_date)
        .where(
            Settlement.person_id == person.id,
            Settlement.kind == "settle",
            Settlement.reversed_by_id.is_(None),
            Settlement.visit == "outpatient",
            Settlement.diagnosis == bill.diagnosis,
            Settlement.service_date <= bill.service_date,
        )
        .order_by(Settlement.service_date.desc())
        .limit(1)
    )
    days = np.array([(bill.service_date - last).days if last else -1], dtype=np.int64)
    return bool(rules.registration_waived(days, window)[0])
