"""Wage deposits (工资保证金) and the arrears blacklist (失信联合惩戒名单) over HTTP.

Deposits: read, assess, lodge, top up and ask for the return notice need ``wages:project``
(the contractor's wage officer for its employer's projects, and the region's staff); a draw for
confirmed arrears, and recording its payout to the workers, need ``wages:inspect``; the return
``wages:run``. The blacklist desk reads with ``wages:read``, proposes with ``wages:inspect``,
enters a removal request with ``wages:write`` and decides with ``wages:run`` (never the one who
proposed or entered it).
``GET /api/public/wages/blacklist`` is public: the listings in force, firm and dates only.
A project or listing of another region answers 404 as a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from minsheng.fields import MAX_ID, Code, MoneyText, Reason, ShortText
from minsheng.foundation.principals import Principal
from minsheng.wages import blacklist, deposits
from minsheng.wages import deposit_payouts as payouts
from minsheng.wages.deposit_models import WgBlacklistEvent
from minsheng.wages.deposit_payouts import MAX_WORKERS
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit, public

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])


class LodgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: Literal["cash", "guarantee"] = Field(description="cash 现金 or guarantee 银行保函")
    amount: MoneyText = Field(description="yuan lodged or guaranteed")
    bank: ShortText = Field(description="the bank holding the cash or issuing the guarantee")
    guarantee_no: Code | None = None
    expires_on: dt.date | None = Field(default=None, description="the guarantee's expiry")


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyText


class DrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyText = Field(description="yuan of confirmed arrears paid from the deposit")
    reference: Code = Field(description="the complaint's or warning's number")
    note: ShortText | None = None


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: int = Field(ge=1, le=MAX_ID, description="the draw (a ledger entry) paid out")
    paid_on: dt.date = Field(description="the day the workers were paid")
    workers: int = Field(ge=1, le=MAX_WORKERS, description="how many workers were paid")
    reference: Code = Field(description="the bank transfer's reference")


class OwedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: int = Field(ge=0, le=600)
    amount: MoneyText


class ProposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employer_id: int = Field(ge=1, le=2**31 - 1)
    project_id: int = Field(ge=1, le=2**31 - 1)
    owed: list[OwedIn] = Field(max_length=10_000, description="per worker owed: months, yuan")
    incident: bool = False
    facts: ShortText
    reference: Code | None = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class RemovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    put_right_on: dt.date = Field(description="the day the arrears were paid in full")
    pledge: Reason = Field(description="the firm's written pledge (信用承诺)")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: Reason | None = None


def _deposit(s: Any, project_id: int, by: Principal) -> dict[str, Any]:
    dep = deposits.deposit_of(s, project_id, by)
    if dep is None:
        return {"deposit": None, "entries": []}
    today = dt.date.today()
    entries = [deposits.entry_out(e) for e in deposits.entries(s, dep)]
    for e in entries:
        if e["kind"] == "draw":
            done = payouts.payout_of(s, e["id"])
            e["payout"] = payouts.payout_out(done) if done else None
    return {"deposit": deposits.deposit_out(dep, today), "entries": entries}


@router.get("/wages/projects/{project_id}/deposit")
def read_deposit(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """The project's deposit and its ledger (``deposit`` null until assessed)."""
    with uow(request, immediate=False) as s:
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit")
def assess_deposit(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """Assess the deposit (rate by contract value and the contractor's record)."""
    with uow(request) as s:
        deposits.assess(s, project_id, by, dt.date.today())
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/lodge")
def lodge_deposit(
    project_id: PathId,
    data: LodgeIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    with uow(request) as s:
        deposits.lodge(
            s,
            project_id,
            form=data.form,
            amount=data.amount,
            bank=data.bank,
            guarantee_no=data.guarantee_no,
            expires_on=data.expires_on,
            by=by,
            today=dt.date.today(),
        )
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/draw")
def draw_deposit(
    project_id: PathId,
    data: DrawIn,
    request: Request,
    by: Principal = Depends(permit("wages:inspect")),
) -> dict[str, Any]:
    """Draw for confirmed arrears (never beyond the balance)."""
    with uow(request) as s:
        deposits.draw(
            s,
            project_id,
            amount=data.amount,
            reference=data.reference,
            note=data.note,
            by=by,
            today=dt.date.today(),
        )
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/payouts")
def record_payout(
    project_id: PathId,
    data: PayoutIn,
    request: Request,
    by: Principal = Depends(permit("wages:inspect")),
) -> dict[str, Any]:
    """Record that a draw reached the workers (once per draw; a second answers 409)."""
    with uow(request) as s:
        payouts.record_payout(
            s,
            project_id,
            data.entry_id,
            paid_on=data.paid_on,
            workers=data.workers,
            reference=data.reference,
            by=by,
            today=dt.date.today(),
        )
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/top-up")
def top_up_deposit(
    project_id: PathId,
    data: AmountIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    with uow(request) as s:
        deposits.top_up(s, project_id, amount=data.amount, by=by, today=dt.date.today())
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/notice")
def notice_deposit(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """Publish the return notice of a completed project's deposit."""
    with uow(request) as s:
        deposits.open_notice(s, project_id, by=by, today=dt.date.today())
        return _deposit(s, project_id, by)


@router.post("/wages/projects/{project_id}/deposit/return")
def return_deposit(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:run"))
) -> dict[str, Any]:
    """Return the whole balance after the notice."""
    with uow(request) as s:
        deposits.return_deposit(s, project_id, by=by, today=dt.date.today())
        return _deposit(s, project_id, by)


@router.get("/wages/deposits/overdue")
def overdue_deposits(
    request: Request, by: Principal = Depends(permit("wages:read"))
) -> dict[str, Any]:
    """The region's deposits past a deadline (lodge, top-up, guarantee expiry, return)."""
    with uow(request, immediate=False) as s:
        rows = deposits.past_deadline(s, dt.date.today(), by)
        return {"overdue": [{"project_id": p, "cause": c} for p, c in rows]}


# ------------------------------------------------------------------ the blacklist


def _listing(s: Any, listing_id: int, by: Principal) -> dict[str, Any]:
    rec = blacklist.load_listing(s, listing_id, by)
    events = s.scalars(
        select(WgBlacklistEvent)
        .where(WgBlacklistEvent.listing_id == rec.id)
        .order_by(WgBlacklistEvent.id)
    ).all()
    return {
        **blacklist.listing_out(rec),
        "events": [
            {
                "day": e.day.isoformat(),
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "by": e.by,
                "note": e.note,
            }
            for e in events
        ],
    }


@router.get("/wages/blacklist")
def blacklist_queue(
    request: Request,
    state: str | None = Query(default=None, max_length=24),
    by: Principal = Depends(permit("wages:read")),
) -> dict[str, Any]:
    """The region's listings, newest first (``state`` narrows)."""
    with uow(request, immediate=False) as s:
        return {"listings": [blacklist.listing_out(r) for r in blacklist.queue(s, by, state)]}


@router.post("/wages/blacklist")
def propose_listing(
    data: ProposeIn, request: Request, by: Principal = Depends(permit("wages:inspect"))
) -> dict[str, Any]:
    """Propose a listing (refused unless the criteria are met)."""
    with uow(request) as s:
        rec = blacklist.propose(
            s,
            employer_id=data.employer_id,
            project_id=data.project_id,
            owed=[(o.months, o.amount) for o in data.owed],
            incident=data.incident,
            facts=data.facts,
            reference=data.reference,
            by=by,
            today=dt.date.today(),
        )
        return _listing(s, rec.id, by)


@router.get("/wages/blacklist/{listing_id}")
def read_listing(
    listing_id: PathId, request: Request, by: Principal = Depends(permit("wages:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return _listing(s, listing_id, by)


@router.post("/wages/blacklist/{listing_id}/approve")
def approve_listing(
    listing_id: PathId, request: Request, by: Principal = Depends(permit("wages:run"))
) -> dict[str, Any]:
    with uow(request) as s:
        blacklist.approve(s, listing_id, by=by, today=dt.date.today())
        return _listing(s, listing_id, by)


@router.post("/wages/blacklist/{listing_id}/reject")
def reject_listing(
    listing_id: PathId,
    data: ReasonIn,
    request: Request,
    by: Principal = Depends(permit("wages:run")),
) -> dict[str, Any]:
    with uow(request) as s:
        blacklist.reject(s, listing_id, reason=data.reason, by=by, today=dt.date.today())
        return _listing(s, listing_id, by)


@router.post("/wages/blacklist/{listing_id}/removal")
def request_removal(
    listing_id: PathId,
    data: RemovalIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """Enter the firm's request for early removal with its written pledge."""
    with uow(request) as s:
        blacklist.request_removal(
            s,
            listing_id,
            put_right_on=data.put_right_on,
            pledge=data.pledge,
            by=by,
            today=dt.date.today(),
        )
        return _listing(s, listing_id, by)


@router.post("/wages/blacklist/{listing_id}/removal/decision")
def decide_removal(
    listing_id: PathId,
    data: DecisionIn,
    request: Request,
    by: Principal = Depends(permit("wages:run")),
) -> dict[str, Any]:
    with uow(request) as s:
        blacklist.decide_removal(
            s,
            listing_id,
            approve_it=data.approve,
            reason=data.reason,
            by=by,
            today=dt.date.today(),
        )
        return _listing(s, listing_id, by)


@router.get("/public/wages/blacklist")
def public_blacklist(request: Request, by: Principal = Depends(public())) -> dict[str, Any]:
    """The listings in force today (public): firm name, credit code, reason, dates."""
    with uow(request, immediate=False) as s:
        return {"listings": blacklist.public_listings(s, dt.date.today())}
