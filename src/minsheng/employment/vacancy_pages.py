"""Pages of employment services, on the page kit: employers' vacancies, checked before
publication, and hire filings (用工登记备案).

- ``/employment/employer``: the recruiter's desk (``employment:employer``) — our vacancies with
  their state and places left (publish a draft, close a published one, the reasons a refused
  one broke), the new-vacancy form (save as a draft, or publish at once: a refused posting
  answers the form again with every reason by its field, and nothing is stored), record a hire,
  and the hires still to file (overdue flagged) with a button to file each.
- ``/employment/vacancies``: the caseworker's review (``employment:read``) — the region's
  vacancies filtered by state, county and occupation, paged, and the overdue hire filings;
  ``/employment/vacancies/{id}``: one vacancy, and a supervisor's take-down with a reason.

Refused posts answer the page again with the form as typed and the error by its field (422);
done ones redirect with a one-time message (post–redirect–get).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.employment import hires, occupations, vacancies
from minsheng.employment.seeker_models import EDUCATION
from minsheng.employment.seeker_views import EDUCATION_LABELS
from minsheng.employment.vacancy_models import VACANCY_STATES, EmHire
from minsheng.employment.vacancy_schemas import VacancyIn, VacancyPatch
from minsheng.employment.vacancy_views import hires_out, vacancies_out
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import PER_PAGE, Page, cut, window
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

LISTED = 200  # rows of a desk's list read at most (more: the page says so)
LATE_LISTED = 50  # overdue hire filings listed on the review page (more: the page says so)

VACANCY_FIELDS = (
    "title",
    "occupation",
    "count",
    "wage_min",
    "wage_max",
    "division_code",
    "education",
    "skills",
    "requirements",
    "closing_on",
)
HIRE_FIELDS = ("id_number", "vacancy_id", "occupation", "hired_on", "file")
MAX_CHARS = 4000
STATES = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "refused": N_("Refused"),
    "closed": N_("Closed"),
    "taken_down": N_("Taken down"),
}
HIRE_STATES = {"due": N_("To file"), "filed": N_("Filed")}

flash.register("em_vacancy_saved", N_("The vacancy is saved as a draft."))
flash.register("em_vacancy_published", N_("The vacancy is published."))
flash.register("em_vacancy_closed", N_("The vacancy is closed."))
flash.register("em_hire_filed", N_("The hire is filed."))
flash.register("em_hire_recorded", N_("The hire is recorded; file it before its deadline."))
flash.register("em_vacancy_taken_down", N_("The vacancy is taken down."))


def _values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v[:MAX_CHARS].strip() for k, v in form_values(form, names).items()}


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            field, "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


def _id(raw: str, field: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise invalid(field, "choice", "请从列表中选择", "choose from the list", "ཐོ་ནས་འདེམས།")
    return int(raw)


def vacancy_from_form(values: dict[str, str]) -> VacancyIn:
    """The form's text as a :class:`VacancyIn` (a bad field: a 422 naming it)."""
    data: dict[str, Any] = {k: values.get(k, "") for k in VACANCY_FIELDS}
    data["skills"] = [w.strip() for w in data["skills"].replace("，", ",").split(",") if w.strip()]
    data["education"] = data["education"] or None
    data["count"] = data["count"] or "0"
    try:
        return VacancyIn.model_validate(data)
    except ValidationError as err:
        raise to_minsheng_error(err) from None


def occupation_options(code: str) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (o.code, f"{o.code} {o.name(code)}") for o in occupations.table().values()
    ]


def county_options(by: Principal) -> list[tuple[str, str]]:
    counties = by.covered_counties()
    rows = divisions.counties() if counties is None else [divisions.get(c) for c in counties]
    return [(d.code, d.name_zh) for d in rows]


# ------------------------------------------------------------------ the recruiter's desk


