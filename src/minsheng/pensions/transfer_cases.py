"""Stored transfers (转移接续, 城乡衔接): a caseworker opens one for a person, each side takes
its steps on the case engine (``pensions.transfer_workflow``), the queue shows them with their
deadlines, and the receipt credits the individual account.

- Opening (:func:`open_transfer`) runs the pure rules of ``pensions.transfers`` on the request
  (the JSON of ``minsheng pensions transfer``); the history is the person's stored employee
  contributions (``pn_contributions``, by division and base) where they exist, else the
  request's periods. The amounts (individual account, pooled part, fen), the claim place and
  the first deadline are stored. ``key`` is the caller's idempotency key: a retried open gives
  the same case; a person has one open transfer at a time.
- Sides: ``from_division`` (转出地) confirms and sends, ``to_division`` (转入地) receives; a
  transfer is visible to the staff of either side and answers as missing to anyone else. A
  side outside the region (another province's code) has its steps recorded by the region's
  side, from the national transfer platform's messages.
- Deadlines: each step is due ``step_working_days`` working days (``link_step_working_days``
  for a link) after the previous step's date (``cases.engine.due``).
- Receipt (:func:`take_step` ``receive``): in one transaction the account of the scheme moved
  from is zeroed (the whole account moves, 66号 art. 4; 17号 arts. 5–6) and the account of the
  scheme moved to is credited; an account never goes negative; a side outside the region has
  no account here (an incoming transfer credits what the case says; an outgoing one zeroes
  it). The row is locked and the state moves to ``done``: a second receipt is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import divisions, money, text
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.pensions import enrolment, rules, transfers
from minsheng.pensions.models import PnAccount, PnContribution
from minsheng.pensions.transfer_models import PnTransfer, PnTransferEvent
from minsheng.pensions.transfer_workflow import SIDES, TRANSFER

T = transfers.T
MAX_KEY = 64


# --------------------------------------------------------------------------- places and sides


def in_platform(code: str) -> bool:
    """Whether a division code is one of the region's (its staff and accounts are here)."""
    try:
        divisions.get(code)
    except Exception:
        return False
    return True


def _code(raw: Any, name: str) -> str:
    if not isinstance(raw, str) or len(raw.strip()) != 6 or not raw.strip().isdigit():
        raise invalid(
            name,
            "division",
            f"{name}应为六位行政区划代码",
            f"{name} must be a six-digit division code",
            f"{name} ས་ཁུལ་གྱི་ཨང་རྟགས་གནས་གྲངས་དྲུག",
        )
    return raw.strip()


def side_code(t: PnTransfer, side: str) -> str:
    """The division that takes a side's steps: its own, or the other side's if outside."""
    mine, other = (
        (t.from_division, t.to_division) if side == "out" else (t.to_division, t.from_division)
    )
    return mine if in_platform(mine) else other


def may_take(t: PnTransfer, action: str, by: Principal) -> bool:
    side = SIDES[action]
    if side == "either":
        return visible(t, by)
    return by.covers(side_code(t, side))


def visible(t: PnTransfer, by: Principal) -> bool:
    return by.covers(t.from_division) or by.covers(t.to_division)


def no_transfer(transfer_id: int) -> NotFoundError:
    return NotFoundError(
        "transfer_id",
        f"转移案件{transfer_id}不存在",
        f"no transfer {transfer_id}",
        bo=f"སྤོ་སྒྱུར་{transfer_id}མེད།",
    )


def load(session: Session, transfer_id: int, by: Principal, lock: bool = False) -> PnTransfer:
    """The transfer if ``by`` is staff of either side; elsewhere it answers as missing."""
    q = select(PnTransfer).where(PnTransfer.id == transfer_id)
    t = session.scalar(q.with_for_update() if lock else q)
    if t is None or not visible(t, by):
        raise no_transfer(transfer_id)
    return t


def days(t: PnTransfer | str) -> int:
    kind = t if isinstance(t, str) else t.kind
    path = f"{T}.link_step_working_days" if kind == "link" else f"{T}.step_working_days"
    return enrolment.params(dt.date.today(), None).int_(path)


# --------------------------------------------------------------------------- the history


