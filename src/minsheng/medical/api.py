"""Medical settlement API: pre-settle, confirm a pre-settlement, settle (idempotent), reverse,
get, list by person/year."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.fields import BalanceText
from minsheng.foundation import audit
from minsheng.foundation.group_commit import GroupCommit
from minsheng.foundation.principals import Principal
from minsheng.medical import batch, batch_io, service
from minsheng.medical.fhir import explanation_of_benefit
from minsheng.medical.models import PersonalAccount, Settlement
from minsheng.medical.schemas import BillIn, ConfirmIn, SettlementOut
from minsheng.registry.models import Facility
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["medical 医疗保障"])
YEAR = Query(default_factory=lambda: dt.date.today().year, ge=2000, le=2100)


@router.post("/medical/settlements/preview", response_model=SettlementOut)
def preview(
    bill: BillIn, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> SettlementOut:
    """预结算: the split without posting, and who the patient is (name, scheme, special
    groups) to check at the window. The patient is named by the ID number they present; the
    read is audited. Confirm it with ``POST /api/medical/previews/{preview_id}/confirm``."""
    with uow(request) as s:
        return service.presettle(s, bill, by)


@router.post(
    "/medical/previews/{preview_id}/confirm",
    response_model=SettlementOut,
    status_code=status.HTTP_201_CREATED,
)
def confirm(
    preview_id: PathId,
    data: ConfirmIn,
    request: Request,
    by: Principal = Depends(permit("medical:settle")),
) -> SettlementOut:
    """Post exactly the pre-settlement previewed (its id and fingerprint), or 409 asking for a
    new preview (changed, expired, or the figures moved). Confirming twice answers the same
    settlement."""
    return service.retrying(
        lambda: uow(request), lambda s: service.confirm(s, preview_id, data.fingerprint, by)
    )


_WRITER_LOCK = threading.Lock()


def settle_writer(request: Request) -> GroupCommit[batch.Item, batch.Outcome]:
    """The app's group-commit writer of settlements (made by the first settlement)."""
    state = request.app.state
    writer: GroupCommit[batch.Item, batch.Outcome] | None = getattr(state, "settle_writer", None)
    if writer is None:
        with _WRITER_LOCK:
            writer = getattr(state, "settle_writer", None)
            if writer is None:
                most = state.settings.group_commit_max
                writer = GroupCommit(
                    state.sessionmaker, batch.settle_many, "minsheng-settle", max_batch=most
                )
                state.settle_writer = writer
    return writer


@router.post(
    "/medical/settlements", response_model=SettlementOut, status_code=status.HTTP_201_CREATED
)
async def settle(
    bill: BillIn,
    request: Request,
    idempotency_key: str | None = Header(
        default=None, description="1–64 of A–Z a–z 0–9 . _ : - (docs/medical.md)"
    ),
    by: Principal = Depends(permit("medical:settle")),
) -> SettlementOut:
    """Settle a bill in one step. A retry of the same bill with the same ``Idempotency-Key``
    returns the first answer and posts nothing; another bill with that key answers 409.

    Group commit (docs/medical.md): the bills that arrive together, from any connections, are
    settled in arrival order in one transaction by one writer; each is answered after that
    commit, a refused bill with its own error (it leaves nothing behind)."""
    outcome = await settle_writer(request).submit(batch.Item(bill, by, idempotency_key))
    if isinstance(outcome, MinshengError):
        raise outcome
    return outcome


class BatchIn(BaseModel):
    bills: list[Any] = Field(
        description='[{"idempotency_key": "…", "bill": {…BillIn…}}, …]: 1 to the server\'s '
        "batch limit (MINSHENG_BATCH_MAX, 1,000 by default); each element is checked on its "
        "own (a bad one is a 422 in its slot)"
    )


class BatchResult(BaseModel):
    index: int
    status: int
    settlement: SettlementOut | None = None
    error: dict[str, Any] | None = None


class BatchOut(BaseModel):
    results: list[BatchResult]


