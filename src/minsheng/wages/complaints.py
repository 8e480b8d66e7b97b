"""Arrears complaints after filing (``complaint_filing``): the responsible county's queue, the
steps on the case engine (``wages.complaint``), what each office may read, and the monthly KPIs.

**One point, region-wide.** A complaint lives in exactly one queue: that of the county
responsible for its project (``division_code``), whatever office took it. Staff of that county's
region (the county, its prefecture, the region) read it whole — the worker's name and phone,
the facts — and take its steps. Every other office reads its **state only**
(:func:`state_view`: state, county, project, deadlines, outcome, amount recovered): nothing that
names or reaches the worker. A full read of another region's complaint answers as a missing one.

Deadlines: acceptance ``accept_working_days`` working days after receipt; investigation
``investigate_working_days`` working days after acceptance (+``investigate_extension_working_days``
once, maker–checker); arbitration ``arbitration_days`` calendar days after referral
(+``arbitration_extension_days`` once) — all ``wages.complaints.*`` parameters read on the day.
A close records the outcome, the amount recovered, the reason and whether it was on time (the
day of the close against the deadline then running).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import divisions, money, text
from minsheng.core.errors import ConflictError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.models import Person
from minsheng.wages.complaint_filing import missing_complaint
from minsheng.wages.complaint_models import OUTCOMES, WgComplaint, WgComplaintEvent
from minsheng.wages.complaint_workflow import COMPLAINT, OUTCOME_STEPS
from minsheng.wages.models import WgProject

P = "wages.complaints."
CLOSING = ("close", "withdraw", "refuse")


def _param(day: dt.date, division: str, name: str) -> Any:
    return load().at(day, division)[P + name]


# ------------------------------------------------------------------ reading


def get(session: Session, complaint_id: int, by: Principal) -> WgComplaint:
    """A complaint of the caller's region, whole; any other answers as missing."""
    row = session.get(WgComplaint, complaint_id)
    if row is None or not by.covers(row.division_code):
        raise missing_complaint()
    return row


def deadline(c: WgComplaint) -> dt.date | None:
    """The deadline running now (None once closed)."""
    if COMPLAINT.state(c.state).final:
        return None
    if c.state == "received":
        return c.accept_by
    if c.state == "referred":
        return c.refer_by
    return c.investigate_by


def _county_name(code: str, lang: str = "zh") -> str:
    try:
        return divisions.get(code).name(lang)
    except Exception:
        return code


def state_view(session: Session, c: WgComplaint, today: dt.date) -> dict[str, Any]:
    """What every office may read: nothing that names or reaches the worker (no name, phone,
    facts, or typed project text — which a worker may fill with anything)."""
    project = session.get(WgProject, c.project_id) if c.project_id else None
    due = deadline(c)
    return {
        "id": c.id,
        "state": c.state,
        "state_label": dict(zip(("zh", "bo", "en"), COMPLAINT.state(c.state).label, strict=True)),
        "county": c.division_code,
        "county_name": _county_name(c.division_code),
        "project_id": c.project_id,
        "project": project.name if project else None,
        "channel": c.channel,
        "received_division": c.received_division,
        "received_on": c.received_on.isoformat(),
        "accept_by": c.accept_by.isoformat(),
        "accepted_on": c.accepted_on.isoformat() if c.accepted_on else None,
        "investigate_by": c.investigate_by.isoformat() if c.investigate_by else None,
        "extended": c.extended,
        "referred_on": c.referred_on.isoformat() if c.referred_on else None,
        "refer_by": c.refer_by.isoformat() if c.refer_by else None,
        "referral_extended": c.referral_extended,
        "deadline": due.isoformat() if due else None,
        "overdue": engine.overdue(due, today),
        "closed_on": c.closed_on.isoformat() if c.closed_on else None,
        "outcome": c.outcome,
        "recovered": money.to_str(c.recovered),
        "on_time": c.on_time,
    }


