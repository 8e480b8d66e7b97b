"""Settling a bill: who the patient is, the figures in force, the locked running totals, the pure
rules, and one transaction that writes the settlement, the new totals and the audit entry.

Hardening (issue 10, docs/medical.md): the patient is identified by the identity presented at the
window, never by an enumerable internal id; a pre-settlement is an audited read, stored so that
confirming posts exactly what was previewed; an idempotency key is bound to the fingerprint of
the first bill sent with it; stored bills reference the person, never the ID number."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.auth import audit
from minsheng.auth.permissions import Principal
from minsheng.core import divisions, ids, money
from minsheng.core.errors import (
    ConflictError,
    MinshengError,
    NotFoundError,
    invalid,
)
from minsheng.medical import rules
from minsheng.medical.models import LedgerYear, PersonalAccount, Preview, Settlement
from minsheng.medical.schemas import BillIn, FundStep, Line, PatientOut, SettlementOut
from minsheng.policy import ParameterTree, load
from minsheng.registry import service as registry
from minsheng.registry.models import Facility, Person

SPECIAL = {"tekun", "dibao", "poverty_return"}  # "一降一升一取消"
GROUP_ORDER = ("tekun", "dibao", "poverty_return", "dibao_edge")  # most generous first
MEDICAL_GROUPS = (*GROUP_ORDER, "border")  # the statuses a settlement looks at
# Engineering bounds (not policy; docs/medical.md):
KEY_MAX = 64  # an Idempotency-Key: 1–64 of A–Z a–z 0–9 . _ : - (a UUID or an HIS number fits)
KEY_PATTERN = re.compile(rf"[A-Za-z0-9._:-]{{1,{KEY_MAX}}}")
PREVIEW_TTL = dt.timedelta(minutes=15)  # a pre-settlement may be confirmed this long
PREVIEW_KEEP = dt.timedelta(days=1)  # expired pre-settlements are purged after this
FIGURES = ("total", "basic", "ci", "assistance", "patient", "account", "cash")
T = TypeVar("T")
TOTAL_FIELDS = (
    "op_deductible",
    "op_paid",
    "ip_paid",
    "ci_base",
    "ci_paid",
    "as_deductible",
    "as_paid",
)


# ----------------------------------------------------------------------------- input


def _decimal(
    text: str, field: str, lo: Decimal, hi: Decimal | None = None, places: int | None = None
) -> Decimal:
    """A decimal within [lo, hi] with at most ``places`` decimals, or a clear error."""
    raw = str(text).strip()
    if len(raw) > 32:
        raise invalid(
            field, "decimal", f"{field}不是数字：{raw[:32]!r}…", f"not a number: {raw[:32]!r}…"
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(
            field, "decimal", f"{field}不是数字：{text!r}", f"not a number: {text!r}"
        ) from None
    if not value.is_finite() or value < lo or (hi is not None and value > hi):
        raise invalid(
            field,
            "range",
            f"{field}超出范围：{text}（{lo}–{hi}）",
            f"{field} is out of range: {text} ({lo}–{hi})",
            bo=f"«{field}» ཡི་གྲངས་ཐང་ཚད་ལས་བརྒལ་འདུག ({lo}–{hi})",
        )
    exponent = value.normalize().as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent < -places:
        raise invalid(
            field,
            "decimals",
            f"{field}最多{places}位小数：{text}",
            f"{field} has at most {places} decimals: {text}",
            bo=f"«{field}» ཡི་ཚག་རྗེས་གྲངས་ཀ་{places}ལས་མང་བ་མི་ཆོག",
        )
    return value


def parse_lines(lines: list[Line]) -> rules.Lines:
    """The bill's lines as the rules' int64 vectors, every value bounded first.

    Bounds (docs/parameters.md, "Engineering maxima"): unit price and price limit at most
    ``MAX_PRICE_FEN``, quantity at most ``MAX_QUANTITY`` with ``MAX_QUANTITY_DECIMALS``
    decimals, each line's price × quantity at most ``MAX_LINE_FEN`` and the bill's total at
    most ``MAX_BILL_FEN`` — computed exactly in Python integers before anything reaches int64,
    so the vectorised rules (price × quantity numerator, × self-pay share) cannot wrap.
    """
    cat, price, qn, qd, limit, sn, sd = [], [], [], [], [], [], []
    total = 0
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        q = Fraction(
            _decimal(
                line.quantity,
                f"{where}.quantity",
                Decimal(0),
                Decimal(money.MAX_QUANTITY),
                money.MAX_QUANTITY_DECIMALS,
            )
        )
        share = Fraction(
            _decimal(line.self_pay_first, f"{where}.self_pay_first", Decimal(0), Decimal(1), 6)
        )
        unit = _price(line.unit_price, f"{where}.unit_price")
        lim = -1 if line.price_limit is None else _price(line.price_limit, f"{where}.price_limit")
        if unit < 0 or (line.price_limit is not None and lim < 0):
            raise invalid(
                f"{where}.unit_price", "negative", "单价不能为负", "prices cannot be negative"
            )
        if line.category != "乙" and share:
            raise invalid(
                f"{where}.self_pay_first",
                "only_yi",
                "只有乙类项目有先行自付比例",
                "only 乙类 items have a self-pay-first share",
            )
        amount = unit * q  # exact (a Fraction of fen), before anything reaches int64
        if amount > money.MAX_LINE_FEN:
            raise money.too_large(where, money.MAX_LINE_FEN)  # price × quantity of this line
        total = money.checked_sum((total, round(amount)), "lines", money.MAX_BILL_FEN)
        cat.append(rules.CATEGORIES.index(line.category))
        price.append(unit)
        qn.append(q.numerator)
        qd.append(q.denominator)
        limit.append(lim)
        sn.append(share.numerator)
        sd.append(share.denominator)
    return rules.Lines(*[np.array(v, dtype=np.int64) for v in (cat, price, qn, qd, limit, sn, sd)])


def _price(text: str, field: str) -> int:
    try:
        return money.bounded(money.parse(text, field), field, money.MAX_PRICE_FEN)
    except MinshengError as err:
        if err.rule == "too_large":
            raise money.too_large(field, money.MAX_PRICE_FEN) from None
        raise


def _patient(
    session: Session, bill: BillIn, by: Principal, trusted: bool = False
) -> tuple[Person, str]:
    """The patient, by the identity presented at the window (the ID number), and how found.

    An internal ``person_id`` is accepted only from a stored, already-checked bill (``trusted``)
    or from the platform itself (the CLI): ids are enumerable, and a pre-settlement shows the
    person's scheme, special groups and caps."""
    patient = bill.patient
    if patient.id_number:
        number = ids.parse_resident_id(patient.id_number, "patient.id_number").number
        person, via = registry.find_by_id_number(session, number), "id_number"
    elif patient.person_id is not None:
        if not (trusted or by.kind == "system"):
            raise invalid(
                "patient.person_id",
                "presented_identity",
                "请填写患者出示的身份证号；不能凭内部人员编号结算",
                "give the ID number the patient presents; an internal person_id is not accepted",
                bo="ནད་པས་སྟོན་པའི་ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་འབྲི་དགོས།",
            )
        person, via = session.get(Person, patient.person_id), "person_id"
    else:
        raise invalid(
            "patient",
            "patient_required",
            "请填写患者的身份证号",
            "give the patient's ID number",
            bo="ནད་པའི་ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་རྟགས་འབྲི་དགོས།",
        )
    if person is None:
        raise NotFoundError(
            "patient", "未找到该参保人", "no such insured person", bo="ཉེན་འགོག་ཞུགས་མི་མ་རྙེད།"
        )
    return person, via


