"""Recovery of the pension paid after a death (追回多发养老金), on the case engine
(``pensions.recovery_workflow``).

A case opens when an award is terminated with an overpayment (:func:`open_case`, called by
``certification.terminate`` — whether the death came from the registry during the scan or from a
death settlement): the amount owed, the day the heirs must be notified by
(``pensions.death.recovery.notify_working_days`` working days). The death settlement then
deducts from the survivors' allowance and the inheritable account balance, in the order of
``pensions.death.recovery.order`` (:func:`deduct`); staff notify the heirs (the repayment
deadline is ``pensions.death.recovery.repay_working_days`` working days later), record each
repayment (:func:`repay`), and the case is ``recovered`` when nothing is owed. What cannot be
recovered is written off: proposed by one caseworker with a reason and approved by a
supervisor who did not propose it (maker–checker). Every step is an event through
``cases.engine.write_event`` (table ``pn_recovery_events``) with its audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import money, text
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.pensions.models import PnAward, PnRecovery, PnRecoveryEvent
from minsheng.pensions.recovery_workflow import RECOVERY
from minsheng.policy import load

SOURCES = ("survivors_allowance", "inheritable_balance", "heir")


def _days(day: dt.date, division: str, path: str) -> int:
    value = load().at(day, division)[path]
    assert isinstance(value, int)
    return value


def _write(
    session: Session,
    rec: PnRecovery,
    event: engine.Event,
    by: Principal,
    amount: int = 0,
    source: str | None = None,
    key: str | None = None,
) -> None:
    engine.write_event(
        session,
        PnRecoveryEvent,
        event,
        by,
        resource="pn_recovery",
        record_id=rec.id,
        division=rec.division_code,
        detail={"from": event.from_state, "to": event.to_state, "amount": amount, "source": source},
        recovery_id=rec.id,
        amount=amount,
        source=source,
        key=key,
    )


def _history(session: Session, rec: PnRecovery) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for action, who in session.execute(
        select(PnRecoveryEvent.action, PnRecoveryEvent.by).where(
            PnRecoveryEvent.recovery_id == rec.id
        )
    ):
        out[action].append(who)
    return out


def outstanding(rec: PnRecovery) -> int:
    return rec.owed - rec.recovered - rec.written_off


def open_case_for(session: Session, award_id: int) -> PnRecovery | None:
    return session.scalar(
        select(PnRecovery).where(
            PnRecovery.award_id == award_id, PnRecovery.state.in_(RECOVERY.open_states)
        )
    )


def case_of(session: Session, award_id: int) -> PnRecovery | None:
    """The award's latest recovery case, open or closed."""
    return session.scalar(
        select(PnRecovery).where(PnRecovery.award_id == award_id).order_by(PnRecovery.id.desc())
    )


def open_case(
    session: Session, award: PnAward, died_on: dt.date, by: Principal, today: dt.date
) -> PnRecovery | None:
    """Open the recovery case of ``award.overpaid`` (nothing if nothing was overpaid; the open
    case if one exists)."""
    if award.overpaid <= 0:
        return None
    existing = open_case_for(session, award.id)
    if existing is not None:
        return existing
    rec = PnRecovery(
        award_id=award.id,
        person_id=award.person_id,
        open_key=award.id,
        division_code=award.division_code,
        state=RECOVERY.initial,
        owed=award.overpaid,
        recovered=0,
        written_off=0,
        died_on=died_on,
        opened_on=today,
        notify_by=engine.due(
            today, _days(today, award.division_code, "pensions.death.recovery.notify_working_days")
        ),
    )
    session.add(rec)
    session.flush()
    note = f"死亡 {died_on.isoformat()}; 多发 {money.to_str(award.overpaid)} 元"
    event = engine.Event("open", None, rec.state, engine.accountable(by), today, note)
    _write(session, rec, event, by, award.overpaid, None)
    return rec


def _close_if_done(rec: PnRecovery, today: dt.date) -> None:
    if outstanding(rec) == 0 and not RECOVERY.state(rec.state).final:
        rec.state = "recovered"
    if RECOVERY.state(rec.state).final:
        rec.closed_on, rec.open_key = today, None


