"""Settling a bill: who the patient is, the figures in force, the locked running totals, the pure
rules, and one transaction that writes the settlement, the new totals and the audit entry."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from minsheng.auth import audit
from minsheng.auth.permissions import Principal
from minsheng.core import divisions, ids, money
from minsheng.core.errors import (
    ConflictError,
    ForbiddenError,
    MinshengError,
    NotFoundError,
    invalid,
)
from minsheng.medical import rules
from minsheng.medical.models import LedgerYear, PersonalAccount, Settlement
from minsheng.medical.schemas import BillIn, FundStep, Line, SettlementOut
from minsheng.policy import ParameterTree, load
from minsheng.registry import service as registry
from minsheng.registry.models import Facility, Person

SPECIAL = {"tekun", "dibao", "poverty_return"}  # "一降一升一取消"
GROUP_ORDER = ("tekun", "dibao", "poverty_return", "dibao_edge")  # most generous first
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


def _patient(session: Session, bill: BillIn) -> Person:
    if bill.patient.person_id is not None:
        person = session.get(Person, bill.patient.person_id)
    elif bill.patient.id_number:
        person = registry.find_by_id_number(session, bill.patient.id_number)
    else:
        raise invalid(
            "patient",
            "patient_required",
            "请提供身份证号或人员编号",
            "give an ID number or person_id",
        )
    if person is None:
        raise NotFoundError("patient", "未找到该参保人", "no such insured person")
    return person


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
    )


def settle(
    session: Session,
    bill: BillIn,
    by: Principal,
    idempotency_key: str | None = None,
    preview: bool = False,
    tree: ParameterTree | None = None,
) -> SettlementOut:
    """Settle (or, with ``preview``, pre-settle without posting) one bill."""
    facility = _facility(session, bill.facility_code, by)
    person = _patient(session, bill)
    year = bill.service_date.year
    if bill.service_date > dt.date.today():
        raise invalid(
            "service_date", "future", "就诊日期不能在未来", "the date of service is in the future"
        )
    key = f"{by.actor}:{idempotency_key}" if idempotency_key else None
    ledger = None if preview else _lock(session, person.id, year)
    if key is not None:
        first = session.scalar(select(Settlement).where(Settlement.idempotency_key == key))
        if first is not None:  # a retry: the first answer, nothing posted
            return out(first)
    if preview:
        ledger = session.get(LedgerYear, (person.id, year))
    row = bill_row(session, bill, person, facility, ledger)
    params = rules.MedicalParams.from_snapshot(
        (tree or load()).at(bill.service_date, row["pooling_region"])
    )
    r = rules.settle(rules.Bills.of([row]), _before(ledger), params)
    steps = explain(row, r, params)
    s = Settlement(
        kind="settle",
        person_id=person.id,
        year=year,
        facility_id=facility.id,
        idempotency_key=key,
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
        bill=bill.model_dump_json(),
        inputs=json.dumps(row, ensure_ascii=False),
        created_by=by.actor,
    )
    if preview:
        return out(s, preview=True)
    assert ledger is not None
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
    original = session.get(Settlement, settlement_id)
    if original is None or original.kind != "settle":
        raise NotFoundError(
            "settlement_id", f"结算单{settlement_id}不存在", f"no settlement {settlement_id}"
        )
    facility = session.get(Facility, original.facility_id)
    by.require_covers(facility.division_code if facility else None, "facility")
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
        facility.division_code if facility else None,
        {"reversal_id": rev.id},
    )
    return out(rev)


def get(session: Session, settlement_id: int, by: Principal) -> SettlementOut:
    """A settlement, for staff of the hospital's region or of the patient's."""
    s = session.get(Settlement, settlement_id)
    if s is None:
        raise NotFoundError(
            "settlement_id", f"结算单{settlement_id}不存在", f"no settlement {settlement_id}"
        )
    facility = session.get(Facility, s.facility_id)
    person = session.get(Person, s.person_id)
    assert facility is not None and person is not None  # foreign keys
    if not (by.covers(facility.division_code) or by.covers(person.division_code)):
        raise ForbiddenError(
            "region",
            "out_of_region",
            "该结算单的医院和参保人都不在您的管辖区域内",
            "neither the hospital nor the patient of this settlement is in your region",
        )
    audit.record(session, by, "read", "med_settlement", s.id, facility.division_code)
    return out(s)


def list_for(session: Session, person_id: int, year: int, by: Principal) -> list[SettlementOut]:
    registry.get_person(session, person_id, by)
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
