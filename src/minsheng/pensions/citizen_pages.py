"""The citizen's ``/me/pensions``: enrolments, contributions by year, the accounts with their
yearly statements, the estimate form — and, once retired, the award (the monthly amount with
its parts, the payments by month), the certification status (last certified, due by, state)
and the self-certify step: the face check through the pluggable verifier
(``pensions.verifiers``; the development verifier by default), offered only while a
certification task is open for the citizen.

With the development verifier the page carries its token (``dev-face-ok:<person id>``); a
deployment's verifier gets the token from the vendor's face-check component, which fills the
form's ``evidence`` field before it is posted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from minsheng.core.errors import MinshengError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import awards, certification, verifiers
from minsheng.pensions.desk_pages import _award_view, label
from minsheng.pensions.models import PnCertification
from minsheng.pensions.pages import FORMS, _labels, _record, _tiers
from minsheng.pensions.workflows import CERTIFICATION
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

flash.register("pn_self_certified", N_("Thank you: you are certified for another year."))


def _open_task(s: Session, award_id: int) -> PnCertification | None:
    return s.scalar(
        select(PnCertification).where(
            PnCertification.award_id == award_id,
            PnCertification.state.in_(CERTIFICATION.open_states),
        )
    )


def status(s: Session, person_id: int, by: Principal, code: str, page: str) -> dict[str, Any]:
    """The award and the certification of the citizen (None before a pension is awarded)."""
    award = awards.award_of(s, person_id)
    if award is None:
        return {"award": None, "task": None, "can_certify": False}
    task = _open_task(s, award.id)
    can = task is not None and "face" in CERTIFICATION.offered(task.state, by)
    states = {st.name: label(st.label, code) for st in CERTIFICATION.states}
    return {
        "award": _award_view(s, award, code, page),
        "task": {**certification.task_out(task), "state_label": states[task.state]}
        if task
        else None,
        "can_certify": can,
    }


def mine_page(
    request: Request, by: Principal, page: str = "1", error: MinshengError | None = None
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        audit.record(s, by, "read", "pn_self", person.id, person.division_code)
        data = _record(s, person)
        data.update(status(s, person.id, by, code, page))
        division = person.division_code
    verifier = verifiers.configured()
    token = f"dev-face-ok:{by.person_id}" if verifier.name == "development" else ""
    return render(
        request,
        "pensions/mine.html",
        status=error.status if error else 200,
        f=FormState.of("estimate", fields=FORMS["estimate"]),
        certify=FormState.of("certify", err=error, fields=("evidence",)),
        evidence=token,
        tiers=_tiers(division),
        **data,
        **_labels(),
    )


@router.get("/me/pensions", response_class=HTMLResponse)
def mine(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("self:read")),
) -> HTMLResponse:
    """The citizen's own insurance, pension and certification, and the estimate form."""
    return mine_page(request, by, page)


@router.post("/me/pensions/certify", response_class=HTMLResponse)
async def certify(request: Request, by: Principal = Depends(permit("self:read"))) -> Response:
    """The self-certify step: the face check on the citizen's open task (PRG)."""
    form = await request.form()
    evidence = form_values(form, ("evidence",)).get("evidence", "")[:2000]

    def work() -> None:
        with uow(request) as s:
            certification.face(s, evidence, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return mine_page(request, by, error=err)
    return flash.redirect("/me/pensions#certification", "pn_self_certified", request)