def events(session: Session, c: WgComplaint) -> list[WgComplaintEvent]:
    return list(
        session.scalars(
            select(WgComplaintEvent)
            .where(WgComplaintEvent.complaint_id == c.id)
            .order_by(WgComplaintEvent.id)
        )
    )


def event_out(e: WgComplaintEvent, with_by: bool = True) -> dict[str, Any]:
    out = {
        "day": e.day.isoformat(),
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "amount": money.to_str(e.amount),
        "note": e.note,
    }
    if with_by:
        out["by"] = e.by
    return out


def worker_name(session: Session, c: WgComplaint) -> str | None:
    if c.person_id is not None:
        person = session.get(Person, c.person_id)
        return person.name_zh if person else None
    return c.worker_name


def full_view(session: Session, c: WgComplaint, today: dt.date) -> dict[str, Any]:
    """The responsible region's view: the state and the worker's own data and the history."""
    return {
        **state_view(session, c, today),
        "anonymous": c.anonymous,
        "person_id": c.person_id,
        "worker_name": worker_name(session, c),
        "phone": c.phone,
        "facts": c.facts,
        "project_text": c.project_text,
        "lang": c.lang,
        "amount_claimed": money.to_str(c.amount_claimed) if c.amount_claimed is not None else None,
        "workers": c.workers,
        "events": [event_out(e) for e in events(session, c)],
    }


def read(session: Session, complaint_id: int, by: Principal, today: dt.date) -> dict[str, Any]:
    """The whole complaint for its region's staff (the read is audited: personal data)."""
    c = get(session, complaint_id, by)
    audit.record(session, by, "read", "wg_complaint", c.id, c.division_code)
    return full_view(session, c, today)


def read_state(
    session: Session, complaint_id: int, by: Principal, today: dt.date
) -> dict[str, Any]:
    """The state of any complaint of the region, for every office (no personal data)."""
    c = session.get(WgComplaint, complaint_id)
    if c is None:
        raise missing_complaint()
    return state_view(session, c, today)


def queue_query(by: Principal, state: str = "", overdue_on: dt.date | None = None) -> Select[Any]:
    """The caller's queue: complaints routed to the counties of their region, the earliest
    deadline first; ``state`` one of the states or ``open``; ``overdue_on`` only those past
    their deadline on that day."""
    q: Select[Any] = engine.in_region(select(WgComplaint), WgComplaint.division_code, by)
    if state == "open":
        q = q.where(WgComplaint.state.in_(COMPLAINT.open_states))
    elif state:
        q = q.where(WgComplaint.state == state)
    if overdue_on is not None:
        q = q.where(
            ((WgComplaint.state == "received") & (WgComplaint.accept_by < overdue_on))
            | (
                WgComplaint.state.in_(("investigating", "extension_requested"))
                & (WgComplaint.investigate_by < overdue_on)
            )
            | ((WgComplaint.state == "referred") & (WgComplaint.refer_by < overdue_on))
        )
    return q.order_by(WgComplaint.closed_on.is_not(None), WgComplaint.accept_by, WgComplaint.id)


def _board_query(county: str) -> Any:
    q = select(WgComplaint).where(WgComplaint.state.in_(COMPLAINT.open_states))
    return q.where(WgComplaint.division_code == county) if county else q