def _amount(value: str | int, rec: PnRecovery) -> int:
    fen = value if isinstance(value, int) else money.parse(value, "amount")
    if fen <= 0:
        raise invalid(
            "amount", "positive", "金额须大于0", "the amount must be above 0", "ཚད་0ལས་མང་དགོས།"
        )
    if fen > outstanding(rec):
        raise invalid(
            "amount",
            "above_outstanding",
            f"金额超过尚欠的{money.to_str(outstanding(rec))}元",
            f"the amount is above the {money.to_str(outstanding(rec))} yuan still owed",
            "ཚད་དེ་བུ་ལོན་ལས་མང་།",
        )
    return fen


def deduct(
    session: Session, rec: PnRecovery, fen: int, source: str, by: Principal, today: dt.date
) -> None:
    """Offset ``fen`` of the overpayment against a benefit due to the heirs (``source``)."""
    if source not in SOURCES[:2]:
        raise ValueError(source)
    fen = _amount(fen, rec)

    def work(step: engine.Step) -> str | None:
        rec.recovered += fen
        _close_if_done(rec, today)
        return f"{source}: {money.to_str(fen)}"

    event = RECOVERY.run(rec, "deduct", by, work, day=today)
    _write(session, rec, event, by, fen, source)


def no_case(recovery_id: int) -> NotFoundError:
    return NotFoundError(
        "recovery_id",
        f"追回案件{recovery_id}不存在",
        f"no recovery case {recovery_id}",
        bo=f"ཕྱིར་ལེན་དོན་རྐྱེན་{recovery_id}མེད།",
    )


