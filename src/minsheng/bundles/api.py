"""Bundles API: start one (``POST /api/bundles/{kind}``: retirement, death, hire, card — the one
form; an ``Idempotency-Key`` header makes a retry answer the first), read one, list them.

A bundle done answers 201 (200 for a retry); a refused one is stored and answers with the
refusing part's status (404, 409, 422 …), the bundle in the body: ``error`` names the part and
the field, ``parts`` each part's state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from minsheng.bundles import service
from minsheng.bundles.schemas import CardIn, DeathIn, HireIn, RetirementIn
from minsheng.fields import Code, RecordId
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["bundles 一件事一次办"])

KeyHeader = Header(default=None, max_length=64, description="8–64 of A–Z a–z 0–9 _ . : -")


def start(request: Request, kind: str, form: BaseModel, by: Principal, key: str | None) -> Any:
    with uow(request) as s:
        bundle, new = service.apply(s, kind, form, by, key=key)
        out = service.bundle_out(s, bundle)
    if bundle.state == "refused":
        code = int((out["error"] or {}).get("status", 409))
    else:
        code = 201 if new else 200
    return JSONResponse(out, status_code=code)


@router.post("/bundles/retirement", status_code=201)
def retirement(
    data: RetirementIn,
    request: Request,
    idempotency_key: str | None = KeyHeader,
    by: Principal = Depends(permit("bundles:write")),
) -> Any:
    """退休一件事: the pension awarded, employee contributions stopped, medical insurance moved
    to 职工退休 from the first month paid."""
    return start(request, "retirement", data, by, idempotency_key)


@router.post("/bundles/death", status_code=201)
def death(
    data: DeathIn,
    request: Request,
    idempotency_key: str | None = KeyHeader,
    by: Principal = Depends(permit("bundles:write")),
) -> Any:
    """身后一件事: the pension stopped from the day after, the overpayment, the funeral grant and
    survivors' allowance, the account balance to the heirs, the household's 低保 re-determined."""
    return start(request, "death", data, by, idempotency_key)


@router.post("/bundles/hire", status_code=201)
def hire(
    data: HireIn,
    request: Request,
    idempotency_key: str | None = KeyHeader,
    by: Principal = Depends(permit("bundles:write")),
) -> Any:
    """员工录用一件事: the hire registered, enrolment in employee pension, medical, work-injury and
    unemployment insurance."""
    return start(request, "hire", data, by, idempotency_key)


@router.post("/bundles/card", status_code=201)
def card(
    data: CardIn,
    request: Request,
    idempotency_key: str | None = KeyHeader,
    by: Principal = Depends(permit("bundles:write")),
) -> Any:
    """社保卡申领 through the card service."""
    return start(request, "card", data, by, idempotency_key)


@router.get("/bundles/{bundle_id}")
def show(
    bundle_id: PathId, request: Request, by: Principal = Depends(permit("bundles:read"))
) -> dict[str, Any]:
    with uow(request, immediate=False) as s:
        return service.bundle_out(s, service.load(s, bundle_id, by))


@router.get("/bundles")
def listing(
    request: Request,
    person_id: RecordId | None = Query(default=None),
    kind: Code | None = Query(default=None),
    by: Principal = Depends(permit("bundles:read")),
) -> dict[str, Any]:
    """The region's bundles, newest first (at most ``service.MAX_LIST``)."""
    with uow(request, immediate=False) as s:
        rows = service.listing(s, by, person_id=person_id, kind=kind)
        return {
            "bundles": [
                {
                    "id": b.id,
                    "kind": b.kind,
                    "person_id": b.person_id,
                    "state": b.state,
                    "day": b.day.isoformat(),
                }
                for b in rows
            ]
        }