def board(
    session: Session, today: dt.date, county: str = "", limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """The region-wide board: the open complaints' state in every county (no personal data),
    newest first, ``limit`` from ``offset`` (a page: :func:`board_count` is the total)."""
    q = _board_query(county).order_by(WgComplaint.id.desc()).limit(limit).offset(offset)
    return [state_view(session, c, today) for c in session.scalars(q)]


def board_count(session: Session, county: str = "") -> int:
    """How many open complaints the board holds (in ``county``, or everywhere)."""
    q = _board_query(county).with_only_columns(func.count()).order_by(None)
    return int(session.scalar(q) or 0)


def mine(session: Session, by: Principal) -> list[WgComplaint]:
    """A signed-in worker's own named complaints."""
    if by.kind != "citizen" or by.person_id is None:
        return []
    return list(
        session.scalars(
            select(WgComplaint)
            .where(WgComplaint.person_id == by.person_id)
            .order_by(WgComplaint.id.desc())
        )
    )


def my_complaint(session: Session, complaint_id: int, by: Principal) -> WgComplaint:
    c = session.get(WgComplaint, complaint_id)
    if c is None or by.kind != "citizen" or c.person_id != by.person_id:
        raise missing_complaint()
    return c


# ------------------------------------------------------------------ steps


def history(session: Session, c: WgComplaint) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for action, who in session.execute(
        select(WgComplaintEvent.action, WgComplaintEvent.by).where(
            WgComplaintEvent.complaint_id == c.id
        )
    ):
        out[action].append(who)
    return out


def offered(session: Session, c: WgComplaint, by: Principal) -> tuple[str, ...]:
    if not by.covers(c.division_code):
        return ()
    return tuple(
        a
        for a in COMPLAINT.offered(c.state, by, history(session, c))
        if not (a == "request_extension" and c.extended)
        and not (a == "extend_referral" and c.referral_extended)
    )


def _outcome(action: str, outcome: str, recovered: int, c: WgComplaint) -> str:
    if action == "withdraw":
        return "withdrawn"
    if action == "refuse":
        return "refused"
    if outcome not in OUTCOMES or OUTCOME_STEPS[outcome] != "close":
        choices = [o for o, s in OUTCOME_STEPS.items() if s == "close"]
        raise invalid(
            "outcome",
            "unknown_value",
            f"请选择结案结果：{'、'.join(choices)}",
            f"pick the outcome: {', '.join(choices)}",
            "མཇུག་སྒྲིལ་གྱི་མཇུག་འབྲས་འདེམས་རོགས།",
        )
    if outcome == "recovered" and recovered <= 0:
        raise invalid(
            "recovered",
            "required",
            "结果为“已追回”时须填写追回金额",
            "an outcome of “recovered” needs the amount recovered",
            "ཕྱིར་བླངས་པའི་དངུལ་གྲངས་འབྲི་དགོས།",
        )
    if outcome == "arbitrated" and c.state != "referred":
        raise invalid(
            "outcome",
            "not_referred",
            "未移送仲裁的投诉不能以“仲裁结案”办结",
            "a complaint not referred to arbitration cannot close as “arbitrated”",
            "གྲོས་ཆོད་ལ་མ་སྤྲད་པས་མི་ཆོག",
        )
    return outcome


def _recovered(value: str | int | None) -> int:
    if value is None or value == "":
        return 0
    fen = value if isinstance(value, int) else money.parse(value, "recovered")
    if fen < 0 or fen > money.MAX_AMOUNT_FEN:
        raise invalid(
            "recovered",
            "range",
            "追回金额应在0至100亿元之间",
            "the amount recovered is between 0 and ¥10 billion",
            "དངུལ་གྲངས་ནོར།",
        )
    return fen


def act(
    session: Session,
    complaint_id: int,
    action: str,
    by: Principal,
    *,
    day: dt.date,
    reason: str | None = None,
    outcome: str = "",
    recovered: str | int | None = None,
) -> WgComplaint:
    """Take one step on a complaint of the caller's region (validate everything, then write)."""
    c = get(session, complaint_id, by)
    if day < c.received_on:
        raise invalid(
            "day",
            "before_receipt",
            "日期不能早于收到投诉之日",
            "the day cannot be before the complaint was received",
            "ཚེས་གྲངས་ནོར།",
        )
    note = text.clean(reason, "reason", "short", max_length=400) if reason else None
    step = COMPLAINT.begin(c.state, action, by, history(session, c), note)
    amount = _recovered(recovered) if action == "close" else 0
    end = _outcome(action, outcome, amount, c) if action in CLOSING else None
    if action == "request_extension" and c.extended:
        raise ConflictError(
            "action",
            "extended",
            "调查期限已延长过一次，不能再延长",
            "the investigation has been extended once already",
            "དུས་འགྱངས་ཐེངས་གཅིག་བྱས་ཟིན།",
        )
    if action == "extend_referral" and c.referral_extended:
        raise ConflictError(
            "action",
            "extended",
            "仲裁期限已延长过一次，不能再延长",
            "the arbitration has been extended once already",
            "དུས་འགྱངས་ཐེངས་གཅིག་བྱས་ཟིན།",
        )
    before, running = c.state, deadline(c)
    county = c.division_code
    if action == "accept":
        c.state, c.accepted_on = "investigating", day
        c.investigate_by = engine.due(day, _param(day, county, "investigate_working_days"))
    elif action == "request_extension":
        c.state = "extension_requested"
    elif action == "approve_extension":
        assert c.investigate_by is not None
        days = _param(day, county, "investigate_extension_working_days")
        c.state, c.extended = "investigating", True
        c.investigate_by = engine.due(c.investigate_by, days)
    elif action == "reject_extension":
        c.state = "investigating"
    elif action == "refer":
        c.state, c.referred_on = "referred", day
        c.refer_by = day + dt.timedelta(days=_param(day, county, "arbitration_days"))
    elif action == "extend_referral":
        assert c.refer_by is not None
        c.referral_extended = True
        c.refer_by += dt.timedelta(days=_param(day, county, "arbitration_extension_days"))
    else:  # close, withdraw, refuse
        c.state = "refused" if action == "refuse" else "closed"
        c.closed_on, c.outcome, c.recovered = day, end, amount
        c.on_time = not engine.overdue(running, day)
    event = COMPLAINT.finish(step, before, c.state, by, day, note)
    engine.write_event(
        session,
        WgComplaintEvent,
        event,
        by,
        resource="wg_complaint",
        record_id=c.id,
        division=county,
        detail={"from": before, "to": c.state, "outcome": end, "recovered": amount},
        complaint_id=c.id,
        amount=amount,
    )
    session.flush()
    return c


# ------------------------------------------------------------------ KPIs


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → its first day and the first day of the next month."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        raise invalid(
            "month", "month", "月份格式应为YYYY-MM", "a month is YYYY-MM", "ཟླ་བ་ནོར།"
        ) from None
    if len(month) != 7:
        raise invalid("month", "month", "月份格式应为YYYY-MM", "a month is YYYY-MM", "ཟླ་བ་ནོར།")
    nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt


