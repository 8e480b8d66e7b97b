"""Social-security card JSON API: staff apply for and move cards; the holder activates, reports
a loss, links a bank account and shows the electronic card; the cashier's window scans it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from minsheng.cards import service
from minsheng.cards.ecard import LIFETIME_SECONDS, qr_svg
from minsheng.cards.models import SocialCard
from minsheng.fields import Code, OrgName, Reason, RecordId
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["cards 社会保障卡"])


class CardIn(BaseModel):
    person_id: RecordId
    division_code: Code = Field(description="the issuing county (where one lives or works)")


class StepIn(BaseModel):
    action: Code
    reason: Reason | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class BankIn(BaseModel):
    bank_name: OrgName
    account: str = Field(max_length=40, description="12–19 digits (spaces allowed)")


class CardEventOut(BaseModel):
    day: dt.date
    action: str
    from_state: str | None
    to_state: str
    note: str | None
    by: str


class CardOut(BaseModel):
    id: int
    person_id: int
    number: str
    state: str
    division_code: str
    applied_on: dt.date
    activated_on: dt.date | None
    bank_name: str | None
    bank_account: str | None = Field(description="masked: only the last four digits")
    replaces_id: int | None
    version: int
    actions: list[str]
    history: list[CardEventOut] = []


class ECardOut(BaseModel):
    code: str
    expires_at: dt.datetime
    lifetime_seconds: int
    qr_svg: str


class ScanIn(BaseModel):
    code: str = Field(max_length=200)


class ScanOut(BaseModel):
    person_id: int
    name_zh: str
    sex: str
    birth_year: int
    division_code: str
    card_number: str


def _today() -> dt.date:
    return dt.date.today()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def out(s: object, card: SocialCard, by: Principal, history: bool = False) -> CardOut:
    v = service.view(card, by)
    events = service.history(s, card) if history else []  # type: ignore[arg-type]
    return CardOut(
        id=v.id,
        person_id=v.person_id,
        number=v.number,
        state=v.state,
        division_code=v.division_code,
        applied_on=v.applied_on,
        activated_on=v.activated_on,
        bank_name=v.bank_name,
        bank_account=f"****{v.bank_account_tail}" if v.bank_account_tail else None,
        replaces_id=v.replaces_id,
        version=card.version,
        actions=list(v.actions),
        history=[
            CardEventOut(
                day=e.day,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                note=e.note,
                by=e.by,
            )
            for e in events
        ],
    )


@router.post("/cards", response_model=CardOut, status_code=status.HTTP_201_CREATED)
def apply(
    data: CardIn, request: Request, by: Principal = Depends(permit("cards:write"))
) -> CardOut:
    with uow(request) as s:
        card = service.apply(s, data.person_id, data.division_code, by, _today())
        return out(s, card, by, history=True)


@router.get("/cards/{card_id}", response_model=CardOut)
def get(
    card_id: PathId, request: Request, by: Principal = Depends(permit("cards:read"))
) -> CardOut:
    with uow(request) as s:
        return out(s, service.load(s, card_id, by), by, history=True)


@router.post("/cards/{card_id}/steps", response_model=CardOut)
def take_step(
    card_id: PathId, data: StepIn, request: Request, by: Principal = Depends(permit("cards:write"))
) -> CardOut:
    """Take a step of the card's life (``minsheng cases workflows cards.card``); ``replace``
    answers the new card."""
    with uow(request) as s:
        card = service.step(s, card_id, data.action, by, _today(), data.reason, data.version)
        return out(s, card, by, history=True)


@router.post("/cards/{card_id}/bank", response_model=CardOut)
def link_bank(
    card_id: PathId, data: BankIn, request: Request, by: Principal = Depends(permit("cards:write"))
) -> CardOut:
    with uow(request) as s:
        return out(s, service.link_bank(s, card_id, data.bank_name, data.account, by), by)


@router.post("/cards/scan", response_model=ScanOut)
def scan(data: ScanIn, request: Request, by: Principal = Depends(permit("cards:scan"))) -> ScanOut:
    """The patient an electronic card code identifies (each code once, for two minutes)."""
    with uow(request) as s:
        person = service.scan(s, data.code, by, _now())
        card = service.live_card(s, person.id)
        return ScanOut(
            person_id=person.id,
            name_zh=person.name_zh,
            sex=person.sex,
            birth_year=person.birth_date.year,
            division_code=person.division_code,
            card_number=card.number if card else "",
        )


@router.get("/me/card", response_model=CardOut | None)
def my_card(request: Request, by: Principal = Depends(permit("self:card"))) -> CardOut | None:
    with uow(request) as s:
        card = service.my_card(s, by)
        return None if card is None else out(s, card, by, history=True)


@router.post("/me/card/steps", response_model=CardOut)
def my_step(
    data: StepIn, request: Request, by: Principal = Depends(permit("self:card"))
) -> CardOut:
    """The holder's own steps: ``activate`` or ``report_lost``."""
    with uow(request) as s:
        card = service.my_card(s, by)
        if card is None:
            raise service.no_card()
        return out(s, service.step(s, card.id, data.action, by, _today(), None, data.version), by)


@router.post("/me/card/bank", response_model=CardOut)
def my_bank(
    data: BankIn, request: Request, by: Principal = Depends(permit("self:card"))
) -> CardOut:
    with uow(request) as s:
        card = service.my_card(s, by)
        if card is None:
            raise service.no_card()
        return out(s, service.link_bank(s, card.id, data.bank_name, data.account, by), by)


@router.post("/me/ecard", response_model=ECardOut)
def show_ecard(request: Request, by: Principal = Depends(permit("self:card"))) -> ECardOut:
    """A fresh electronic-card code and its QR code (SVG) for the holder's phone."""
    with uow(request) as s:
        code, expires = service.show_ecard(s, by, _now())
        return ECardOut(
            code=code, expires_at=expires, lifetime_seconds=LIFETIME_SECONDS, qr_svg=qr_svg(code)
        )


__all__ = ["router"]
