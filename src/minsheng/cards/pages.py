"""Card pages: the holder's card (its state, activate / report lost when the table allows, link
a bank account) and the electronic card (a QR code with its expiry and a refresh button); the
caseworker's card desk (find a person of the region, apply for a card, take the steps the
table offers, the history). Plain HTML forms with CSRF tokens; no JavaScript needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.cards import service
from minsheng.cards.ecard import LIFETIME_SECONDS, qr_svg
from minsheng.cards.models import SocialCard
from minsheng.cards.workflows import CARD
from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

FORMS: dict[str, tuple[str, ...]] = {
    "find": ("id_number",),
    "apply": ("division_code",),
    "step": ("action", "reason"),
    "bank": ("bank_name", "bank_account"),
}
CHINA = dt.timezone(dt.timedelta(hours=8))  # the time shown beside the code (Beijing time)
MAX_TEXT = 400  # engineering bound on a typed reason or name before the service checks it

flash.register("card_applied", N_("The card application is recorded."))
flash.register("card_moved", N_("The card has moved on."))
flash.register("card_bank", N_("The bank account is linked."))


def _labels(request: Request) -> dict[str, Any]:
    i = {"zh": 0, "bo": 1, "en": 2}.get(lang(request), 0)
    return {
        "states": {s.name: s.label[i] for s in CARD.states},
        "actions": {s.action: s.label[i] for s in CARD.steps},
        "reasons": {s.action for s in CARD.steps if s.reason},
    }


def _card(s: Session, card: SocialCard, by: Principal, code: str = "zh") -> dict[str, Any]:
    v = service.view(card, by)
    return {
        "id": v.id,
        "number": v.number,
        "state": v.state,
        "division": divisions.get(v.division_code).name(code),
        "applied_on": v.applied_on,
        "activated_on": v.activated_on,
        "bank": f"{v.bank_name} ****{v.bank_account_tail}" if v.bank_account_tail else None,
        "actions": v.actions,
        "version": card.version,
        "history": service.history(s, card),
    }


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()[:MAX_TEXT]


# --------------------------------------------------------------------------- the holder


def _mine_page(
    request: Request, by: Principal, error: MinshengError | None = None, failed: Any = None
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        card = service.my_card(s, by)
        data = _card(s, card, by, lang(request)) if card is not None else None
    forms = {name: FormState.of(name, fields=FORMS[name]) for name in ("step", "bank")}
    if error is not None and failed:
        forms[failed[0]] = FormState.of(failed[0], failed[1], error, FORMS[failed[0]])
    return render(
        request,
        "cards/mine.html",
        status=error.status if error else 200,
        card=data,
        forms=forms,
        **_labels(request),
    )


@router.get("/me/card", response_class=HTMLResponse)
def mine(request: Request, by: Principal = Depends(permit("self:card"))) -> HTMLResponse:
    """The holder's card: its state, the steps the table offers them, the bank account."""
    return _mine_page(request, by)


async def _mine_do(request: Request, by: Principal, work: Any, form: Any, name: str) -> Response:
    failed = (name, form_values(form, FORMS[name]))
    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _mine_page(request, by, err, failed)
    return flash.redirect("/me/card", "card_moved" if name == "step" else "card_bank", request)


@router.post("/me/card/steps", response_class=HTMLResponse)
async def my_step(request: Request, by: Principal = Depends(permit("self:card"))) -> Response:
    """``activate`` or ``report_lost`` (what the table lets the holder do)."""
    form = await request.form()

    def work() -> None:
        with uow(request) as s:
            card = service.my_card(s, by)
            if card is None:
                raise service.no_card()
            service.step(s, card.id, _text(form, "action"), by, dt.date.today())

    return await _mine_do(request, by, work, form, "step")


@router.post("/me/card/bank", response_class=HTMLResponse)
async def my_bank(request: Request, by: Principal = Depends(permit("self:card"))) -> Response:
    form = await request.form()

    def work() -> None:
        with uow(request) as s:
            card = service.my_card(s, by)
            if card is None:
                raise service.no_card()
            service.link_bank(s, card.id, _text(form, "bank_name"), _text(form, "bank_account"), by)

    return await _mine_do(request, by, work, form, "bank")