def stored_history(session: Session, person_id: int) -> list[dict[str, str]]:
    """The person's employee pension months as periods of the rules' JSON: consecutive months
    in one division at one base make one period (place and held = that division)."""
    rows = session.execute(
        select(PnContribution.year, PnContribution.month, PnContribution.division_code,
               PnContribution.base)
        .where(
            PnContribution.person_id == person_id,
            PnContribution.scheme == "employee_pension",
            PnContribution.month.is_not(None),
        )
        .order_by(PnContribution.year, PnContribution.month)
    ).all()  # fmt: skip
    out: list[dict[str, Any]] = []
    last = -2
    for year, month, division, base in rows:
        i = rules.month_index(year, month or 1)  # NULL months are filtered out above
        if i == last:
            continue  # a back payment of a month already seen
        cur = out[-1] if out else None
        if cur and i == last + 1 and cur["place"] == division and cur["_base"] == (base or 0):
            cur["to"] = rules.month_text(i)
        else:
            out.append(
                {
                    "place": division,
                    "from": rules.month_text(i),
                    "to": rules.month_text(i),
                    "monthly_wage": money.to_str(base or 0),
                    "_base": base or 0,
                }
            )
        last = i
    return [{k: v for k, v in p.items() if k != "_base"} for p in out][: transfers.MAX_PERIODS]


def stored_balance(session: Session, person_id: int, scheme: str) -> int | None:
    return session.scalar(
        select(PnAccount.balance).where(
            PnAccount.person_id == person_id, PnAccount.scheme == scheme
        )
    )


# --------------------------------------------------------------------------- opening


def _write(
    session: Session, t: PnTransfer, event: engine.Event, by: Principal, amount: int = 0
) -> None:
    engine.write_event(
        session,
        PnTransferEvent,
        event,
        by,
        resource="pn_transfer",
        record_id=t.id,
        division=t.to_division if in_platform(t.to_division) else t.from_division,
        detail={"from": event.from_state, "to": event.to_state, "amount": amount},
        transfer_id=t.id,
        amount=amount,
    )


def _key(raw: str) -> str:
    key = (raw or "").strip()
    if not 8 <= len(key) <= MAX_KEY or not key.isprintable():
        raise invalid(
            "key",
            "key",
            f"幂等键应为8—{MAX_KEY}个字符",
            f"the idempotency key must be 8–{MAX_KEY} characters",
        )
    return key


def open_transfer(
    session: Session,
    person_id: int,
    data: dict[str, Any],
    key: str,
    by: Principal,
    today: dt.date | None = None,
) -> PnTransfer:
    """Open a transfer for a person (see the module's docstring); the same ``key`` again gives
    the same case."""
    today = today or dt.date.today()
    key = _key(key)
    person = enrolment.visible_person(session, person_id, by)
    found = session.scalar(select(PnTransfer).where(PnTransfer.key == key))
    if found is not None:
        if found.person_id != person.id or not visible(found, by):
            raise ConflictError(
                "key",
                "key_reused",
                "该幂等键已用于另一转移",
                "the key was used for another transfer",
            )
        return found
    data = dict(data)
    kind = data.get("kind")
    if kind == "link":
        data.setdefault("from", person.division_code)
        data.setdefault("to", data.get("from") or person.division_code)
    source, target = _code(data.get("from"), "from"), _code(data.get("to"), "to")
    stored = stored_history(session, person.id) if kind == "employee" else []
    if stored:
        data["history"] = stored
    if kind == "employee" and "account_balance" not in data:
        balance = stored_balance(session, person.id, "employee_pension")
        data["account_balance"] = money.to_str(balance or 0)
    r = transfers.parse(data)
    if r.applied > today:
        raise invalid("applied", "future", "申请日不能晚于今天", "the application is after today")
    if not (in_platform(source) or in_platform(target)):
        raise invalid(
            "to", "outside", "转出地或转入地须在本区", "one of the places must be in the region"
        )
    if not (by.covers(source) or by.covers(target)):
        raise ForbiddenError(
            "to",
            "not_a_side",
            "只有转出地或转入地的经办机构可以办理",
            "only staff of the place moving from or to may open the transfer",
        )
    result = transfers.transfer(enrolment.params(r.applied, None), r)
    if kind == "link":
        into_employee = result["direction"] == "resident_to_employee"
        schemes = ("resident_pension", "employee_pension")
        from_scheme, to_scheme = schemes if into_employee else schemes[::-1]
        account, pooled, claim, temporary = (
            money.parse(result["amounts"]["account"]),
            0,
            None,
            False,
        )
    else:
        from_scheme = to_scheme = "employee_pension"
        account = r.account
        pooled = money.parse(result["amounts"]["pooled"])
        claim, temporary = result["claim_place"]["place"], bool(result["temporary_account"])
    if session.scalar(select(PnTransfer.id).where(PnTransfer.open_key == person.id)):
        raise ConflictError(
            "person_id",
            "open_transfer",
            "此人已有办理中的转移",
            "the person already has a transfer in progress",
            "མི་འདི་ལ་སྤོ་སྒྱུར་བྱེད་བཞིན་པ་ཞིག་ཡོད།",
        )
    t = PnTransfer(
        key=key,
        person_id=person.id,
        open_key=person.id,
        kind=kind,
        from_division=source,
        to_division=target,
        from_scheme=from_scheme,
        to_scheme=to_scheme,
        state=TRANSFER.initial,
        account=account,
        pooled=pooled,
        claim_place=claim,
        temporary_account=temporary,
        request=json.dumps({k: v for k, v in data.items() if k != "events"}, ensure_ascii=False),
        applied_on=r.applied,
        confirm_by=engine.due(r.applied, days(str(kind))),
    )
    try:
        with session.begin_nested():
            session.add(t)
            session.flush()
    except IntegrityError:  # the same key (or person) opened at the same moment
        again = session.scalar(select(PnTransfer).where(PnTransfer.key == key))
        if again is not None and again.person_id == person.id:
            return again
        raise ConflictError(
            "person_id", "open_transfer", "此人已有办理中的转移", "a transfer is in progress"
        ) from None
    note = f"{source}→{target}; {money.to_str(account)} + {money.to_str(pooled)}"
    if stored:
        note += "; 缴费记录取自系统"
    event = engine.Event("open", None, t.state, engine.accountable(by), today, note)
    _write(session, t, event, by, account + pooled)
    return t