def check_key(key: str | None) -> str | None:
    """An ``Idempotency-Key`` as sent, or a clear 422 (never a 500 from a column too short)."""
    if key is None or KEY_PATTERN.fullmatch(key):
        return key
    raise invalid(
        "idempotency_key",
        "key_format",
        f"幂等键（Idempotency-Key）须为1至{KEY_MAX}个字母、数字或 . _ : - 字符",
        f"an Idempotency-Key is 1 to {KEY_MAX} letters, digits or . _ : - characters",
        bo=f"Idempotency-Key ནི་ཡི་གེ་དང་ཨང་ཀི་ 1–{KEY_MAX} ཡིན་དགོས།",
    )


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


def fingerprint(bill: BillIn, person: Person, facility: Facility) -> str:
    """SHA-256 over a canonical JSON of the bill as parsed: the same bill written differently
    ("100" or "100.00", a default spelt out) has the same fingerprint. The patient enters as the
    internal person id — never the ID number, which a plain hash would not hide."""
    parsed = parse_lines(list(bill.lines))
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
    return hashlib.sha256(_canonical(canon).encode()).hexdigest()


def referenced_bill(bill: BillIn, person: Person) -> str:
    """The bill as stored: as received, but the patient referenced by person id."""
    data = bill.model_dump(mode="json")
    data["patient"] = {"person_id": person.id}
    return json.dumps(data, ensure_ascii=False)