@router.get("/me/ecard", response_class=HTMLResponse)
def my_ecard(request: Request, by: Principal = Depends(permit("self:card"))) -> HTMLResponse:
    """The electronic card: a fresh code as a QR code, valid for two minutes; the refresh
    button asks for another. Never cached."""
    request.state.private = True
    try:
        with uow(request) as s:
            code, expires = service.show_ecard(s, by, dt.datetime.now(dt.UTC))
    except MinshengError as err:
        return render(request, "cards/ecard.html", status=err.status, error=err, svg=None)
    response = render(
        request,
        "cards/ecard.html",
        error=None,
        svg=Markup(qr_svg(code)),  # our own SVG from segno: no text from the request
        expires=expires.astimezone(CHINA).strftime("%H:%M:%S"),
        minutes=LIFETIME_SECONDS // 60,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- the desk


@router.get("/cards", response_class=HTMLResponse)
def desk(request: Request, by: Principal = Depends(permit("cards:read"))) -> HTMLResponse:
    """The card desk: find a person of the region by their ID number (posted, never in a
    URL)."""
    return render(request, "cards/desk.html", f=FormState.of("", fields=FORMS["find"]))


@router.post("/cards/find", response_class=HTMLResponse)
async def find(request: Request, by: Principal = Depends(permit("cards:read"))) -> Response:
    form = await request.form()
    number = _text(form, "id_number")[:40]

    def work() -> int:
        with uow(request) as s:
            return registry.lookup(s, number, by).id

    try:
        person_id = await run_in_threadpool(work)
    except MinshengError as err:
        request.state.private = True
        f = FormState.of("", {"id_number": number}, err, FORMS["find"])
        return render(request, "cards/desk.html", status=err.status, f=f)
    return RedirectResponse(f"/cards/persons/{person_id}", status_code=303)


def _person_page(
    request: Request,
    person_id: int,
    by: Principal,
    error: MinshengError | None = None,
    failed: tuple[str, dict[str, str]] | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request) as s:
        person = registry.load_person(s, person_id, by)
        audit.record(s, by, "read", "card_person", person.id, person.division_code)
        rows = s.scalars(
            select(SocialCard)
            .where(SocialCard.person_id == person.id)
            .order_by(SocialCard.id.desc())
        ).all()
        cards = [_card(s, c, by, lang(request)) for c in rows if by.covers(c.division_code)]
        who: dict[str, Any] = {
            "id": person.id,
            "name": person.name_zh,
            "masked": person.id_masked,
            "county": divisions.get(person.division_code).name(lang(request)),
            "division_code": person.division_code,
        }
    forms = {"apply": FormState.of("apply", fields=FORMS["apply"])}
    failed_step = None
    if error is not None and failed:
        forms[failed[0].split("-", 1)[0]] = FormState.of(
            failed[0], failed[1], error, FORMS[failed[0].split("-", 1)[0]]
        )
        failed_step = failed[0]
    return render(
        request,
        "cards/person.html",
        status=error.status if error else 200,
        person=who,
        cards=cards,
        forms=forms,
        failed_step=failed_step,
        **_labels(request),
    )


@router.get("/cards/persons/{person_id}", response_class=HTMLResponse)
def person_view(
    person_id: PathId, request: Request, by: Principal = Depends(permit("cards:read"))
) -> HTMLResponse:
    """A person's cards, the steps each offers, their history, and the application form."""
    return _person_page(request, person_id, by)


async def _do(
    request: Request, person_id: int, by: Principal, work: Any, failed: Any, done: str
) -> Response:
    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _person_page(request, person_id, by, err, failed)
    return flash.redirect(f"/cards/persons/{person_id}", done, request)


@router.post("/cards/persons/{person_id}/apply", response_class=HTMLResponse)
async def apply(
    person_id: PathId, request: Request, by: Principal = Depends(permit("cards:write"))
) -> Response:
    form = await request.form()

    def work() -> None:
        with uow(request) as s:
            service.apply(s, person_id, _text(form, "division_code"), by, dt.date.today())

    failed = ("apply", form_values(form, FORMS["apply"]))
    return await _do(request, person_id, by, work, failed, "card_applied")


@router.post("/cards/{card_id}/steps", response_class=HTMLResponse)
async def take_step(
    card_id: PathId, request: Request, by: Principal = Depends(permit("cards:write"))
) -> Response:
    form = await request.form()

    def person_of() -> int:
        with uow(request, immediate=False) as s:
            return service.load(s, card_id, by).person_id

    person_id = await run_in_threadpool(person_of)
    raw_version = _text(form, "version")
    version = int(raw_version) if raw_version.isdigit() and len(raw_version) <= 9 else None

    def work() -> None:
        with uow(request) as s:
            reason = _text(form, "reason") or None
            service.step(s, card_id, _text(form, "action"), by, dt.date.today(), reason, version)

    failed = (f"step-{card_id}", form_values(form, FORMS["step"]))
    return await _do(request, person_id, by, work, failed, "card_moved")