def _rate(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def kpis(session: Session, month: str, by: Principal) -> list[dict[str, Any]]:
    """Per county of the caller's region, the complaints received in ``month``: how many, how
    many closed (closed or refused, by now), the closure rate against its target
    (``wages.complaints.closure_rate_target``), how many closed on time, and the amount
    recovered. Counties with no complaint that month are left out."""
    first, nxt = month_bounds(month)
    q = engine.in_region(
        select(
            WgComplaint.division_code,
            func.count(WgComplaint.id),
            func.count(WgComplaint.closed_on),
            func.count(WgComplaint.id).filter(WgComplaint.on_time.is_(True)),
            func.coalesce(func.sum(WgComplaint.recovered), 0),
        ),
        WgComplaint.division_code,
        by,
    ).where(WgComplaint.received_on >= first, WgComplaint.received_on < nxt)
    out = []
    for county, received, closed, on_time, recovered in session.execute(
        q.group_by(WgComplaint.division_code).order_by(WgComplaint.division_code)
    ):
        target = _param(first, county, "closure_rate_target")
        rate = _rate(closed, received)
        out.append(
            {
                "county": county,
                "county_name": _county_name(county),
                "month": month,
                "received": received,
                "closed": closed,
                "closure_rate": str(rate) if rate is not None else None,
                "target": str(target),
                "met": rate is not None and rate >= target,
                "on_time": on_time,
                "on_time_rate": str(_rate(on_time, closed)) if closed else None,
                "recovered": money.to_str(int(recovered)),
                "recovered_fen": int(recovered),
            }
        )
    return out