def _facility(session: Session, code: str, by: Principal) -> Facility:
    code = ids.parse_facility_code(code).code
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise NotFoundError("facility_code", f"定点医疗机构{code}未登记", f"no facility {code}")
    by.require_covers(facility.division_code, "facility")  # cashiers settle at their own hospitals
    return facility


def bill_row(
    session: Session, bill: BillIn, person: Person, facility: Facility, ledger: LedgerYear | None
) -> dict[str, Any]:
    """The rules' view of one bill: who the patient is on the day of service, and where."""
    day = bill.service_date
    enrolment = registry.enrolment_on(person, day)
    if enrolment is None:
        raise invalid(
            "patient",
            "not_enrolled",
            f"参保人在{day}未参加基本医疗保险",
            f"the patient is not enrolled in basic medical insurance on {day}",
        )
    statuses = set(registry.statuses_on(person, day))
    group = next((g for g in GROUP_ORDER if g in statuses), "none")
    home = enrolment.pooling_region
    there = divisions.pooling_region(facility.division_code)
    area = "local" if home == there else ("filed" if bill.out_of_area_filed else "unfiled")
    lines = list(bill.lines)
    waived = _registration_waiver(session, bill, person, home)
    if waived:
        lines = [
            ln.model_copy(update={"unit_price": "0"}) if ln.registration else ln for ln in lines
        ]
    split = rules.split_lines(parse_lines(lines))
    return {
        "scheme": enrolment.scheme,
        "visit": bill.visit,
        "level": facility.level,
        "area": area,
        "full_self": int(split.full_self.sum()),
        "over_limit": int(split.over_limit.sum()),
        "self_first": int(split.self_first.sum()),
        "policy": int(split.policy.sum()),
        "later_admission": bill.visit == "inpatient" and bool(ledger and ledger.admissions > 0),
        "special": bool(statuses & SPECIAL) and enrolment.scheme == "resident",
        "group": group,
        "border": "border" in statuses,
        "major_disease": bill.major_disease,
        **_accounts(session, bill, person, enrolment.scheme, day),
        "pooling_region": home,
        "registration_waived": waived,
    }


