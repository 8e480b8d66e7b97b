"""Death settlement and the recovery queue (追回多发养老金) over HTTP: settle a death, list the
region's recovery cases, one case with its history, notify the heirs, record a repayment,
propose a write-off and decide it (maker–checker: another supervisor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from minsheng.core import money
from minsheng.fields import money_text
from minsheng.foundation.principals import Principal
from minsheng.pensions import death, recovery
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["pensions 社会保险与养老"])

RepayText = money_text(money.MAX_BALANCE_FEN)


class DeathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    died_on: dt.date = Field(description="the day of death (the award ends the day after)")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=400)


class RepayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: RepayText = Field(description="yuan repaid by an heir")  # type: ignore[valid-type]
    note: str | None = Field(default=None, max_length=400)


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=400)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str | None = Field(default=None, max_length=400)


@router.post("/pensions/persons/{person_id}/death")
def settle_death(
    person_id: PathId,
    data: DeathIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """Settle a death: terminate, overpayment, funeral grant, survivors' allowance, balance."""
    with uow(request) as s:
        return death.settle_death(s, person_id, data.died_on, by).to_dict()


@router.get("/pensions/recoveries")
def recovery_queue(
    request: Request,
    state: str | None = Query(default=None, max_length=24),
    by: Principal = Depends(permit("pensions:read")),
) -> dict[str, Any]:
    """The region's recovery cases (the open ones unless ``state`` names another)."""
    with uow(request, immediate=False) as s:
        return {"cases": [recovery.recovery_out(r) for r in recovery.queue(s, by, state)]}


@router.get("/pensions/recoveries/{recovery_id}")
def recovery_case(
    recovery_id: PathId, request: Request, by: Principal = Depends(permit("pensions:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        rec = recovery.load_case(s, recovery_id, by)
        events = [recovery.event_out(e) for e in recovery.events_of(s, rec)]
        return {**recovery.recovery_out(rec), "events": events}


@router.post("/pensions/recoveries/{recovery_id}/notify")
def recovery_notify(
    recovery_id: PathId,
    data: NoteIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """The heirs were told in writing; the repayment deadline starts."""
    with uow(request) as s:
        return recovery.recovery_out(recovery.notify(s, recovery_id, by, data.note))


@router.post("/pensions/recoveries/{recovery_id}/repay")
def recovery_repay(
    recovery_id: PathId,
    data: RepayIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
    idempotency_key: str | None = Header(default=None, max_length=64),
) -> dict[str, Any]:
    """Record an heir's repayment (yuan); an ``Idempotency-Key`` makes a retry answer the
    first (the same key with another amount: 409)."""
    with uow(request) as s:
        return recovery.recovery_out(
            recovery.repay(s, recovery_id, data.amount, by, data.note, key=idempotency_key)
        )


@router.post("/pensions/recoveries/{recovery_id}/write-off")
def recovery_propose_write_off(
    recovery_id: PathId,
    data: WriteOffIn,
    request: Request,
    by: Principal = Depends(permit("pensions:write")),
) -> dict[str, Any]:
    """Propose writing off what is still owed (a reason is required)."""
    with uow(request) as s:
        return recovery.recovery_out(recovery.propose_write_off(s, recovery_id, data.reason, by))


@router.post("/pensions/recoveries/{recovery_id}/write-off/decision")
def recovery_decide_write_off(
    recovery_id: PathId,
    data: DecisionIn,
    request: Request,
    by: Principal = Depends(permit("pensions:run")),
) -> dict[str, Any]:
    """Approve or refuse a proposed write-off (not by the one who proposed it)."""
    with uow(request) as s:
        rec = recovery.decide_write_off(s, recovery_id, data.approve, by, data.reason)
        return recovery.recovery_out(rec)
