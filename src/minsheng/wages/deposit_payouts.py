"""A deposit draw paid out to the workers (工资保证金支付): the inspectorate draws on the
deposit for confirmed arrears, and the money must reach the workers within
``draw_pay_working_days`` (人社部发〔2021〕65号). The payout is recorded once per draw (the
transfer's reference, the day, how many workers); a draw without one past its ``pay_by`` is
overdue (:func:`unpaid_draws`, read by the deposit panel and the overdue list).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exc, select
from sqlalchemy.orm import Session

from minsheng.core import text
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.wages import deposits
from minsheng.wages.deposit_models import WgDeposit, WgDepositEntry, WgDepositPayout

MAX_WORKERS = 100_000  # workers paid from one draw (the table's check)


def _draw(session: Session, dep: WgDeposit, entry_id: object) -> WgDepositEntry:
    entry = session.get(WgDepositEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None or entry.deposit_id != dep.id or entry.kind != "draw":
        raise NotFoundError(
            "entry_id",
            "本项目保证金没有这笔动用记录",
            "this project's deposit has no such draw",
            bo="མ་དངུལ་བེད་སྤྱོད་ཀྱི་ཟིན་ཐོ་འདི་མི་འདུག",
        )
    return entry


def payout_of(session: Session, entry_id: int) -> WgDepositPayout | None:
    return session.scalar(select(WgDepositPayout).where(WgDepositPayout.entry_id == entry_id))


def record_payout(
    session: Session,
    project_id: int,
    entry_id: object,
    *,
    paid_on: dt.date | None,
    workers: object,
    reference: str,
    by: Principal,
    today: dt.date,
) -> WgDepositPayout:
    """Record that the draw ``entry_id`` reached the workers on ``paid_on``: once (a second
    record of the same draw is refused, whoever sends it, however often)."""
    deposits.require_permission(by, "wages:inspect")
    dep = deposits.deposit_of(session, project_id, by)
    if dep is None:
        raise deposits.no_deposit(project_id)
    entry = _draw(session, dep, entry_id)
    if paid_on is None or not entry.day <= paid_on <= today:
        raise invalid(
            "paid_on",
            "out_of_period",
            f"发放日期须在动用日期{entry.day.isoformat()}与今天之间",
            f"the payout falls between the draw ({entry.day.isoformat()}) and today",
            bo="སྤྲོད་པའི་ཚེས་གྲངས་ནོར་འདུག",
        )
    if type(workers) is not int or not 1 <= workers <= MAX_WORKERS:
        raise invalid(
            "workers",
            "range",
            f"领取工人数须为1至{MAX_WORKERS}的整数",
            f"the workers paid is a whole number from 1 to {MAX_WORKERS}",
            bo="ལས་མིའི་གྲངས་ནོར་འདུག",
        )
    ref = text.clean(reference, "reference", "code", max_length=64, min_length=1)
    done = payout_of(session, entry.id)
    if done is not None:
        raise _already(done)
    row = WgDepositPayout(
        entry_id=entry.id,
        deposit_id=dep.id,
        paid_on=paid_on,
        workers=workers,
        reference=ref,
        by=by.actor,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except exc.IntegrityError:  # another request recorded it first
        done = payout_of(session, entry.id)
        assert done is not None
        raise _already(done) from None
    audit.record(
        session,
        by,
        "deposit.payout",
        "wg_deposit",
        dep.id,
        dep.division_code,
        {"entry": entry.id, "amount": entry.amount, "paid_on": paid_on.isoformat(), "ref": ref},
    )
    return row


def _already(done: WgDepositPayout) -> ConflictError:
    return ConflictError(
        "entry_id",
        "already_paid",
        f"这笔动用已于{done.paid_on.isoformat()}发放给工人",
        f"this draw was paid to the workers on {done.paid_on.isoformat()}",
        bo="མ་དངུལ་འདི་ལས་མིར་སྤྲད་ཟིན།",
    )


def unpaid_draws(session: Session, deposit_ids: Any) -> list[WgDepositEntry]:
    """The draws of these deposits (ids, or a subquery of ids) not yet paid out."""
    paid = select(WgDepositPayout.entry_id)
    return list(
        session.scalars(
            select(WgDepositEntry)
            .where(
                WgDepositEntry.deposit_id.in_(deposit_ids),
                WgDepositEntry.kind == "draw",
                WgDepositEntry.id.not_in(paid),
            )
            .order_by(WgDepositEntry.id)
        )
    )


def payout_out(p: WgDepositPayout) -> dict[str, Any]:
    return {
        "entry_id": p.entry_id,
        "paid_on": p.paid_on.isoformat(),
        "workers": p.workers,
        "reference": p.reference,
        "by": p.by,
    }


__all__ = ["MAX_WORKERS", "payout_of", "payout_out", "record_payout", "unpaid_draws"]