def _accounts(
    session: Session, bill: BillIn, person: Person, scheme: str, day: dt.date
) -> dict[str, Any]:
    """What personal accounts may pay, in order: the patient's own (employees), then relatives'
    in the same household who share theirs (家庭共济). A balance stated on the bill by the
    hospital's system is used instead when the patient has no account here."""
    stated = money.parse(bill.account_balance, "account_balance")
    if stated < 0:
        raise invalid(
            "account_balance", "negative", "个人账户余额不能为负", "a balance cannot be negative"
        )
    order: list[int] = []
    balance = 0
    own = session.get(PersonalAccount, person.id)
    if own is not None and scheme != "resident":
        order.append(person.id)
        balance += own.balance
    if person.household_id is not None:
        relatives = session.execute(
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
        for acct in relatives:
            order.append(acct.person_id)
            balance += acct.balance
    if not order:
        return {"account_balance": stated if scheme != "resident" else 0, "accounts": []}
    return {"account_balance": balance, "accounts": order}


def _debit(session: Session, order: list[int], amount: int) -> list[list[int]]:
    """Take ``amount`` from the accounts in order (locked: row locks on PostgreSQL)."""
    debits: list[list[int]] = []
    left = amount
    for person_id in order:
        if left <= 0:
            break
        acct = session.scalar(
            select(PersonalAccount).where(PersonalAccount.person_id == person_id).with_for_update()
        )
        if acct is None:
            continue
        take = min(acct.balance, left)
        acct.balance -= take
        left -= take
        debits.append([person_id, take])
    if left > 0:
        raise ConflictError(
            "account",
            "balance_changed",
            "个人账户余额已变化，请重新结算",
            "an account balance changed; settle again",
        )
    return debits


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


# ----------------------------------------------------------------------------- explanation


def _ratio(num: int, den: int) -> str:
    return str((Decimal(num) / Decimal(den)).normalize())


def explain(row: dict[str, Any], r: rules.Result, p: rules.MedicalParams) -> list[FundStep]:
    """Per fund: the base, the deductible applied, the ratio, the cap, the amount — and every
    parameter used with its value, date and source."""

    def info(path: str) -> dict[str, Any]:
        return p.infos[path].to_dict()

    employee = row["scheme"] != "resident"
    who = "retired" if row["scheme"] == "employee_retired" else "active"
    lvl = f"level_{row['level']}"
    if row["visit"] == "outpatient":
        if employee:
            paths = [
                f"medical.employee_outpatient.deductible.{who}",
                f"medical.employee_outpatient.ratio.{who}.{lvl}",
                "medical.employee_outpatient.annual_cap",
            ]
        else:
            paths = [
                "medical.resident.outpatient.deductible",
                "medical.resident.outpatient.ratio",
                "medical.resident.outpatient.annual_cap",
            ]
    else:
        base = "medical.employee_inpatient" if employee else "medical.resident.inpatient"
        ratio = f"{base}.ratio.{who}.{lvl}" if employee else f"{base}.ratio.{lvl}"
        paths = [f"{base}.deductible.{lvl}", ratio, f"{base}.annual_cap"]
        if row["later_admission"]:
            paths.append(f"{base}.later_admission_deductible_factor")
    if row["area"] != "local":
        paths.append(f"medical.out_of_area.{row['area']}_ratio_reduction")
    steps = [
        FundStep(
            fund="basic",
            base=int(r.basic_base[0]),
            deductible=int(r.basic_deductible[0]),
            ratio=_ratio(int(r.basic_ratio_num[0]), r.ratio_den),
            cap_left=int(r.basic_cap_left[0]),
            cap_reached=int(r.basic[0]) == int(r.basic_cap_left[0]) and int(r.basic[0]) > 0,
            amount=int(r.basic[0]),
            parameters=[info(x) for x in paths],
        )
    ]
    if row["visit"] == "inpatient":
        if employee:
            ci_paths = [
                "medical.employee_supplementary.deductible",
                "medical.employee_supplementary.ratio",
                "medical.employee_supplementary.annual_cap",
            ]
            scale: list[dict[str, Any]] = []
            ratio_text = str(p.ratio("medical.employee_supplementary.ratio"))
        else:
            ci_paths = [
                "medical.critical_illness.deductible",
                "medical.critical_illness.annual_cap",
            ]
            if row["special"]:
                ci_paths += [
                    "medical.critical_illness.special_groups.deductible_reduction",
                    "medical.critical_illness.special_groups.ratio_increase",
                    "medical.critical_illness.special_groups.cap_removed",
                ]
            scale = [i.to_dict() for i in p.ci_scale.infos]
            ratio_text = " / ".join(
                str(r) for r in (p.t.special_scale if row["special"] else p.t.normal_scale).rates
            )
        cap_left = int(r.ci_cap_left[0])
        steps.append(
            FundStep(
                fund="critical_illness" if not employee else "supplementary",
                base=int(r.ci_base[0]),
                deductible=(
                    p.t.sup_ded
                    if employee
                    else (p.t.ci_ded_special if row["special"] else p.t.ci_ded)
                ),
                ratio=ratio_text,
                cap_left=None if cap_left < 0 else cap_left,
                cap_reached=cap_left >= 0 and int(r.ci[0]) == cap_left and cap_left > 0,
                amount=int(r.ci[0]),
                parameters=[info(x) for x in ci_paths] + scale,
            )
        )
    if row["group"] != "none" or row["border"]:
        a_paths = []
        if row["group"] != "none":
            a_paths += [
                f"medical.assistance.deductible.{row['group']}",
                f"medical.assistance.ratio.{row['group']}",
            ]
        if row["border"]:
            a_paths.append("medical.assistance.border_resident_ratio")
        a_paths.append(
            "medical.assistance.annual_cap.major_disease"
            if row["major_disease"]
            else "medical.assistance.annual_cap.ordinary"
        )
        steps.append(
            FundStep(
                fund="assistance",
                base=int(r.as_base[0]),
                deductible=int(r.as_deductible[0]),
                ratio=_ratio(int(r.as_ratio_num[0]), int(r.extra["as_ratio_den"])),
                cap_left=int(r.as_cap_left[0]),
                cap_reached=int(r.assistance[0]) == int(r.as_cap_left[0])
                and int(r.assistance[0]) > 0,
                amount=int(r.assistance[0]),
                parameters=[info(x) for x in a_paths],
            )
        )
    return steps


# ----------------------------------------------------------------------------- ledger


def _lock(session: Session, person_id: int, year: int) -> LedgerYear:
    """The person's totals for the year, locked until commit (row lock on PostgreSQL; on SQLite
    the unit of work already holds the write lock from ``BEGIN IMMEDIATE``)."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        ins(LedgerYear)
        .values(
            person_id=person_id,
            year=year,
            **dict.fromkeys(TOTAL_FIELDS, 0),
            admissions=0,
            settlements=0,
        )
        .on_conflict_do_nothing()
    )
    session.execute(stmt)
    ledger = session.scalar(
        select(LedgerYear)
        .where(LedgerYear.person_id == person_id, LedgerYear.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert ledger is not None
    return ledger


def _before(ledger: LedgerYear | None) -> rules.Totals:
    return rules.Totals(
        *[np.array([getattr(ledger, f) if ledger else 0], dtype=np.int64) for f in TOTAL_FIELDS]
    )


def out(s: Settlement, preview: bool = False) -> SettlementOut:
    return SettlementOut(
        id=s.id,
        kind=s.kind,
        person_id=s.person_id,
        year=s.year,
        facility_id=s.facility_id,
        service_date=s.service_date,
        visit=s.visit,
        scheme=s.scheme,
        level=s.level,
        area=s.area,
        total=s.total,
        full_self=s.full_self,
        over_limit=s.over_limit,
        self_first=s.self_first,
        policy=s.policy,
        basic=s.basic,
        ci=s.ci,
        assistance=s.assistance,
        patient=s.patient,
        account=s.account,
        cash=s.cash,
        reverses_id=s.reverses_id,
        reversed_by_id=s.reversed_by_id,
        explanation=[FundStep(**x) for x in json.loads(s.explanation)],
        preview=preview,
        fingerprint=s.fingerprint,
    )


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
) -> tuple[Settlement, dict[str, Any]]:
    """The settlement this bill makes against ``ledger`` (not added to the session)."""
    row = bill_row(session, bill, person, facility, ledger)
    params = rules.MedicalParams.from_snapshot(
        (tree or load()).at(bill.service_date, row["pooling_region"])
    )
    r = rules.settle(rules.Bills.of([row]), _before(ledger), params)
    steps = explain(row, r, params)
    s = Settlement(
        kind="settle",
        person_id=person.id,
        year=bill.service_date.year,
        facility_id=facility.id,
        fingerprint=fp,
        service_date=bill.service_date,
        visit=bill.visit,
        scheme=row["scheme"],
        level=row["level"],
        area=row["area"],
        admission_no=bill.admission_no,
        diagnosis=bill.diagnosis,
        total=int(r.basic[0] + r.ci[0] + r.assistance[0] + r.patient[0]),
        full_self=row["full_self"],
        over_limit=row["over_limit"],
        self_first=row["self_first"],
        policy=row["policy"],
        basic=int(r.basic[0]),
        ci=int(r.ci[0]),
        assistance=int(r.assistance[0]),
        patient=int(r.patient[0]),
        account=int(r.account[0]),
        cash=int(r.cash[0]),
        op_deductible=int(r.op_deductible[0]),
        ci_base=int(r.ci_base[0]),
        as_deductible=int(r.as_deductible[0]),
        explanation=json.dumps([x.model_dump() for x in steps], ensure_ascii=False),
        bill=referenced_bill(bill, person),
        inputs=json.dumps(row, ensure_ascii=False),
        created_by=by.actor,
    )
    return s, row


def settle(
    session: Session,
    bill: BillIn,
    by: Principal,
    idempotency_key: str | None = None,
    preview: bool = False,
    tree: ParameterTree | None = None,
) -> SettlementOut:
    """Settle (or, with ``preview``, pre-settle without posting) one bill.

    With an ``idempotency_key``, a retry of the same bill returns the first answer and posts
    nothing; the same key with another bill is refused (409 naming the key)."""
    key = check_key(idempotency_key)
    if preview:
        return presettle(session, bill, by, tree)
    facility = _facility(session, bill.facility_code, by)
    person, _ = _patient(session, bill, by)
    return _settle(
        session, bill, by, person, facility, key, _scoped(by, key) if key else None, tree
    )


def _first_fingerprint(session: Session, first: Settlement) -> str | None:
    """The fingerprint stored with a key; for rows from before it was stored, the stored
    bill's (None if that bill no longer reads: then nothing can match it)."""
    if first.fingerprint:
        return first.fingerprint
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
        first = session.scalar(select(Settlement).where(Settlement.idempotency_key == key))
        if first is not None:
            if _first_fingerprint(session, first) != fp:
                shown = shown_key or key
                raise ConflictError(
                    "idempotency_key",
                    "key_reused",
                    f"幂等键“{shown}”已用于另一张账单；新账单请用新的键",
                    f"the Idempotency-Key {shown!r} was already used for a different bill; "
                    "send a new bill with a new key",
                    bo=f"Idempotency-Key “{shown}” ནི་ཐོ་ཁྲ་གཞན་ཞིག་ལ་བེད་སྤྱོད་བྱས་ཟིན།",
                )
            return out(first)  # a retry: the first answer, nothing posted
    s, row = _compute(session, bill, by, person, facility, ledger, fp, tree)
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
    if row["accounts"] and s.account:
        s.account_debits = json.dumps(_debit(session, row["accounts"], s.account))
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


def who(person: Person, scheme: str, day: dt.date) -> PatientOut:
    statuses = set(registry.statuses_on(person, day))
    return PatientOut(
        name_zh=person.name_zh,
        name_bo=person.name_bo,
        id_masked=person.id_masked,
        scheme=scheme,
        groups=[g for g in MEDICAL_GROUPS if g in statuses],
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
    s, row = _compute(session, bill, by, person, facility, ledger, fp, tree)
    result = out(s, preview=True)
    result.person = who(person, row["scheme"], bill.service_date)
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


def _post(ledger: LedgerYear, s: Settlement, sign: int) -> None:
    """Add (or take out) one settlement's amounts to the running totals."""
    inpatient = s.visit == "inpatient"
    ledger.op_deductible += sign * abs(s.op_deductible)
    ledger.op_paid += sign * (0 if inpatient else abs(s.basic))
    ledger.ip_paid += sign * (abs(s.basic) if inpatient else 0)
    ledger.ci_base += sign * abs(s.ci_base)
    ledger.ci_paid += sign * abs(s.ci)
    ledger.as_deductible += sign * abs(s.as_deductible)
    ledger.as_paid += sign * abs(s.assistance)
    ledger.admissions += sign * (1 if inpatient else 0)
    ledger.settlements += sign


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
        )
    }
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