def load_case(session: Session, recovery_id: int, by: Principal, lock: bool = False) -> PnRecovery:
    """The case if ``by`` covers its county; elsewhere it answers as missing. ``lock`` (every
    step) holds its row until the commit, so two steps at once on PostgreSQL are taken one after
    the other on fresh amounts (no repayment lost, none above what is owed)."""
    query = select(PnRecovery).where(PnRecovery.id == recovery_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    rec = session.scalar(query)
    if rec is None or not by.covers(rec.division_code):
        raise no_case(recovery_id)
    return rec


def _clean(note: str | None) -> str | None:
    return text.clean(note, "note", "free", max_length=400) if note else None


def notify(
    session: Session,
    recovery_id: int,
    by: Principal,
    note: str | None = None,
    today: dt.date | None = None,
) -> PnRecovery:
    """The heirs were told in writing (书面告知); the repayment deadline starts."""
    today = today or dt.date.today()
    rec = load_case(session, recovery_id, by, lock=True)
    clean = _clean(note)

    def work(step: engine.Step) -> str | None:
        rec.state = "notified"
        rec.repay_by = engine.due(
            today, _days(today, rec.division_code, "pensions.death.recovery.repay_working_days")
        )
        return clean

    _write(session, rec, RECOVERY.run(rec, "notify", by, work, day=today), by)
    return rec


def repay(
    session: Session,
    recovery_id: int,
    amount: str,
    by: Principal,
    note: str | None = None,
    today: dt.date | None = None,
    key: str | None = None,
) -> PnRecovery:
    """An heir's repayment, recorded by staff; the case is recovered when nothing is owed.
    With an ``Idempotency-Key`` a retry answers the case as the first left it (the same key
    with another amount is refused); the case's row is locked, so two at once are one."""
    today = today or dt.date.today()
    text.idempotency_key(key)
    rec = load_case(session, recovery_id, by, lock=True)
    stored = None if key is None else f"{rec.id}:{key}"
    if stored is not None:
        done = session.scalar(select(PnRecoveryEvent.amount).where(PnRecoveryEvent.key == stored))
        if done is not None:
            if done != money.parse(amount, "amount"):
                raise ConflictError(
                    "idempotency_key",
                    "key_reused",
                    "该幂等键已用于另一笔退还",
                    "this Idempotency-Key was already used for another repayment",
                    "Idempotency-Key འདི་ཕྱིར་སློག་གཞན་ཞིག་ལ་བེད་སྤྱོད་བྱས་ཟིན།",
                )
            return rec
    if RECOVERY.state(rec.state).final or rec.state == "write_off_proposed":
        zh, bo, en = RECOVERY.state(rec.state).label
        raise ConflictError(
            "recovery_id",
            "wrong_state",
            f"追回案件{zh}，不能登记退还",
            f"a recovery case that is {en} takes no repayment",
            f"དོན་རྐྱེན་འདི་{bo}། ཕྱིར་སློག་ཐོ་འགོད་མི་ཆོག",
        )
    fen = _amount(amount, rec)
    clean = _clean(note)

    def work(step: engine.Step) -> str | None:
        rec.recovered += fen
        rec.state = "recovered" if outstanding(rec) == 0 else "notified"
        _close_if_done(rec, today)
        return clean

    event = RECOVERY.run(rec, "repay", by, work, day=today)
    _write(session, rec, event, by, fen, "heir", stored)
    return rec


def propose_write_off(
    session: Session, recovery_id: int, reason: str, by: Principal, today: dt.date | None = None
) -> PnRecovery:
    """Propose writing off what is still owed (a reason is required)."""
    today = today or dt.date.today()
    rec = load_case(session, recovery_id, by, lock=True)
    clean = _clean(reason)

    def work(step: engine.Step) -> str | None:
        rec.state = "write_off_proposed"
        return clean

    event = RECOVERY.run(rec, "propose_write_off", by, work, day=today, reason=clean)
    _write(session, rec, event, by, outstanding(rec), None)
    return rec


def decide_write_off(
    session: Session,
    recovery_id: int,
    approve: bool,
    by: Principal,
    reason: str | None = None,
    today: dt.date | None = None,
) -> PnRecovery:
    """Approve (the rest is written off) or refuse a proposed write-off; never by the one who
    proposed it."""
    today = today or dt.date.today()
    rec = load_case(session, recovery_id, by, lock=True)
    clean = _clean(reason)
    rest = outstanding(rec)
    action = "write_off" if approve else "reject_write_off"

    def work(step: engine.Step) -> str | None:
        if approve:
            rec.written_off += rest
            rec.state = "written_off"
            _close_if_done(rec, today)
        else:
            rec.state = "notified"
        return clean

    event = RECOVERY.run(
        rec, action, by, work, day=today, history=_history(session, rec), reason=clean
    )
    _write(session, rec, event, by, rest if approve else 0, None)
    return rec


def queue(
    session: Session, by: Principal, state: str | None = None, limit: int = 200
) -> list[PnRecovery]:
    """The region's recovery cases (open ones unless ``state`` names another), oldest first."""
    query = select(PnRecovery)
    if state is None:
        query = query.where(PnRecovery.state.in_(RECOVERY.open_states))
    else:
        if state not in {s.name for s in RECOVERY.states}:
            _bad_state(state)
        query = query.where(PnRecovery.state == state)
    query = engine.in_region(query, PnRecovery.division_code, by)
    return list(session.scalars(query.order_by(PnRecovery.opened_on, PnRecovery.id).limit(limit)))


def _bad_state(state: str) -> None:
    names = [s.name for s in RECOVERY.states]
    raise invalid(
        "state",
        "unknown_value",
        f"状态无效：{state[:24]!r}（可选：{'、'.join(names)}）",
        f"unknown state {state[:24]!r} (one of: {', '.join(names)})",
        "གནས་སྟངས་ནོར་འདུག",
    )


def events_of(session: Session, rec: PnRecovery) -> list[PnRecoveryEvent]:
    return list(
        session.scalars(
            select(PnRecoveryEvent)
            .where(PnRecoveryEvent.recovery_id == rec.id)
            .order_by(PnRecoveryEvent.id)
        )
    )


def recovery_out(rec: PnRecovery, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    deadline = rec.notify_by if rec.state == "opened" else rec.repay_by
    return {
        "id": rec.id,
        "award_id": rec.award_id,
        "person_id": rec.person_id,
        "division_code": rec.division_code,
        "state": rec.state,
        "owed": money.to_str(rec.owed),
        "recovered": money.to_str(rec.recovered),
        "written_off": money.to_str(rec.written_off),
        "outstanding": money.to_str(outstanding(rec)),
        "died_on": rec.died_on.isoformat(),
        "opened_on": rec.opened_on.isoformat(),
        "notify_by": rec.notify_by.isoformat(),
        "repay_by": rec.repay_by.isoformat() if rec.repay_by else None,
        "closed_on": rec.closed_on.isoformat() if rec.closed_on else None,
        "overdue": bool(
            RECOVERY.state(rec.state).open
            and rec.state != "write_off_proposed"
            and engine.overdue(deadline, today)
        ),
    }


def event_out(e: PnRecoveryEvent) -> dict[str, Any]:
    return {
        "day": e.day.isoformat(),
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "amount": money.to_str(e.amount),
        "source": e.source,
        "note": e.note,
        "by": e.by,
    }
