"""The arrears blacklist (拖欠农民工工资失信联合惩戒对象名单, 人社部令第45号) on the case engine
(``wages.blacklist_workflow``).

An inspector proposes a listing of a firm on a project when the rules' criteria are met
(``deposit_rules.listing_reason``: one worker owed for ``one_worker.months`` at
``one_worker.amount``, or ``many_workers.workers`` owed ``many_workers.amount`` together, or a
mass or extreme incident); a supervisor who did not propose it approves (listed from that day
for ``term_years``) or rejects it with a reason. Early removal: ``early_removal_months`` after
the arrears were put right, the firm's written pledge (信用承诺) entered by one officer, approved
or refused by another. A listing past its term is ended (``end_expired``).

:func:`listed` is what filing a project asks (a listed firm cannot file a new project). The
public list (:func:`public_listings`) shows only the firm's name and credit code, the reason
and the dates — never the facts typed by the inspector, never anyone's personal data. Every
step is an event (``wg_blacklist_events``) with its audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import money, text
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.models import Employer
from minsheng.wages import deposit_rules as rules
from minsheng.wages.access import get_project
from minsheng.wages.blacklist_workflow import BLACKLIST
from minsheng.wages.deposit_models import WgBlacklistEvent, WgBlacklisting
from minsheng.wages.models import WgProjectFirm

HOLDING = ("listed", "removal_requested", "removed", "ended")  # states that were listed
OPEN = BLACKLIST.open_states
REASON_LABELS = {
    "one_worker": (
        "拖欠单个劳动者工资达到数额标准",
        "ལས་མི་གཅིག་གི་གླ་ཕོགས་བསྒྱངས།",
        "arrears to one worker",
    ),
    "many_workers": (
        "拖欠多名劳动者工资达到数额标准",
        "ལས་མི་མང་པོའི་གླ་ཕོགས་བསྒྱངས།",
        "arrears to many workers",
    ),
    "incident": (
        "因拖欠引发群体性或极端事件",
        "གླ་ཕོགས་བསྒྱངས་པས་བྱུང་བའི་དོན་རྐྱེན།",
        "incident caused by arrears",
    ),
}


@lru_cache(maxsize=1024)
def params(day: dt.date, division: str) -> rules.BlacklistParams:
    return rules.BlacklistParams.from_snapshot(load().at(day, division))


def listed(session: Session, employer_id: int, on: dt.date) -> bool:
    """Whether the employer is on the blacklist on ``on`` (listed on or before it, its term
    not over, not removed early by then)."""
    rows = session.execute(
        select(WgBlacklisting.listed_on, WgBlacklisting.until, WgBlacklisting.removed_on).where(
            WgBlacklisting.employer_id == employer_id,
            WgBlacklisting.state.in_(HOLDING),
            WgBlacklisting.listed_on <= on,
        )
    )
    return any(rules.is_listed(a, b, c, on) for a, b, c in rows)


def no_listing(listing_id: int) -> NotFoundError:
    return NotFoundError(
        "listing_id", f"失信名单记录{listing_id}不存在", f"no listing {listing_id}", "མིང་ཐོ་མེད།"
    )


def load_listing(
    session: Session, listing_id: int, by: Principal, lock: bool = False
) -> WgBlacklisting:
    """The listing if it lies in ``by``'s region; otherwise 404 as for a missing one."""
    query = select(WgBlacklisting).where(WgBlacklisting.id == listing_id)
    if lock:
        query = query.with_for_update()
    rec = session.scalar(query)
    if rec is None or not by.covers(rec.division_code):
        raise no_listing(listing_id)
    return rec


def history(session: Session, rec: WgBlacklisting) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for action, who in session.execute(
        select(WgBlacklistEvent.action, WgBlacklistEvent.by).where(
            WgBlacklistEvent.listing_id == rec.id
        )
    ):
        out[action].append(who)
    return out


def _write(session: Session, rec: WgBlacklisting, event: engine.Event, by: Principal) -> None:
    engine.write_event(
        session,
        WgBlacklistEvent,
        event,
        by,
        resource="wg_blacklist",
        record_id=rec.id,
        division=rec.division_code,
        audit_action=f"blacklist.{event.action}",
        detail={"from": event.from_state, "to": event.to_state, "employer_id": rec.employer_id},
        listing_id=rec.id,
    )


def _owed(owed: Sequence[tuple[int, str | int]]) -> list[tuple[int, int]]:
    if len(owed) > 10_000:
        raise invalid("owed", "too_many", "被拖欠劳动者过多", "at most 10,000 workers per listing")
    out = []
    for i, (months, amount) in enumerate(owed):
        field = f"owed.{i}.amount"
        fen = amount if isinstance(amount, int) else money.parse(str(amount), field)
        money.bounded(fen, field)
        if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= 600:
            raise invalid(f"owed.{i}.months", "range", "拖欠月数应为0–600", "months are 0–600")
        if fen < 0:
            raise invalid(field, "negative", "金额不能为负", "an amount is >= 0")
        out.append((months, fen))
    return out