def _no_settlement(settlement_id: int) -> NotFoundError:
    return NotFoundError(
        "settlement_id",
        f"结算单{settlement_id}不存在",
        f"no settlement {settlement_id}",
        bo=f"འཛིན་ཐོ་ {settlement_id} མེད།",
    )


def _visible(
    session: Session, settlement_id: int, by: Principal
) -> tuple[Settlement, Facility, Person]:
    """A settlement whose hospital or patient lies in ``by``'s region. Any other answers as an
    unknown id does: a settlement elsewhere and no settlement look the same."""
    s = session.get(Settlement, settlement_id)
    if s is not None:
        facility = session.get(Facility, s.facility_id)
        person = session.get(Person, s.person_id)
        assert facility is not None and person is not None  # foreign keys
        if by.covers(facility.division_code) or by.covers(person.division_code):
            return s, facility, person
    raise _no_settlement(settlement_id)


def person_in_region(session: Session, person_id: int, by: Principal) -> Person:
    """A person of ``by``'s region by internal id; elsewhere answers as unknown does."""
    person = session.get(Person, person_id)
    if person is None or not by.covers(person.division_code):
        raise NotFoundError(
            "person_id",
            f"人员{person_id}不存在",
            f"no person {person_id}",
            bo=f"མི་ {person_id} མེད།",
        )
    return person