# --------------------------------------------------------------------------- the steps


def _account(session: Session, person_id: int, scheme: str, create: bool) -> PnAccount | None:
    row = session.scalar(
        select(PnAccount)
        .where(PnAccount.person_id == person_id, PnAccount.scheme == scheme)
        .with_for_update()
    )
    if row is None and create:
        row = PnAccount(person_id=person_id, scheme=scheme, balance=0)
        session.add(row)
        session.flush()
    return row


def credit(session: Session, t: PnTransfer) -> int:
    """Move the account: zero the scheme moved from, credit the scheme moved to (the same
    account row when both sides are here and the scheme does not change: nothing moves on
    it). Returns what was credited (fen)."""
    out_row = (
        _account(session, t.person_id, t.from_scheme, False)
        if in_platform(t.from_division)
        else None
    )
    in_row = (
        _account(session, t.person_id, t.to_scheme, True) if in_platform(t.to_division) else None
    )
    moved = t.account
    if out_row is not None and in_row is not None and out_row.id == in_row.id:
        return out_row.balance
    if out_row is not None:
        moved = out_row.balance  # the whole account moves
        out_row.balance = 0
    if in_row is not None:
        in_row.balance = money.bounded(in_row.balance + moved, "account", rules.MAX_ACCOUNT_FEN)
    session.flush()
    return moved


def _day(raw: dt.date | None, after: dt.date, today: dt.date) -> dt.date:
    day = raw or today
    if day > today or day < after:
        raise invalid(
            "day",
            "order",
            f"日期应在{after.isoformat()}至今天之间",
            f"the date must be between {after.isoformat()} and today",
            "ཚེས་གྲངས་ནོར།",
        )
    return day


