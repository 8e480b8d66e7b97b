"""Pages of employment services, on the page kit: vocational training (职业培训):
programmes, enrolment, attendance, certificates, subsidy, placement.

- ``/employment/training``: the caseworker's desk — the region's courses and a new course.
- ``/employment/training/{id}``: one course — its state and the next step, enrol by ID number,
  the trainees with days attended, completions and certificates, the subsidy list and the
  placement rate; ``…/attendance?day=``: the sheet of one session day.
- ``/employment/training/certificates/{id}`` and ``/me/training/certificates/{id}``: the
  certificate, laid out to print on A4.
- ``/me/training``: the citizen's phone page — courses open near them, enrol, my courses.

Refused posts answer the page again with the error by its field (422 or 409); done ones
redirect with a one-time message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.core import money
from minsheng.core.errors import MinshengError, invalid
from minsheng.employment import occupations, training, training_rules, training_views
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, cut, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

COURSE_FIELDS = (
    "name",
    "occupation",
    "kind",
    "division_code",
    "starts_on",
    "ends_on",
    "hours",
    "capacity",
    "free",
    "provider_employer_id",
    "provider_name",
    "employer_id",
    "hire_promised",
)
STEP_FIELDS = ("action", "to", "id_number")
MAX_CHARS = 200

STATES = {
    "planned": N_("Planned"),
    "enrolling": N_("Enrolling"),
    "running": N_("Running"),
    "finished": N_("Finished"),
}
KINDS = {
    "employment": N_("Employment skills"),
    "upgrade": N_("Skills upgrading"),
    "order": N_("Order-based for an employer"),
}
RESULTS = {
    "enrolled": N_("Enrolled"),
    "completed": N_("Completed with certificate"),
    "incomplete": N_("Not completed"),
}
PLACEMENT = {"placed": N_("Placed"), "open": N_("Not yet"), "not_placed": N_("Not placed")}
NEXT_STEP = {
    "enrolling": N_("Open enrolment"),
    "running": N_("Start the course"),
    "finished": N_("Finish and decide completions"),
}

flash.register("em_course_created", N_("The course is created."))
flash.register("em_course_done", N_("The course is updated."))
flash.register("em_sheet_done", N_("The attendance sheet is kept."))
flash.register("em_enrolled", N_("You are enrolled."))


def _fields(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v[:MAX_CHARS].strip() for k, v in form_values(form, names).items()}


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            field, "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


def _number(raw: str, field: str, optional: bool = False) -> int | None:
    if optional and not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise invalid(field, "integer", "请填写整数", "a whole number", "གྲངས་ཀ་ཆ་ཚང་འབྲི་རོགས།")
    return int(raw)


def course_args(v: dict[str, str]) -> dict[str, Any]:
    """The course form's strings as :func:`training.create_course` takes them."""
    return {
        "name": v.get("name", ""),
        "occupation": v.get("occupation", ""),
        "kind": v.get("kind", ""),
        "division_code": v.get("division_code", ""),
        "starts_on": _date(v.get("starts_on", ""), "starts_on"),
        "ends_on": _date(v.get("ends_on", ""), "ends_on"),
        "hours": _number(v.get("hours", ""), "hours"),
        "capacity": _number(v.get("capacity", ""), "capacity"),
        "free": v.get("free") in ("on", "1", "true"),
        "provider_employer_id": _number(
            v.get("provider_employer_id", ""), "provider_employer_id", True
        ),
        "provider_name": v.get("provider_name") or None,
        "employer_id": _number(v.get("employer_id", ""), "employer_id", True),
        "hire_promised": _number(v.get("hire_promised", "") or "0", "hire_promised"),
    }


def _common() -> dict[str, Any]:
    return {
        "states": STATES,
        "kinds": KINDS,
        "results": RESULTS,
        "placement_labels": PLACEMENT,
        "fmt": money.fmt,
        "occupation_name": lambda code, lang: occupations.get(code).name(lang),
    }


# ------------------------------------------------------------------ the desk