def _desk(
    request: Request,
    by: Principal,
    which: str = "",
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
    editing: int | None = None,
) -> HTMLResponse:
    request.state.private = True
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        own = vacancies.employer_of(s, by)
        rows, ours_capped = cut(s.scalars(vacancies.listing(by).limit(LISTED + 1)).all(), LISTED)
        ours = vacancies_out(s, rows)
        if editing is not None and values is None:  # the form filled with the vacancy
            v = vacancies_out(s, [vacancies.get_vacancy(s, editing, by)])[0]
            values = {k: str(v.get(k) or "") for k in VACANCY_FIELDS}
            values["skills"] = ", ".join(v["skills"])
            which = "vacancy"
        open_ones = [v for v in ours if v["open"]]
        due_rows, due_capped = cut(s.scalars(hires.due(by).limit(LISTED + 1)).all(), LISTED)
        due = hires_out(s, due_rows, today)
    forms = {
        name: FormState.of(
            f"em-{name}",
            values if which == name else None,
            error if which == name else None,
            fields,
        )
        for name, fields in (("vacancy", VACANCY_FIELDS), ("hire", HIRE_FIELDS))
    }
    general = error if which not in forms else None
    code = lang(request)
    return render(
        request,
        "employment/vacancy/desk.html",
        status=error.status if error else 200,
        bound=own is not None,
        vacancies=ours,
        open_vacancies=open_ones,
        due=due,
        ours_capped=ours_capped,
        due_capped=due_capped,
        forms=forms,
        general=FormState.of("em", None, general, ()) if general else None,
        states=STATES,
        hire_states=HIRE_STATES,
        occupations=occupation_options(code),
        counties=county_options(by),
        education=[("", "—")] + [(e, EDUCATION_LABELS[e]) for e in EDUCATION],
        editing=editing,
        today=today.isoformat(),
    )


@router.get("/employment/employer", response_class=HTMLResponse)
def employer_desk(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """Our vacancies and hires: post, publish, close, record and file (``?edit=<id>``: the
    form holds a draft or refused vacancy to change)."""
    raw = request.query_params.get("edit", "")
    editing = int(raw) if raw.isdigit() and len(raw) < 10 else None
    return _desk(request, by, editing=editing)


@router.post("/employment/employer", response_class=HTMLResponse)
async def employer_post(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))[:20]
    which = {
        "save": "vacancy",
        "publish_new": "vacancy",
        "update": "vacancy",
        "update_publish": "vacancy",
        "hire": "hire",
    }.get(action, "")
    names = VACANCY_FIELDS if which == "vacancy" else HIRE_FIELDS
    values = _values(form, (*names, "vacancy_id", "hire_id"))
    done = {
        "save": "em_vacancy_saved",
        "publish_new": "em_vacancy_published",
        "update": "em_vacancy_saved",
        "update_publish": "em_vacancy_published",
        "publish": "em_vacancy_published",
        "close": "em_vacancy_closed",
        "file": "em_hire_filed",
    }

    def work() -> str:
        today = dt.date.today()
        with uow(request) as s:
            if action in ("save", "publish_new"):
                v = vacancies.create_vacancy(s, vacancy_from_form(values), by, today)
                if action == "publish_new":
                    vacancies.publish(s, v.id, by, today)
            elif action in ("update", "update_publish"):
                vid = _id(values.get("vacancy_id", ""), "vacancy_id")
                if vid is None:
                    raise vacancies.missing()
                data = vacancy_from_form(values).model_dump(exclude={"employer_id"})
                vacancies.update_vacancy(s, vid, VacancyPatch(**data), by)
                if action == "update_publish":
                    vacancies.publish(s, vid, by, today)
            elif action in ("publish", "close"):
                vid = _id(values.get("vacancy_id", ""), "vacancy_id")
                if vid is None:
                    raise vacancies.missing()
                step = vacancies.publish if action == "publish" else vacancies.close_vacancy
                step(s, vid, by, today)
            elif action == "hire":
                filed = values.get("file", "") == "on"
                hires.record_hire(
                    s,
                    None,
                    values.get("id_number", ""),
                    _id(values.get("vacancy_id", ""), "vacancy_id"),
                    values.get("occupation") or None,
                    _date(values.get("hired_on", ""), "hired_on"),
                    by,
                    today,
                    file=filed,
                )
                return "em_hire_filed" if filed else "em_hire_recorded"
            elif action == "file":
                hid = _id(values.get("hire_id", ""), "hire_id")
                if hid is None:
                    raise hires.missing()
                hires.file_hire(s, hid, by, today)
            else:
                raise invalid("action", "choice", "未知的操作", "unknown action", "བྱ་སྤྱོད་མི་ཤེས།")
        return done[action]

    try:
        key = await run_in_threadpool(work)
    except MinshengError as err:
        edited = (
            _id(values.get("vacancy_id", ""), "vacancy_id") if action.startswith("update") else None
        )
        return _desk(request, by, which, values, err, editing=edited)
    return flash.redirect("/employment/employer", key, request)


