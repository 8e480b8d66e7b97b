"""The gig market's applications: a worker's one-tap application (applying twice is one
application), and the steps of ``employment.gig`` on the case engine — accept up to the slots
(a guarded update: ``accepted`` never passes ``slots``, whatever the order of taps), decline,
withdraw, check in on a day of the gig, completion, the pay recorded by the poster and
confirmed or disputed by the worker (a caseworker's follow-up, due in
``employment.gig.dispute_working_days`` working days), settled with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import money, text
from minsheng.core.errors import ForbiddenError, NotFoundError, invalid
from minsheng.employment.gig_models import MAX_PAID_FEN, EmGig, EmGigApplication, EmGigEvent
from minsheng.employment.gigs import (
    full_error,
    get_gig,
    missing_application,
    not_open_error,
    poster_flow,
    public_gig,
)
from minsheng.foundation.principals import Principal
from minsheng.policy import load

# ------------------------------------------------------------------ applying


def apply(session: Session, gig_id: int, by: Principal, today: dt.date) -> EmGigApplication:
    """A worker's one-tap application; applying again answers the same application."""
    if by.kind != "citizen" or by.person_id is None:
        raise ForbiddenError("permission", "citizen", "请以本人身份登录", "sign in as yourself")
    gig = public_gig(session, gig_id)
    existing = _mine(session, gig.id, by.person_id)
    if existing is not None:
        return existing
    if gig.state != "open" or gig.ends_on < today:
        raise not_open_error()
    if gig.accepted >= gig.slots:
        raise full_error()
    row = EmGigApplication(
        gig_id=gig.id,
        person_id=by.person_id,
        division_code=gig.division_code,
        state="applied",
        applied_on=today,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same worker's other tap, a moment earlier
        again = _mine(session, gig.id, by.person_id)
        if again is None:
            raise
        return again
    event = engine.Event("apply", None, "applied", engine.accountable(by), today)
    engine.write_event(
        session, EmGigEvent, event, by, resource="em_gig_application", record_id=row.id,
        division=gig.division_code, gig_id=gig.id, application_id=row.id,
    )  # fmt: skip
    return row


def _mine(session: Session, gig_id: int, person_id: int) -> EmGigApplication | None:
    return session.scalar(
        select(EmGigApplication).where(
            EmGigApplication.gig_id == gig_id, EmGigApplication.person_id == person_id
        )
    )


def application_for(
    session: Session, application_id: int, by: Principal
) -> tuple[EmGigApplication, EmGig]:
    """The application and its gig, if the caller sees it: the worker their own; the poster
    and the region's staff those of the gigs they see."""
    a = session.get(EmGigApplication, application_id)
    if a is None:
        raise missing_application()
    if by.kind == "citizen":
        if a.person_id != by.person_id:
            raise missing_application()
        return a, session.get_one(EmGig, a.gig_id)
    try:
        gig = get_gig(session, a.gig_id, by)
    except NotFoundError:
        raise missing_application() from None
    return a, gig


def _amount(value: str | None, field: str) -> int:
    if value is None or not str(value).strip():
        raise invalid(
            field, "required", "请填写金额（元）", "give the amount (yuan)", "དངུལ་འབོར་འབྲི་དགོས།"
        )
    fen = money.parse(str(value), field)
    if fen < 0:
        raise invalid(
            field, "negative", "金额不能为负数", "the amount may not be negative", "དངུལ་འབོར་ནོར།"
        )
    return money.bounded(fen, field, MAX_PAID_FEN)


def step(
    session: Session,
    application_id: int,
    action: str,
    by: Principal,
    today: dt.date,
    reason: str | None = None,
    amount: str | None = None,
) -> EmGigApplication:
    """Take one step on an application (the table of ``gig_workflow``); a wrong one is refused
    in three languages and nothing changes."""
    a, gig = application_for(session, application_id, by)
    flow = poster_flow(gig)
    why = text.clean(reason, "reason", "free", max_length=400) if reason else None
    paid: int | None = None

    def work(s: Any) -> str | None:
        nonlocal paid
        if action == "accept":
            if gig.state != "open":
                raise not_open_error()
            taken = session.execute(
                update(EmGig)
                .where(EmGig.id == gig.id, EmGig.accepted < EmGig.slots, EmGig.state == "open")
                .values(accepted=EmGig.accepted + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise full_error()
            session.refresh(gig)
            a.state = "accepted"
        elif action in ("withdraw", "cancel", "decline"):
            was_taking = a.state == "accepted"
            a.state = "withdrawn" if action == "withdraw" else "declined"
            if was_taking:
                session.execute(
                    update(EmGig)
                    .where(EmGig.id == gig.id, EmGig.accepted > 0)
                    .values(accepted=EmGig.accepted - 1)
                    .execution_options(synchronize_session=False)
                )
                session.refresh(gig)
        elif action == "check_in":
            if not gig.starts_on <= today <= gig.ends_on:
                raise invalid(
                    "day",
                    "not_a_gig_day",
                    f"只能在用工日期（{gig.starts_on}至{gig.ends_on}）签到",
                    f"check in on a day of the gig ({gig.starts_on} to {gig.ends_on})",
                    f"ལས་ཀའི་ཉིན་མོ་({gig.starts_on}–{gig.ends_on})ཁོ་ནར་འབྱོར་ཐོ་འགོད་ཆོག",
                )
            if gig.state == "taken_down":
                raise not_open_error()
            a.checked_in_on = today
            a.state = "checked_in"
        elif action == "complete":
            a.completed_on = today
            a.state = "completed"
        elif action == "record_pay":
            paid = _amount(amount, "amount")
            a.paid = paid
            a.state = "paid"
        elif action == "confirm":
            a.confirmed_on = today
            a.state = "confirmed"
        elif action == "dispute":
            a.dispute_by = engine.due(
                today, int(load().at(today, gig.division_code).employment.gig.dispute_working_days)
            )
            a.state = "disputed"
        elif action == "settle":
            if amount is not None and str(amount).strip():
                paid = _amount(amount, "amount")
                a.settled = paid
            a.state = "settled"
        return why

    event = flow.run(a, action, by, work, day=today, reason=why)
    engine.write_event(
        session, EmGigEvent, event, by, resource="em_gig_application", record_id=a.id,
        division=gig.division_code, gig_id=gig.id, application_id=a.id, amount=paid,
    )  # fmt: skip
    return a


__all__ = ["application_for", "apply", "step"]