def _desk(
    request: Request,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    state = request.query_params.get("state") or ""
    state = state if state in STATES else ""
    with uow(request, immediate=False) as s:
        cap = training_views.LIST_CAP  # read one more: a longer list says it was cut
        rows, capped = cut(training_views.courses(s, by, state or None, cap + 1), cap)
        listed = paginate(
            rows,
            request.query_params.get("page", "1")[:MAX_PAGE_CHARS],
            "/employment/training",
            {"state": state} if state else {},
            capped=capped,
        )
        rates = training_views.rates(s, list(listed.items), dt.date.today())
    return render(
        request,
        "employment/training/desk.html",
        status=error.status if error else 200,
        courses=listed.items,
        listed=listed,
        rates=rates,
        f=FormState.of("course", values, error, COURSE_FIELDS),
        can_write=by.can("employment:write") or by.kind == "system",
        occupation_options=[(o.code, o.code + " " + o.zh) for o in occupations.children(None)],
        **_common(),
    )


@router.get("/employment/training", response_class=HTMLResponse)
def desk(request: Request, by: Principal = Depends(permit("employment:read"))) -> HTMLResponse:
    """The region's courses, and a new course."""
    return _desk(request, by)


@router.post("/employment/training", response_class=HTMLResponse)
async def desk_post(
    request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    values = _fields(await request.form(), COURSE_FIELDS)

    def work() -> int:
        with uow(request) as s:
            return training.create_course(s, by, dt.date.today(), **course_args(values)).id

    try:
        course_id = await run_in_threadpool(work)
    except MinshengError as err:
        return _desk(request, by, values, err)
    return flash.redirect(f"/employment/training/{course_id}", "em_course_created", request)


def _certificate(request: Request, enrolment_id: int, by: Principal) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        data = training_views.certificate(s, enrolment_id, by)
    return render(request, "employment/training/certificate.html", cert=data, **_common())


@router.get("/employment/training/orders", response_class=HTMLResponse)
def orders_page(
    request: Request, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """The recruiter's order-based courses: trainees and results."""
    request.state.private = True
    with uow(request, immediate=False) as s:
        rows = training_views.for_employer(s, by)
    return render(request, "employment/training/orders.html", courses=rows, **_common())


@router.get("/employment/training/certificates/{enrolment_id}", response_class=HTMLResponse)
def certificate_page(
    enrolment_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """A trainee's certificate (prints on A4)."""
    return _certificate(request, enrolment_id, by)


# ------------------------------------------------------------------ one course


def _course_page(
    request: Request,
    course_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        c = training_views.course(s, course_id, by)
        people = training_views.enrolments(s, course_id, by)
        subsidy = (
            training_views.subsidy_list(s, course_id, by) if c["state"] == "finished" else None
        )
        placed = training_views.placement(s, course_id, by, today) if subsidy else None
    days = training_rules.session_days(
        dt.date.fromisoformat(c["starts_on"]), dt.date.fromisoformat(c["ends_on"])
    )
    return render(
        request,
        "employment/training/course.html",
        status=error.status if error else 200,
        c=c,
        people=people,
        subsidy=subsidy,
        placed=placed,
        days=[d for d in days if d <= today],
        next_state=training.NEXT.get(c["state"]),
        next_labels=NEXT_STEP,
        can_write=by.can("employment:write") or by.kind == "system",
        f=FormState.of("step", values, error, STEP_FIELDS),
        **_common(),
    )


@router.get("/employment/training/{course_id}", response_class=HTMLResponse)
def course_page(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """One course: next step, enrolment, trainees, completions, subsidy and placement."""
    return _course_page(request, course_id, by)


@router.post("/employment/training/{course_id}", response_class=HTMLResponse)
async def course_post(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    values = _fields(await request.form(), STEP_FIELDS)

    def work() -> None:
        today = dt.date.today()
        with uow(request) as s:
            if values.get("action") == "advance":
                training.advance(s, course_id, values.get("to", ""), by, today)
            elif values.get("action") == "enrol":
                training.enrol(s, course_id, by, today, id_number=values.get("id_number", ""))
            else:
                raise invalid("action", "choice", "未知的操作", "unknown action", "བྱ་སྤྱོད་མི་ཤེས།")

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _course_page(request, course_id, by, values, err)
    return flash.redirect(f"/employment/training/{course_id}", "em_course_done", request)


def _sheet_page(
    request: Request,
    course_id: int,
    by: Principal,
    day: dt.date,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        c = training_views.course(s, course_id, by)
        rows = training_views.sheet(s, course_id, day, by)
    return render(
        request,
        "employment/training/sheet.html",
        status=error.status if error else 200,
        c=c,
        rows=rows,
        day=day,
        f=FormState.of("sheet", {"day": day.isoformat()}, error, ("day", "present")),
        **_common(),
    )


@router.get("/employment/training/{course_id}/attendance", response_class=HTMLResponse)
def sheet_page(
    course_id: PathId,
    request: Request,
    day: dt.date | None = Query(None),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """The attendance sheet of one session day (today by default)."""
    return _sheet_page(request, course_id, by, day or dt.date.today())


@router.post("/employment/training/{course_id}/attendance", response_class=HTMLResponse)
async def sheet_post(
    course_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    form = await request.form()
    raw_day = str(form.get("day") or "")[:10]
    present = [str(v) for v in form.getlist("present")][:1000]

    def work() -> dt.date:
        day = _date(raw_day, "day")
        ids_ = [n for n in (_number(p, "present") for p in present) if n is not None]
        with uow(request) as s:
            training.record_attendance(s, course_id, day, ids_, by, dt.date.today())
        return day

    try:
        day = await run_in_threadpool(work)
    except MinshengError as err:
        try:
            shown = dt.date.fromisoformat(raw_day)
        except ValueError:
            shown = dt.date.today()
        return _sheet_page(request, course_id, by, shown, err)
    return flash.redirect(
        f"/employment/training/{course_id}/attendance?day={day.isoformat()}",
        "em_sheet_done",
        request,
    )


# ------------------------------------------------------------------ the citizen


def _mine(request: Request, by: Principal, error: MinshengError | None = None) -> HTMLResponse:
    request.state.private = True
    with uow(request, immediate=False) as s:
        near = training_views.open_near(s, by)
        mine = training_views.mine(s, by)
    taken = {m["course"]["id"] for m in mine}
    return render(
        request,
        "employment/training/mine.html",
        status=error.status if error else 200,
        near=[c for c in near if c["id"] not in taken],
        mine=mine,
        f=FormState.of("enrol", None, error, ("course_id",)),
        **_common(),
    )


@router.get("/me/training", response_class=HTMLResponse)
def my_training(request: Request, by: Principal = Depends(permit("self:jobs"))) -> HTMLResponse:
    """Courses open near me, enrol, my courses and certificates."""
    return _mine(request, by)


@router.post("/me/training/{course_id}/enrol", response_class=HTMLResponse)
async def my_enrol(
    course_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> Response:
    def work() -> None:
        with uow(request) as s:
            training.enrol(s, course_id, by, dt.date.today())

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        if err.status == 404:
            raise
        return _mine(request, by, err)
    return flash.redirect("/me/training", "em_enrolled", request)


@router.get("/me/training/certificates/{enrolment_id}", response_class=HTMLResponse)
def my_certificate(
    enrolment_id: PathId, request: Request, by: Principal = Depends(permit("self:jobs"))
) -> HTMLResponse:
    """My certificate (prints on A4)."""
    return _certificate(request, enrolment_id, by)