def get(session: Session, settlement_id: int, by: Principal) -> SettlementOut:
    """A settlement, for staff of the hospital's region or of the patient's."""
    s, facility, _ = _visible(session, settlement_id, by)
    audit.record(session, by, "read", "med_settlement", s.id, facility.division_code)
    return out(s)


def list_for(session: Session, person_id: int, year: int, by: Principal) -> list[SettlementOut]:
    person = person_in_region(session, person_id, by)
    audit.record(session, by, "read", "person", person.id, person.division_code)
    rows = session.scalars(
        select(Settlement)
        .where(Settlement.person_id == person_id, Settlement.year == year)
        .order_by(Settlement.id)
    ).all()
    return [out(s) for s in rows]


def totals(session: Session, person_id: int, year: int) -> dict[str, int]:
    ledger = session.get(LedgerYear, (person_id, year))
    return {
        f: getattr(ledger, f) if ledger else 0 for f in (*TOTAL_FIELDS, "admissions", "settlements")
    }


def replay_year(
    session: Session,
    year: int,
    as_of: dt.date | None = None,
    tree: ParameterTree | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Recompute every settled (not reversed) bill of ``year`` under the rules in force on
    ``as_of`` (default: the year's last day, or today), one vectorised pass per pooling region,
    and compare with what was paid."""
    as_of = as_of or min(dt.date(year, 12, 31), dt.date.today())
    rows = session.execute(
        select(
            Settlement.person_id,
            Settlement.inputs,
            Settlement.basic,
            Settlement.ci,
            Settlement.assistance,
        )
        .where(
            Settlement.year == year,
            Settlement.kind == "settle",
            Settlement.reversed_by_id.is_(None),
        )
        .order_by(Settlement.person_id, Settlement.id)
    ).all()
    by_region: dict[str, list[Any]] = {}
    for r in rows:
        inputs = json.loads(r.inputs)
        by_region.setdefault(inputs["pooling_region"], []).append((r, inputs))
    funds = ("basic", "ci", "assistance", "patient")
    report: dict[str, Any] = {
        "year": year,
        "as_of": as_of.isoformat(),
        "bills": len(rows),
        "regions": {},
    }
    sums = dict.fromkeys([f"{f}_paid" for f in funds[:3]] + [f"{f}_replayed" for f in funds], 0)
    changed = 0
    for i, (region, items) in enumerate(sorted(by_region.items())):
        params = rules.MedicalParams.from_snapshot((tree or load()).at(as_of, region))
        bills = rules.Bills.of([inp for _, inp in items])
        keys = np.array([r.person_id for r, _ in items], dtype=np.int64)
        result = rules.replay(keys, bills, params)
        paid = {f: np.array([getattr(r, f) for r, _ in items], dtype=np.int64) for f in funds[:3]}
        diff = (
            (paid["basic"] != result.basic)
            | (paid["ci"] != result.ci)
            | (paid["assistance"] != result.assistance)
        )
        changed += int(diff.sum())
        region_report = {f"{f}_replayed": int(getattr(result, f).sum()) for f in funds}
        region_report |= {f"{f}_paid": int(paid[f].sum()) for f in funds[:3]}
        region_report["bills"] = len(items)
        report["regions"][region] = region_report
        for k, v in region_report.items():
            if k in sums:
                sums[k] += v
        if progress:
            progress(i + 1, len(by_region))
    report["totals"] = sums
    report["bills_changed"] = changed
    return report
