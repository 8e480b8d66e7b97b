"""Job-fair pages for the employer's recruiter and the seeker, on the page kit.

- The recruiter (``employment:employer``, for the employer it acts for): the fairs of its
  region taking part (``/employment/employer/fairs``); a fair's booth page
  (``/employment/fairs/{id}/booth``) with the booth application — the class wanted and the
  employer's published vacancies to bring — its booth once allocated, and the form recording an
  interview or intention for a checked-in visitor, with what it recorded so far.
- The seeker (``self:jobs``), on a phone: the fairs coming up (``/me/jobs/fairs``) and a fair's
  page (``/me/jobs/fairs/{id}``) with the short-lived QR pass to show at the entrance and the
  booths recommended for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.employment import fair_booths, fair_checkin, fair_report, fairs, seekers
from minsheng.employment.fair_models import EmFair, EmFairApplication
from minsheng.employment.fair_schemas import ApplicationIn, InterviewIn
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import cut
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

MAX_LIST = 50
OUTCOMES = {
    "interviewed": N_("Interviewed"),
    "intends": N_("Intends to hire"),
    "unsuitable": N_("Not suitable"),
}
CLASSES = {"standard": N_("Standard"), "large": N_("Large"), "corner": N_("Corner")}
APP_STATES = {"applied": N_("Applied"), "accepted": N_("Accepted"), "refused": N_("Refused")}

flash.register("em_fair_applied", N_("Your booth application is sent."))
flash.register("em_fair_interview", N_("The interview is recorded."))


def _view(fair: EmFair, code: str, moment: dt.datetime) -> dict[str, Any]:
    out = fairs.fair_out(fair, moment)
    out["county"] = divisions.get(fair.division_code).name(code)
    out["theme_label"] = fairs.label(fairs.THEME_LABELS, fair.theme, code)
    out["cadence_label"] = fairs.label(fairs.CADENCE_LABELS, fair.cadence, code)
    return out


def _coming(query: Any, moment: dt.datetime) -> Any:
    today = fairs.local(moment).date()
    return (
        query.where(EmFair.ends_on >= today, EmFair.state.in_(("open", "allocated")))
        .order_by(EmFair.starts_on, EmFair.id)
        .limit(MAX_LIST + 1)  # one more: a longer list says so (pager.cut)
    )


# --- the recruiter -------------------------------------------------------------------------


@router.get("/employment/employer/fairs", response_class=HTMLResponse)
def employer_fairs(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """The fairs of the recruiter's region still to come, with its employer's application."""
    code = lang(request)
    moment = fairs.now()
    with uow(request, immediate=False) as s:
        employer_id = fair_booths.employer_of_recruiter(s, by)
        rows, capped = cut(
            s.scalars(_coming(fairs.visible(select(EmFair), by), moment)).all(), MAX_LIST
        )
        mine = {}
        if employer_id is not None and rows:
            mine = {
                a.fair_id: a.state
                for a in s.scalars(
                    select(EmFairApplication).where(
                        EmFairApplication.employer_id == employer_id,
                        EmFairApplication.fair_id.in_([f.id for f in rows]),
                    )
                )
            }
        items = [{**_view(f, code, moment), "mine": mine.get(f.id)} for f in rows]
    return render(
        request,
        "employment/fair/employer_fairs.html",
        fairs=items,
        capped=capped,
        bound=employer_id is not None,
        app_states=APP_STATES,
    )


def _booth_page(
    request: Request,
    fair_id: int,
    by: Principal,
    error: MinshengError | ValidationError | None = None,
    form: str = "",
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    moment = fairs.now()
    with uow(request, immediate=False) as s:
        fair = fairs.get_fair(s, fair_id, by)
        employer_id = fair_booths.employer_of_recruiter(s, by)
        app = fair_booths.application_of(s, fair.id, employer_id) if employer_id else None
        vacancies = (
            s.scalars(
                select(EmVacancy)
                .where(
                    EmVacancy.employer_id == employer_id,
                    EmVacancy.state == "published",
                    EmVacancy.closing_on >= fair.starts_on,
                )
                .order_by(EmVacancy.id)
            ).all()
            if employer_id
            else []
        )
        booth = None
        if app is not None and app.booth_id is not None:
            booth = next(b for b in fairs.booths_of(s, fair.id) if b.id == app.booth_id)
        chosen = fair_booths.vacancy_ids(app) if app else []
        interviews = (
            [
                fair_report.interview_out(r)
                for r in fair_report.interviews_of(s, fair.id, employer_id)
            ]
            if employer_id
            else []
        )
        names = {
            p: n
            for p, n in s.execute(
                select(Person.id, Person.name_zh).where(
                    Person.id.in_([i["person_id"] for i in interviews])
                )
            ).all()
        }
        for i in interviews:
            i["name"] = names.get(i["person_id"], "")
        view = _view(fair, code, moment)
    status = 200 if error is None else (error.status if isinstance(error, MinshengError) else 422)
    vals = values or {}
    apply_values = (
        vals if form == "apply" else {"wanted_class": app.wanted_class if app else "standard"}
    )
    return render(
        request,
        "employment/fair/booth.html",
        status=status,
        fair=view,
        bound=employer_id is not None,
        application=fair_booths.application_out(app) if app else None,
        booth=fairs.booth_out(booth) if booth else None,
        vacancies=[{"id": v.id, "title": v.title, "occupation": v.occupation} for v in vacancies],
        chosen=[int(v) for v in (vals.get("vacancy_ids") or []) if str(v).isdigit()]
        if form == "apply"
        else chosen,
        apply=FormState.of(
            "apply",
            apply_values,
            error if form == "apply" else None,
            ("wanted_class", "vacancy_ids"),
        ),
        interview=FormState.of(
            "interview",
            vals if form == "interview" else {"outcome": "interviewed"},
            error if form == "interview" else None,
            ("id_number", "token", "outcome", "vacancy_id", "note"),
        ),
        interviews=interviews,
        outcomes=OUTCOMES,
        classes=CLASSES,
        app_states=APP_STATES,
    )


def _chosen(values: dict[str, Any]) -> list[int]:
    return [int(v) for v in (values.get("vacancy_ids") or []) if str(v).isdigit()]


@router.get("/employment/fairs/{fair_id}/booth", response_class=HTMLResponse)
def booth_page(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """The recruiter's booth at a fair: the application, the booth, the interviews."""
    return _booth_page(request, fair_id, by)


