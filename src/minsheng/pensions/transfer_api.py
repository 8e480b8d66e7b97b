"""Stored pension transfers over HTTP (转移接续, 城乡衔接): open one for a person (the rules'
JSON, docs/pensions.md "Transfers", and an idempotency key), the region's queue (either side,
overdue first), one transfer with its steps and history, and a step (confirm, send, receive,
refuse). Another region's transfer answers 404; a side may only take its own steps (403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import transfer_cases as tc
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, page_number

router = APIRouter(prefix="/api", tags=["pensions 社会保险与养老"])


class TransferOpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=8, max_length=tc.MAX_KEY, description="idempotency key")
    transfer: dict[str, Any] = Field(
        description="the request as for `minsheng pensions transfer FILE` (kind, applied, …)"
    )


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=24, description="confirm, send, receive or refuse")
    day: dt.date | None = Field(default=None, description="the day it was done (default today)")
    reason: str | None = Field(default=None, max_length=400)


@router.post("/pensions/persons/{person_id}/transfers")
def open_transfer(
    person_id: PathId,
    data: TransferOpenIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """Open a transfer for the person (the same key again answers the same transfer)."""
    with uow(request) as s:
        return tc.out(tc.open_transfer(s, person_id, data.transfer, data.key, by))


@router.get("/pensions/transfers")
def transfer_queue(
    request: Request,
    state: str = Query(default="", max_length=24),
    page: str = Query(default="1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("pensions:read")),
) -> dict[str, Any]:
    """The transfers of the caller's region (moving from or to it), overdue first."""
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        q, count = tc.queue_query(by, state, today)
        total = s.scalar(count) or 0
        number = page_number(page)
        rows = s.scalars(q.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
        return {"total": total, "page": number, "transfers": [tc.out(t, today) for t in rows]}


@router.get("/pensions/transfers/{transfer_id}")
def transfer_case(
    transfer_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> dict[str, Any]:
    with uow(request) as s:
        t = tc.load(s, transfer_id, by)
        audit.record(s, by, "read", "pn_transfer", t.id, t.to_division)
        return {**tc.out(t), "events": tc.events(s, t), "offered": tc.offered(s, t, by)}


@router.post("/pensions/transfers/{transfer_id}/steps")
def transfer_step(
    transfer_id: PathId,
    data: StepIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """Take a step; out of order (409), the other side's (403) or without a reason (422)."""
    with uow(request) as s:
        t = tc.take_step(s, transfer_id, data.action, by, day=data.day, reason=data.reason)
        return tc.out(t)
