"""Wage deposits (工资保证金, 人社部发〔2021〕65号): assess a project's deposit, lodge it (cash
or a bank guarantee), draw on it for confirmed arrears, top it up, publish the notice after
completion and return it — each movement one immutable row of ``wg_deposit_entries`` with
the balance after it, and its audit entry in the same transaction.

The rate comes from ``deposit_rules.assess`` with the general contractor's record: on record
since its first contract on the platform, its last confirmed arrears the last draw on any of
its deposits (a draw is made only for arrears confirmed by the inspectorate). Deadlines are
working days (``core.calendar``): lodged within 20 of the contract, a draw paid to the workers
within 5 and made good within 10; the return follows a 30-day public notice.

Who does what: the contractor's wage officer (``wages:project``) or a caseworker
(``wages:write``) assesses, lodges, tops up and asks for the notice; an inspector
(``wages:inspect``) draws; a supervisor (``wages:run``) returns. A project another region's
caller (or another firm's officer) cannot see answers as missing (``access.get_project``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import money, text
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.wages import deposit_rules as rules
from minsheng.wages.access import get_project
from minsheng.wages.deposit_models import WgDeposit, WgDepositEntry, WgDepositPayout
from minsheng.wages.models import WgProject, WgProjectFirm

PPM = 1_000_000
LODGERS = ("wages:project", "wages:write")
REASON_TEXT = {
    "small_contract": "合同额低于免存标准且签约前一年内未发生拖欠（人社部发〔2021〕65号第七条）",
    "clean_record": "连续未发生工资拖欠达到免存年限",
}


@lru_cache(maxsize=1024)
def params(day: dt.date, division: str) -> rules.DepositParams:
    """The deposit figures in force on ``day`` in ``division``."""
    return rules.DepositParams.from_snapshot(load().at(day, division))


def require_permission(by: Principal, *permissions: str) -> None:
    """``by`` holds one of ``permissions`` (or is the platform itself), else 403."""
    if by.kind == "system" or any(by.can(p) for p in permissions):
        return
    raise ForbiddenError(
        "permission",
        "forbidden",
        f"您的角色没有此权限（{' / '.join(permissions)}）",
        f"your role lacks the permission ({' / '.join(permissions)})",
    )


def no_deposit(project_id: int) -> NotFoundError:
    return NotFoundError(
        "project_id",
        f"工程项目{project_id}尚未核定工资保证金",
        f"project {project_id} has no wage deposit assessed",
        "གླ་ཕོགས་འགན་ལེན་མ་དངུལ་མེད།",
    )


def general_contractor(session: Session, project_id: int) -> int:
    """The project's general contractor (施工总承包单位), who lodges the deposit."""
    found = session.scalar(
        select(WgProjectFirm.employer_id)
        .where(WgProjectFirm.project_id == project_id, WgProjectFirm.role == "general")
        .order_by(WgProjectFirm.id)
    )
    if found is None:
        raise ConflictError(
            "project_id",
            "no_general_contractor",
            "工程项目没有登记施工总承包单位，无法核定工资保证金",
            "the project has no general contractor to lodge a deposit",
            "ཁྱོན་ཡོངས་འགན་ལེན་ཚོང་ཁང་མེད།",
        )
    return found