@router.post("/employment/fairs/{fair_id}/booth", response_class=HTMLResponse)
async def apply(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> Response:
    """Send (or resend, before the decision) the booth application."""
    form = await request.form()
    values: dict[str, Any] = {
        "wanted_class": str(form.get("wanted_class") or "")[:16],
        "vacancy_ids": [str(v)[:12] for v in form.getlist("vacancy_ids")][:100],
    }

    def work() -> None:
        data = ApplicationIn.model_validate(values)
        with uow(request) as s:
            fair_booths.apply(s, fair_id, data, by)

    try:
        await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        if isinstance(err, MinshengError) and err.status == 404:
            raise
        return _booth_page(request, fair_id, by, err, "apply", values)
    return flash.redirect(f"/employment/fairs/{fair_id}/booth", "em_fair_applied", request)


@router.post("/employment/fairs/{fair_id}/booth/interviews", response_class=HTMLResponse)
async def interview(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:employer"))
) -> Response:
    """Record an interview or intention for a checked-in visitor."""
    form = await request.form()
    names = ("id_number", "token", "outcome", "vacancy_id", "note")
    values = {k: v[:200].strip() for k, v in form_values(form, names).items()}

    def work() -> None:
        data = InterviewIn.model_validate({k: v for k, v in values.items() if v != ""})
        with uow(request) as s:
            fair_report.record_interview(s, fair_id, data, by, fairs.now())

    try:
        await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        if isinstance(err, MinshengError) and err.status == 404 and err.field == "fair_id":
            raise
        return _booth_page(request, fair_id, by, err, "interview", values)
    return flash.redirect(f"/employment/fairs/{fair_id}/booth", "em_fair_interview", request)


# --- the seeker ----------------------------------------------------------------------------


@router.get("/me/jobs/fairs", response_class=HTMLResponse)
def my_fairs(request: Request, by: Principal = Depends(permit("self:jobs"))) -> HTMLResponse:
    """The fairs coming up (taking applications or with booths allocated), soonest first."""
    code = lang(request)
    moment = fairs.now()
    with uow(request, immediate=False) as s:
        rows, capped = cut(
            s.scalars(_coming(fairs.visible(select(EmFair), by), moment)).all(), MAX_LIST
        )
        items = [_view(f, code, moment) for f in rows]
    return render(request, "employment/fair/my_fairs.html", fairs=items, capped=capped)


@router.get("/me/jobs/fairs/{fair_id}", response_class=HTMLResponse)
def my_fair(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> HTMLResponse:
    """A fair on the seeker's phone: the QR pass, whether checked in, the booths to visit."""
    request.state.private = True
    code = lang(request)
    moment = fairs.now()
    with uow(request, immediate=False) as s:
        fair = fairs.get_fair(s, fair_id, by)
        view = _view(fair, code, moment)
        person_id = by.person_id
        assert person_id is not None
        token, expires = fair_checkin.issue_pass(fair, person_id, moment)
        seeker = seekers.seeker_of_person(s, person_id)
        booths = fair_checkin.recommended_for_seeker(s, fair, seeker.id if seeker else None, moment)
        row = fair_checkin.checked_in(s, fair.id, person_id)
    qr = Markup(segno.make(token, error="m").svg_inline(scale=6, title="QR"))
    return render(
        request,
        "employment/fair/my_fair.html",
        fair=view,
        qr=qr,
        token=token,
        expires=fairs.local(expires).strftime("%H:%M"),
        refresh=max(30, 60 * fair_checkin.qr_minutes(fair) - 30),
        booths=booths,
        seeker=seeker is not None,
        checked_in=row is not None,
    )