@router.post(
    "/medical/settlements/batch",
    response_model=BatchOut,
    responses={200: {"model": BatchOut}},
)
def settle_batch(
    data: BatchIn, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> Response:
    """Settle a hospital system's batch in one unit of work: each bill with its own
    idempotency key, in order per patient; every bill's result in its slot (201 and the
    settlement, or its error), one bad bill spoiling nothing (docs/medical.md, "Batches")."""
    batch_io.check_size(len(data.bills), request.app.state.settings.batch_max)
    parsed = [batch_io.element(raw, by) for raw in data.bills]
    with uow(request) as s:
        outcomes = batch_io.settle_parsed(s, parsed)
    body = ", ".join(batch_io.result_json(i, o) for i, o in enumerate(outcomes))
    return Response('{"results": [' + body + "]}", media_type="application/json")


@router.post("/medical/settlements/{settlement_id}/reverse", response_model=SettlementOut)
def reverse(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:settle"))
) -> SettlementOut:
    """冲销: a new record with the opposite amounts."""
    with uow(request) as s:
        return service.reverse(s, settlement_id, by)


@router.get("/medical/settlements/{settlement_id}", response_model=SettlementOut)
def get_settlement(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:read"))
) -> SettlementOut:
    with uow(request) as s:
        return service.get(s, settlement_id, by)


@router.get("/medical/persons/{person_id}/settlements")
def person_year(
    person_id: PathId,
    request: Request,
    year: int = YEAR,
    by: Principal = Depends(permit("medical:read")),
) -> dict[str, Any]:
    """A person's settlements in a year and the running totals of each fund."""
    with uow(request) as s:
        items = service.list_for(s, person_id, year, by)
        return {
            "year": year,
            "totals": service.totals(s, person_id, year),
            "items": [i.model_dump(mode="json") for i in items],
        }


@router.get("/me/settlements")
def my_settlements(
    request: Request, year: int = YEAR, by: Principal = Depends(permit("self:read"))
) -> dict[str, Any]:
    """The signed-in citizen's settlements this year and the running totals."""
    assert by.person_id is not None
    with uow(request) as s:
        rows = s.scalars(
            select(Settlement)
            .where(Settlement.person_id == by.person_id, Settlement.year == year)
            .order_by(Settlement.id)
        ).all()
        return {
            "year": year,
            "totals": service.totals(s, by.person_id, year),
            "items": [service.out(r).model_dump(mode="json") for r in rows],
        }


@router.get("/medical/settlements/{settlement_id}/fhir")
def settlement_fhir(
    settlement_id: PathId, request: Request, by: Principal = Depends(permit("medical:read"))
) -> Response:
    """The settlement as a FHIR ``ExplanationOfBenefit`` (JSON)."""
    with uow(request) as s:
        out = service.get(s, settlement_id, by)
        facility = s.get(Facility, out.facility_id)
        assert facility is not None
        eob = explanation_of_benefit(out, f"Patient/{out.person_id}", facility.code, facility.name)
    return Response(eob.model_dump_json(), media_type="application/fhir+json")


class AccountIn(BaseModel):
    balance: BalanceText = Field(description="yuan, decimal string")
    family_sharing: bool = Field(default=True, description="家庭共济: may pay for relatives")


@router.put("/medical/persons/{person_id}/account")
def set_account(
    person_id: PathId,
    data: AccountIn,
    request: Request,
    by: Principal = Depends(permit("registry:write")),
) -> dict[str, Any]:
    """Set a person's personal medical account (个人账户) balance and family sharing."""
    with uow(request) as s:
        person = service.person_in_region(s, person_id, by)
        fen = money.parse(data.balance, "balance")
        if fen < 0:
            raise invalid("balance", "negative", "余额不能为负", "a balance cannot be negative")
        acct = s.get(PersonalAccount, person.id) or PersonalAccount(person_id=person.id)
        acct.balance, acct.family_sharing = fen, data.family_sharing
        s.add(acct)
        s.flush()
        fields = {"fields": ["balance", "family_sharing"]}
        audit.record(s, by, "update", "med_account", person.id, person.division_code, fields)
        return {
            "person_id": person.id,
            "balance": acct.balance,
            "family_sharing": acct.family_sharing,
        }