def propose(
    session: Session,
    *,
    employer_id: int,
    project_id: int,
    owed: Sequence[tuple[int, str | int]],
    incident: bool = False,
    facts: str,
    reference: str | None = None,
    by: Principal,
    today: dt.date,
) -> WgBlacklisting:
    """Propose listing ``employer_id`` for arrears on ``project_id`` (the project's county
    decides). Refused unless the criteria are met, or while the firm has a listing open."""
    clean_facts = text.clean(facts, "facts", "short", max_length=400, min_length=1)
    ref = text.clean(reference, "reference", "code", max_length=64) if reference else None
    worked = _owed(owed)
    project = get_project(session, project_id, by)
    on_project = session.scalar(
        select(WgProjectFirm.id).where(
            WgProjectFirm.project_id == project.id, WgProjectFirm.employer_id == employer_id
        )
    )
    if on_project is None:
        raise invalid(
            "employer_id",
            "not_on_project",
            "该单位不是本工程的建设、总包或分包单位",
            "the firm has no part in this project",
            "ཚོང་ཁང་འདི་ལས་གཞི་འདིའི་ནང་མེད།",
        )
    reason = rules.listing_reason(worked, incident, params(today, project.division_code))
    if reason is None:
        raise invalid(
            "owed",
            "criteria_not_met",
            "未达到列入失信联合惩戒名单的标准（人社部令第45号第五条）",
            "the arrears do not meet the listing criteria (Order 45 art. 5)",
            "མིང་ཐོར་འཇུག་པའི་ཚད་གཞི་མ་ལོན།",
        )
    session.execute(select(Employer.id).where(Employer.id == employer_id).with_for_update())
    open_one = session.scalar(
        select(WgBlacklisting.id).where(
            WgBlacklisting.employer_id == employer_id, WgBlacklisting.state.in_(OPEN)
        )
    )
    if open_one is not None:
        raise ConflictError(
            "employer_id",
            "listing_open",
            f"该单位已有未办结的失信名单记录（{open_one}）",
            f"the firm already has an open listing ({open_one})",
            "ཚོང་ཁང་འདིར་མིང་ཐོ་ཡོད།",
        )
    rec = WgBlacklisting(
        employer_id=employer_id,
        project_id=project.id,
        division_code=project.division_code,
        reason=reason,
        facts=clean_facts,
        arrears=money.checked_sum((f for _, f in worked), "owed"),
        workers=sum(1 for _, f in worked if f > 0),
        reference=ref,
        state=BLACKLIST.initial,
        proposed_on=today,
    )
    session.add(rec)
    session.flush()

    def work(step: engine.Step) -> str | None:
        rec.state = "proposed"
        return clean_facts

    _write(session, rec, BLACKLIST.run(rec, "propose", by, work, day=today), by)
    return rec


def approve(session: Session, listing_id: int, *, by: Principal, today: dt.date) -> WgBlacklisting:
    """List the firm from today for the term (maker–checker: not the proposer)."""
    rec = load_listing(session, listing_id, by, lock=True)

    def work(step: engine.Step) -> str | None:
        rec.state, rec.listed_on = "listed", today
        rec.until = rules.listed_until(today, params(today, rec.division_code))
        return f"至 {rec.until.isoformat()}"

    event = BLACKLIST.run(rec, "approve", by, work, day=today, history=history(session, rec))
    _write(session, rec, event, by)
    return rec


def reject(
    session: Session, listing_id: int, *, reason: str, by: Principal, today: dt.date
) -> WgBlacklisting:
    rec = load_listing(session, listing_id, by, lock=True)
    why = text.clean(reason or "", "reason", "short", max_length=400)

    def work(step: engine.Step) -> str | None:
        rec.state = "rejected"
        return why

    event = BLACKLIST.run(
        rec, "reject", by, work, day=today, history=history(session, rec), reason=why
    )
    _write(session, rec, event, by)
    return rec