def record_of(
    session: Session, employer_id: int, before: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """A firm's record up to ``before``: the day of its first contract on the platform and
    the day of its last confirmed arrears (the last draw on any of its deposits)."""
    since = session.scalar(
        select(func.min(WgProject.contract_signed_on))
        .join(WgProjectFirm, WgProjectFirm.project_id == WgProject.id)
        .where(WgProjectFirm.employer_id == employer_id, WgProject.contract_signed_on <= before)
    )
    last = session.scalar(
        select(func.max(WgDepositEntry.day))
        .join(WgDeposit, WgDeposit.id == WgDepositEntry.deposit_id)
        .where(
            WgDeposit.employer_id == employer_id,
            WgDepositEntry.kind == "draw",
            WgDepositEntry.day <= before,
        )
    )
    return since, last


def deposit_of(session: Session, project_id: int, by: Principal) -> WgDeposit | None:
    """The project's deposit (None if not yet assessed); the project must be visible."""
    get_project(session, project_id, by)
    return session.scalar(select(WgDeposit).where(WgDeposit.project_id == project_id))


def _load(session: Session, project_id: int, by: Principal) -> WgDeposit:
    get_project(session, project_id, by)
    dep = session.scalar(
        select(WgDeposit).where(WgDeposit.project_id == project_id).with_for_update()
    )
    if dep is None:
        raise no_deposit(project_id)
    return dep


def assess(session: Session, project_id: int, by: Principal, today: dt.date) -> WgDeposit:
    """Assess the project's deposit (rate, amount or exemption, the day it is due by); the
    deposit already assessed is answered as it stands."""
    require_permission(by, *LODGERS)
    project = get_project(session, project_id, by, for_update=True)
    found = session.scalar(select(WgDeposit).where(WgDeposit.project_id == project_id))
    if found is not None:
        return found
    employer = general_contractor(session, project_id)
    signed = project.contract_signed_on
    since, last = record_of(session, employer, signed)
    p = params(signed, project.division_code)
    a = rules.assess(project.contract_value, signed, since or signed, last, p)
    dep = WgDeposit(
        project_id=project.id,
        employer_id=employer,
        division_code=project.division_code,
        contract_value=project.contract_value,
        rate_ppm=int(a.rate * PPM),
        band=a.band,
        required=a.required,
        exempt=a.exempt,
        exemption_reason=REASON_TEXT[a.reason] if a.reason else None,
        state="exempt" if a.exempt else "due",
        lodge_by=rules.lodge_by(signed, p),
        balance=0,
    )
    session.add(dep)
    session.flush()
    audit.record(
        session,
        by,
        "deposit.assess",
        "wg_deposit",
        dep.id,
        dep.division_code,
        {
            "project_id": project.id,
            "band": a.band,
            "rate_ppm": dep.rate_ppm,
            "required": a.required,
            "clean_years": a.clean_years,
            "parameters": list(a.steps),
        },
    )
    return dep


def _amount(value: str | int, field: str = "amount") -> int:
    fen = value if isinstance(value, int) and not isinstance(value, bool) else None
    if fen is None:
        fen = money.parse(str(value), field)
    money.bounded(fen, field)
    if fen <= 0:
        raise invalid(
            field, "positive", "金额必须大于0", "the amount must be above 0", "ཨང་གྲངས་0ལས་མང་དགོས།"
        )
    return fen


def _move(
    session: Session,
    dep: WgDeposit,
    kind: str,
    amount: int,
    by: Principal,
    today: dt.date,
    reference: str | None = None,
    pay_by: dt.date | None = None,
    note: str | None = None,
) -> WgDepositEntry:
    new = rules.next_balance(dep.balance, dep.required, kind, amount)
    entry = WgDepositEntry(
        deposit_id=dep.id,
        kind=kind,
        amount=amount,
        balance_after=new,
        day=today,
        reference=reference,
        pay_by=pay_by,
        note=note,
        by=by.actor,
    )
    before = dep.balance
    dep.balance = new
    session.add(entry)
    session.flush()
    audit.record(
        session,
        by,
        f"deposit.{kind}",
        "wg_deposit",
        dep.id,
        dep.division_code,
        {"entry": entry.id, "amount": amount, "before": before, "after": new, "ref": reference},
    )
    return entry


def _state(dep: WgDeposit, *allowed: str) -> None:
    if dep.state not in allowed:
        raise ConflictError(
            "state",
            "wrong_state",
            f"保证金当前状态（{STATE_ZH[dep.state]}）不允许此操作",
            f"the deposit is {dep.state}: this step is not open",
            "གནས་སྟངས་འདིར་མི་ཆོག",
        )


STATE_ZH = {
    "due": "待存储",
    "exempt": "免存",
    "lodged": "已存储",
    "notice": "返还公示中",
    "returned": "已返还",
}


def lodge(
    session: Session,
    project_id: int,
    *,
    form: str,
    amount: str | int,
    bank: str,
    guarantee_no: str | None = None,
    expires_on: dt.date | None = None,
    by: Principal,
    today: dt.date,
) -> WgDepositEntry:
    """Lodge the deposit in cash at ``bank`` or by a bank guarantee (保函: its number and expiry,
    which must lie ahead). An exempt deposit is not lodged; the amount is at least the
    required one."""
    require_permission(by, *LODGERS)
    if form not in rules.FORMS:
        raise invalid("form", "choice", "存储方式应为现金或银行保函", "form is cash or guarantee")
    fen = _amount(amount)
    bank_name = text.clean(bank, "bank", "short", max_length=100, min_length=1)
    number = None
    if form == "guarantee":
        number = text.clean(guarantee_no or "", "guarantee_no", "code", max_length=40, min_length=1)
        if expires_on is None or expires_on <= today:
            raise invalid(
                "expires_on",
                "future",
                "银行保函的有效期须晚于今天",
                "a bank guarantee must expire after today",
                "འགན་ལེན་ཡིག་ཆའི་དུས་ཡུན།",
            )
    dep = _load(session, project_id, by)
    if dep.exempt:
        raise ConflictError(
            "state",
            "exempt",
            "本工程免存工资保证金",
            "this project is exempt from the deposit",
            "ཆག་ཡང་།",
        )
    _state(dep, "due")
    entry = _move(session, dep, "lodge", fen, by, today, note=f"{form} {bank_name}")
    dep.form, dep.bank, dep.guarantee_no = form, bank_name, number
    dep.guarantee_expires_on = expires_on if form == "guarantee" else None
    dep.lodged_on, dep.state = today, "lodged"
    return entry


def draw(
    session: Session,
    project_id: int,
    *,
    amount: str | int,
    reference: str,
    note: str | None = None,
    by: Principal,
    today: dt.date,
) -> WgDepositEntry:
    """Draw on the deposit for arrears confirmed by the inspectorate (``reference``: the
    complaint or warning); the workers are paid within ``draw_pay_working_days`` and the
    contractor tops up within ``top_up_working_days``. Never beyond the balance. A draw
    during the return notice stops the notice."""
    require_permission(by, "wages:inspect")
    fen = _amount(amount)
    ref = text.clean(reference, "reference", "code", max_length=64, min_length=1)
    clean_note = text.clean(note, "note", "short", max_length=400) if note else None
    dep = _load(session, project_id, by)
    _state(dep, "lodged", "notice")
    p = params(today, dep.division_code)
    entry = _move(
        session, dep, "draw", fen, by, today, ref, rules.pay_by(today, p), clean_note or None
    )
    dep.top_up_by = rules.top_up_by(today, p)
    if dep.state == "notice":
        dep.state, dep.notice_from, dep.notice_until, dep.return_by = "lodged", None, None, None
    return entry


def top_up(
    session: Session, project_id: int, *, amount: str | int, by: Principal, today: dt.date
) -> WgDepositEntry:
    """Make a drawn deposit good again (at most to the required amount)."""
    require_permission(by, *LODGERS)
    fen = _amount(amount)
    dep = _load(session, project_id, by)
    _state(dep, "lodged")
    entry = _move(session, dep, "top_up", fen, by, today)
    if dep.balance >= dep.required:
        dep.top_up_by = None
    return entry


def open_notice(session: Session, project_id: int, *, by: Principal, today: dt.date) -> WgDeposit:
    """Publish the return notice of a completed project's deposit (``notice_days``)."""
    require_permission(by, *LODGERS)
    dep = _load(session, project_id, by)
    _state(dep, "lodged")
    project = get_project(session, project_id, by)
    if project.completed_on is None or project.completed_on > today:
        raise ConflictError(
            "project_id",
            "not_completed",
            "工程尚未竣工，不能公示返还工资保证金",
            "the project is not completed: the deposit is not returned yet",
            "ལས་གཞི་མཇུག་མ་རྫོགས།",
        )
    if dep.balance < dep.required:
        raise ConflictError(
            "balance",
            "not_made_good",
            "保证金被动用后尚未补足，不能公示返还",
            "a drawn deposit is topped up before its return is noticed",
        )
    p = params(today, dep.division_code)
    dep.state, dep.notice_from = "notice", today
    dep.notice_until, dep.return_by = rules.notice_until(today, p), rules.return_by(today, p)
    audit.record(
        session,
        by,
        "deposit.notice",
        "wg_deposit",
        dep.id,
        dep.division_code,
        {"from": today.isoformat(), "until": dep.notice_until.isoformat()},
    )
    return dep


def return_deposit(
    session: Session, project_id: int, *, by: Principal, today: dt.date
) -> WgDepositEntry:
    """Return the whole balance once the public notice has run its course."""
    require_permission(by, "wages:run")
    dep = _load(session, project_id, by)
    _state(dep, "notice")
    assert dep.notice_until is not None
    if today <= dep.notice_until:
        raise ConflictError(
            "notice_until",
            "notice_running",
            f"返还公示至{dep.notice_until.isoformat()}止，期满后方可返还",
            f"the notice runs until {dep.notice_until.isoformat()}: return after it",
            "གསལ་བསྒྲགས་དུས་ཚོད་མ་ཚང་།",
        )
    entry = _move(session, dep, "return", dep.balance, by, today)
    dep.state, dep.returned_on = "returned", today
    return entry


def entries(session: Session, dep: WgDeposit) -> list[WgDepositEntry]:
    return list(
        session.scalars(
            select(WgDepositEntry)
            .where(WgDepositEntry.deposit_id == dep.id)
            .order_by(WgDepositEntry.id)
        )
    )


def overdue(dep: WgDeposit, today: dt.date) -> list[str]:
    """What the deposit misses past its deadline: ``lodge`` (not lodged by ``lodge_by``),
    ``top_up`` (a draw not made good by ``top_up_by``), ``guarantee`` (the guarantee expired
    while the deposit is held), ``return`` (not returned by ``return_by``)."""
    out = []
    if dep.state == "due" and today > dep.lodge_by:
        out.append("lodge")
    if dep.top_up_by is not None and dep.balance < dep.required and today > dep.top_up_by:
        out.append("top_up")
    held = dep.state in ("lodged", "notice")
    expires = dep.guarantee_expires_on if dep.form == "guarantee" else None
    if held and expires is not None and today >= expires:
        out.append("guarantee")
    if dep.state == "notice" and dep.return_by is not None and today > dep.return_by:
        out.append("return")
    return out


def past_deadline(session: Session, today: dt.date, by: Principal) -> list[tuple[int, str]]:
    """``(project_id, cause)`` for every visible deposit past a deadline — what the warning
    scan reads for "deposit missing past its deadline"; ``payout`` for a draw not paid to the
    workers by its ``pay_by``."""
    from minsheng.wages.access import visible_project_ids

    query = select(WgDeposit).where(
        WgDeposit.project_id.in_(visible_project_ids(by)),
        WgDeposit.state.in_(("due", "lodged", "notice")),
    )
    rows = [(d.project_id, c) for d in session.scalars(query) for c in overdue(d, today)]
    late = (
        select(WgDeposit.project_id)
        .join(WgDepositEntry, WgDepositEntry.deposit_id == WgDeposit.id)
        .where(
            WgDeposit.project_id.in_(visible_project_ids(by)),
            WgDepositEntry.kind == "draw",
            WgDepositEntry.pay_by < today,
            WgDepositEntry.id.not_in(select(WgDepositPayout.entry_id)),
        )
        .distinct()
        .order_by(WgDeposit.project_id)
    )
    return rows + [(pid, "payout") for pid in session.scalars(late)]


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def deposit_out(dep: WgDeposit, today: dt.date) -> dict[str, Any]:
    return {
        "id": dep.id,
        "project_id": dep.project_id,
        "employer_id": dep.employer_id,
        "division_code": dep.division_code,
        "contract_value": dep.contract_value,
        "rate": str(Decimal(dep.rate_ppm) / PPM),
        "band": dep.band,
        "required": dep.required,
        "exempt": dep.exempt,
        "exemption_reason": dep.exemption_reason,
        "state": dep.state,
        "form": dep.form,
        "bank": dep.bank,
        "guarantee_no": dep.guarantee_no,
        "guarantee_expires_on": iso(dep.guarantee_expires_on),
        "lodge_by": iso(dep.lodge_by),
        "lodged_on": iso(dep.lodged_on),
        "balance": dep.balance,
        "top_up_by": iso(dep.top_up_by),
        "notice_from": iso(dep.notice_from),
        "notice_until": iso(dep.notice_until),
        "return_by": iso(dep.return_by),
        "returned_on": iso(dep.returned_on),
        "overdue": overdue(dep, today),
    }


def entry_out(e: WgDepositEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": e.amount,
        "balance_after": e.balance_after,
        "day": e.day.isoformat(),
        "reference": e.reference,
        "pay_by": e.pay_by.isoformat() if e.pay_by else None,
        "note": e.note,
        "by": e.by,
    }