def take_step(
    session: Session,
    transfer_id: int,
    action: str,
    by: Principal,
    *,
    day: dt.date | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
) -> PnTransfer:
    """Take ``action`` (confirm, send, receive, refuse) on the transfer, on ``day`` (default
    today); the side that does not own the step is refused; the table refuses a step out of
    order."""
    today = today or dt.date.today()
    t = load(session, transfer_id, by, lock=True)
    note = text.clean(reason, "reason", "free", max_length=400) if reason else None
    amount = 0

    def work(step: engine.Step) -> str | None:
        nonlocal amount
        if not may_take(t, action, by):
            where = "转出地" if SIDES[action] == "out" else "转入地"
            en = "from" if SIDES[action] == "out" else "to"
            raise ForbiddenError(
                "action",
                "other_side",
                f"此步骤由{where}办理",
                f"this step is taken by the place moving {en}",
                "ལས་རིམ་འདི་ཕྱོགས་གཞན་གྱིས་བྱེད།",
            )
        n = days(t)
        if action == "confirm":
            t.confirmed_on = _day(day, t.applied_on, today)
            t.send_by = engine.due(t.confirmed_on, n)
            t.state = "confirmed"
        elif action == "send":
            t.sent_on = _day(day, t.confirmed_on or t.applied_on, today)
            t.receive_by = engine.due(t.sent_on, n)
            t.state = "sent"
        elif action == "receive":
            t.received_on = _day(day, t.sent_on or t.applied_on, today)
            amount = credit(session, t)
            t.credited, t.account = amount, amount
            t.state, t.open_key = "done", None
            return f"{money.to_str(amount)} → {t.to_scheme}"
        else:
            t.refused_on = _day(day, t.applied_on, today)
            t.reason, t.state, t.open_key = note, "refused", None
        return note

    event = TRANSFER.run(t, action, by, work, day=today, reason=note)
    _write(session, t, event, by, amount)
    return t


# --------------------------------------------------------------------------- reading


def next_due(t: PnTransfer) -> dt.date | None:
    return {"applied": t.confirm_by, "confirmed": t.send_by, "sent": t.receive_by}.get(t.state)


def out(t: PnTransfer, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    due = next_due(t)
    return {
        "id": t.id,
        "person_id": t.person_id,
        "kind": t.kind,
        "from": t.from_division,
        "to": t.to_division,
        "from_scheme": t.from_scheme,
        "to_scheme": t.to_scheme,
        "state": t.state,
        "account": money.to_str(t.account),
        "pooled": money.to_str(t.pooled),
        "total": money.to_str(t.account + t.pooled),
        "credited": money.to_str(t.credited) if t.credited is not None else None,
        "claim_place": t.claim_place,
        "temporary_account": t.temporary_account,
        "applied_on": t.applied_on.isoformat(),
        "steps": [
            {"step": "confirm", "by": t.confirm_by.isoformat(), "on": _iso(t.confirmed_on)},
            {"step": "send", "by": _iso(t.send_by), "on": _iso(t.sent_on)},
            {"step": "receive", "by": _iso(t.receive_by), "on": _iso(t.received_on)},
        ],
        "due": _iso(due),
        "overdue": engine.overdue(due, today),
        "refused_on": _iso(t.refused_on),
        "reason": t.reason,
    }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def offered(session: Session, t: PnTransfer, by: Principal) -> list[str]:
    """The steps ``by`` may take now (the table's, for the side ``by`` is on)."""
    return [a for a in TRANSFER.offered(t.state, by) if may_take(t, a, by)]


def events(session: Session, t: PnTransfer) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PnTransferEvent)
        .where(PnTransferEvent.transfer_id == t.id)
        .order_by(PnTransferEvent.id)
    )
    return [
        {"day": e.day.isoformat(), "action": e.action, "to": e.to_state, "note": e.note,
         "amount": money.to_str(e.amount), "by": e.by}
        for e in rows
    ]  # fmt: skip


def queue_query(by: Principal, state: str, today: dt.date) -> tuple[Any, Any]:
    """The transfers of ``by``'s region (either side), overdue first then the earliest due;
    ``state`` filters (empty: every open state). Returns (query, count query)."""
    due = case(
        (PnTransfer.state == "applied", PnTransfer.confirm_by),
        (PnTransfer.state == "confirmed", PnTransfer.send_by),
        (PnTransfer.state == "sent", PnTransfer.receive_by),
        else_=None,
    )
    states = (state,) if state in {s.name for s in TRANSFER.states} else TRANSFER.open_states
    q = select(PnTransfer).where(PnTransfer.state.in_(states))
    codes = by.covered_codes()
    if codes is not None:
        q = q.where(or_(PnTransfer.from_division.in_(codes), PnTransfer.to_division.in_(codes)))
    count = select(func.count()).select_from(q.subquery())
    late = case((and_(due.is_not(None), due < today), 0), else_=1)
    return q.order_by(late, due.is_(None), due, PnTransfer.id), count