def request_removal(
    session: Session,
    listing_id: int,
    *,
    put_right_on: dt.date,
    pledge: str,
    by: Principal,
    today: dt.date,
) -> WgBlacklisting:
    """Enter the firm's request for early removal with its written pledge: the arrears put
    right on ``put_right_on``, at least ``early_removal_months`` before today."""
    rec = load_listing(session, listing_id, by, lock=True)
    words = text.clean(pledge or "", "pledge", "free", max_length=400)
    if put_right_on > today:
        raise invalid(
            "put_right_on", "future", "纠正日期不能晚于今天", "the arrears are put right by today"
        )
    earliest = rules.removal_from(put_right_on, params(today, rec.division_code))
    if today < earliest:
        raise ConflictError(
            "put_right_on",
            "too_early",
            f"拖欠纠正满6个月后方可申请提前移出（{earliest.isoformat()}起）",
            f"early removal may be asked from {earliest.isoformat()}",
            f"{earliest.isoformat()} ནས་ཞུ་ཆོག",
        )

    def work(step: engine.Step) -> str | None:
        rec.state, rec.put_right_on = "removal_requested", put_right_on
        rec.pledge, rec.removal_requested_on = words, today
        return words

    event = BLACKLIST.run(
        rec, "request_removal", by, work, day=today, history=history(session, rec), reason=words
    )
    _write(session, rec, event, by)
    return rec


def decide_removal(
    session: Session,
    listing_id: int,
    *,
    approve_it: bool,
    reason: str | None = None,
    by: Principal,
    today: dt.date,
) -> WgBlacklisting:
    """Approve (removed today) or refuse (listed again) the early removal — not by the one
    who entered the request."""
    rec = load_listing(session, listing_id, by, lock=True)
    why = text.clean(reason, "reason", "short", max_length=400) if reason else None
    action = "approve_removal" if approve_it else "refuse_removal"

    def work(step: engine.Step) -> str | None:
        if approve_it:
            rec.state, rec.removed_on, rec.removed_by = "removed", today, engine.accountable(by)
        else:
            rec.state, rec.removal_requested_on = "listed", None
        return why

    event = BLACKLIST.run(
        rec, action, by, work, day=today, history=history(session, rec), reason=why
    )
    _write(session, rec, event, by)
    return rec


def end_expired(session: Session, *, by: Principal, today: dt.date) -> list[int]:
    """End every listing in ``by``'s region whose term is over; the ids ended."""
    query = select(WgBlacklisting).where(
        WgBlacklisting.state.in_(("listed", "removal_requested")), WgBlacklisting.until <= today
    )
    done = []
    for rec in session.scalars(engine.in_region(query, WgBlacklisting.division_code, by)).all():

        def work(step: engine.Step, rec: WgBlacklisting = rec) -> str | None:
            rec.state = "ended"
            return None

        _write(session, rec, BLACKLIST.run(rec, "end", by, work, day=today), by)
        done.append(rec.id)
    return done


def queue(session: Session, by: Principal, state: str | None = None) -> list[WgBlacklisting]:
    query = select(WgBlacklisting).order_by(WgBlacklisting.id.desc())
    if state:
        if state not in {s.name for s in BLACKLIST.states}:
            raise invalid("state", "choice", "未知的状态", f"unknown state {state!r}")
        query = query.where(WgBlacklisting.state == state)
    return list(session.scalars(engine.in_region(query, WgBlacklisting.division_code, by)))


def public_listings(session: Session, on: dt.date) -> list[dict[str, Any]]:
    """The listings in force on ``on``, for the public page: firm name and credit code, the
    reason, the dates. Nothing else (no facts, no person)."""
    rows = session.execute(
        select(WgBlacklisting, Employer.name, Employer.credit_code)
        .join(Employer, Employer.id == WgBlacklisting.employer_id)
        .where(WgBlacklisting.state.in_(HOLDING), WgBlacklisting.listed_on <= on)
        .order_by(WgBlacklisting.listed_on.desc(), WgBlacklisting.id.desc())
    )
    out = []
    for rec, name, code in rows:
        if rec.listed_on is None or rec.until is None:
            continue
        if rules.is_listed(rec.listed_on, rec.until, rec.removed_on, on):
            out.append(
                {
                    "firm": name,
                    "credit_code": code,
                    "reason": rec.reason,
                    "listed_on": rec.listed_on.isoformat(),
                    "until": rec.until.isoformat(),
                }
            )
    return out


def listing_out(rec: WgBlacklisting) -> dict[str, Any]:
    iso = {
        k: (getattr(rec, k).isoformat() if getattr(rec, k) else None)
        for k in ("proposed_on", "listed_on", "until", "put_right_on", "removal_requested_on")
    }
    return {
        "id": rec.id,
        "employer_id": rec.employer_id,
        "project_id": rec.project_id,
        "division_code": rec.division_code,
        "reason": rec.reason,
        "facts": rec.facts,
        "arrears": rec.arrears,
        "workers": rec.workers,
        "reference": rec.reference,
        "state": rec.state,
        **iso,
        "pledge": rec.pledge,
        "removed_on": rec.removed_on.isoformat() if rec.removed_on else None,
        "removed_by": rec.removed_by,
    }
