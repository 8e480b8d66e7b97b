"""Pay records as people and the API see them: amounts in fen, accounts and cards by their
last four digits only, workers by name (never an ID number)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.registry.models import Person
from minsheng.wages import pay, pay_accounts
from minsheng.wages.models import WgProject, WgTeam
from minsheng.wages.pay_models import WgLabourTransfer, WgPayLine, WgPayRun, WgPaySheet


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def account_out(session: Session, project: WgProject, today: dt.date) -> dict[str, Any]:
    st = pay_accounts.account_status(session, project, today)
    account = pay_accounts.account_of(session, project.id)
    return {
        "project_id": project.id,
        "account": None
        if account is None
        else {
            "id": account.id,
            "bank_name": account.bank_name,
            "account_tail": account.account_tail,
            "opened_on": account.opened_on.isoformat(),
            "filed_on": _iso(account.filed_on),
            "balance_fen": account.balance,
        },
        "deadlines": {k: _iso(v) for k, v in st.__dict__.items() if k != "balance"},
        "transfers": []
        if account is None
        else [transfer_out(t) for t in pay_accounts.transfers(session, account.id)],
    }


def transfer_out(t: WgLabourTransfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "paid_on": t.paid_on.isoformat(),
        "amount_fen": t.amount,
        "reference": t.reference,
    }


def sheet_out(sheet: WgPaySheet) -> dict[str, Any]:
    return {
        "id": sheet.id,
        "project_id": sheet.project_id,
        "team_id": sheet.team_id,
        "month": sheet.month,
        "state": sheet.state,
        "total_fen": sheet.total,
        "keep_until": sheet.keep_until.isoformat(),
    }


def names(session: Session, person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    return dict(
        session.execute(select(Person.id, Person.name_zh).where(Person.id.in_(person_ids))).all()
    )


def line_out(line: WgPayLine, name: str | None, paid: bool) -> dict[str, Any]:
    return {
        "id": line.id,
        "worker_id": line.worker_id,
        "name": name,
        "for_month": line.for_month,
        "back_pay": line.back_pay,
        "rate_kind": line.rate_kind,
        "rate_fen": line.rate,
        "days": line.days,
        "hours": round(line.minutes / 60, 2),
        "pieces": line.pieces,
        "overtime_hours": {
            "working_day": round(line.ot_working_minutes / 60, 2),
            "rest_day": round(line.ot_rest_minutes / 60, 2),
            "holiday": round(line.ot_holiday_minutes / 60, 2),
        },
        "base_fen": line.base,
        "overtime_fen": line.overtime_pay,
        "gross_fen": line.gross,
        "confirmation": line.confirmation,
        "dispute_note": line.dispute_note,
        "paid": paid,
    }


def sheet_full(session: Session, sheet: WgPaySheet) -> dict[str, Any]:
    lines = pay.sheet_lines(session, sheet.id)
    who = names(session, [ln.person_id for ln in lines])
    keys = {pay.pay_key(ln.worker_id, ln.for_month) for ln in lines}
    paid = pay.paid_keys(session, sorted(keys))
    team = session.get(WgTeam, sheet.team_id)
    return {
        **sheet_out(sheet),
        "team": None if team is None else team.name,
        "lines": [
            line_out(ln, who.get(ln.person_id), pay.pay_key(ln.worker_id, ln.for_month) in paid)
            for ln in lines
        ],
    }


def run_out(run: WgPayRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "project_id": run.project_id,
        "month": run.month,
        "state": run.state,
        "by": run.by,
        "new_payments": run.new_payments,
        "new_total_fen": run.new_total,
        "file": run.file_name,
        "digest": run.digest,
    }


def slip_out(session: Session, slip: pay.Slip) -> dict[str, Any]:
    name = names(session, [slip.line.person_id]).get(slip.line.person_id)
    p = slip.payment
    return {
        "project": {"id": slip.project.id, "code": slip.project.code, "name": slip.project.name},
        "team": slip.team.name,
        "sheet_month": slip.sheet.month,
        "line": line_out(slip.line, name, p is not None),
        "payment": None
        if p is None
        else {"amount_fen": p.amount, "run_id": p.run_id, "card_tail": p.account_tail},
        "keep_until": slip.sheet.keep_until.isoformat(),
    }