# ------------------------------------------------------------------ the caseworker's review


@router.get("/employment/vacancies", response_class=HTMLResponse)
def review_list(
    request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """The region's vacancies by state, county and occupation; the overdue hire filings."""
    request.state.private = True
    q = request.query_params
    state = q.get("state", "")[:12]
    county = q.get("county", "")[:6]
    occupation = q.get("occupation", "")[:10]
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        query = vacancies.listing(by, state or None, county or None, occupation or None)
        total = s.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        number, pages, offset = window(q.get("page"), total)
        rows = s.scalars(query.limit(PER_PAGE).offset(offset)).all()
        kept = (("state", state), ("county", county), ("occupation", occupation))
        page = Page(
            vacancies_out(s, rows), number, pages, total, PER_PAGE, "/employment/vacancies", kept
        )
        late_rows, late_capped = cut(
            s.scalars(hires.overdue(by, today).limit(LATE_LISTED + 1)).all(), LATE_LISTED
        )
        late = hires_out(s, late_rows, today)
    return render(
        request,
        "employment/vacancy/review.html",
        rows=page,
        late=late,
        late_capped=late_capped,
        state=state,
        county=county,
        occupation=occupation,
        states=STATES,
        state_options=[("", "—")] + [(k, STATES[k]) for k in VACANCY_STATES],
        occupations=occupation_options(lang(request)),
        counties=[("", "—"), *county_options(by)],
    )


def _vacancy_page(
    request: Request,
    vacancy_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        v = vacancies_out(s, [vacancies.get_vacancy(s, vacancy_id, by)])[0]
        query = hires.hires(by).where(EmHire.vacancy_id == vacancy_id)
        filled, hired_capped = cut(s.scalars(query.limit(LISTED + 1)).all(), LISTED)
        hired = hires_out(s, filled, dt.date.today())
    can_take_down = v["state"] == "published" and by.can("employment:run")
    return render(
        request,
        "employment/vacancy/vacancy.html",
        status=error.status if error else 200,
        v=v,
        hired=hired,
        hired_capped=hired_capped,
        states=STATES,
        hire_states=HIRE_STATES,
        can_take_down=can_take_down,
        form=FormState.of("em-down", values, error, ("reason",)),
    )


@router.get("/employment/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy_page(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    return _vacancy_page(request, vacancy_id, by)


@router.post("/employment/vacancies/{vacancy_id}", response_class=HTMLResponse)
async def take_down_post(
    vacancy_id: PathId, request: Request, by: Principal = Depends(permit("employment:run"))
) -> Response:
    """A supervisor takes the vacancy down, with the reason."""
    values = _values(await request.form(), ("reason",))

    def work() -> None:
        reason = values.get("reason", "")
        if len(reason) < 2 or len(reason) > 400:
            raise invalid(
                "reason",
                "required",
                "请填写下架理由（2至400字）",
                "give the reason (2 to 400 characters)",
                "རྒྱུ་མཚན་འབྲི་དགོས།",
            )
        with uow(request) as s:
            vacancies.take_down(s, vacancy_id, reason, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _vacancy_page(request, vacancy_id, by, values, err)
    return flash.redirect(f"/employment/vacancies/{vacancy_id}", "em_vacancy_taken_down", request)


__all__ = ["router", "vacancy_from_form"]
