"""Pages of employment services, on the page kit: job fairs (招聘会): booths,
allocation, on-site check-in, interviews, the report.

The organiser's desk (``employment:read`` to look, ``employment:write`` to act): the fairs of
the region and a form planning a new one; a fair's page with its live counts, the applications
to accept or refuse, the booth plan as a grid (each booth's class, zone and employer, and a
form moving an employer to a free booth), the entrance's check-in form (ID number or QR) and,
after the fair, its report. The recruiter's and the seeker's pages are in
:mod:`minsheng.employment.fair_visit_pages`. Refused posts answer the page again with the error
by its field (422/409); done ones redirect with a flash.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.employment import fair_booths, fair_checkin, fair_report, fair_visit_pages, fairs
from minsheng.employment.fair_models import BOOTH_CLASSES, CADENCES, THEMES, EmFair
from minsheng.employment.fair_schemas import MAX_BOOTHS, CheckinIn, DecisionIn, FairIn, MoveIn
from minsheng.employment.occupations import table as occupations
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, window
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
router.include_router(fair_visit_pages.router)

FAIR_FIELDS = (
    "name", "division_code", "venue", "theme", "cadence", "starts_on", "ends_on",
    "opens_at", "closes_at", "standard", "large", "corner",
)  # fmt: skip
MAX_CHARS = 200
PHASES = {
    "planned": N_("Planned"),
    "open": N_("Taking applications"),
    "allocated": N_("Booths allocated"),
    "running": N_("Running now"),
    "closed": N_("Closed for the day"),
    "over": N_("Over"),
    "cancelled": N_("Cancelled"),
}
CLASSES = {"standard": N_("Standard"), "large": N_("Large"), "corner": N_("Corner")}
APP_STATES = {"applied": N_("Applied"), "accepted": N_("Accepted"), "refused": N_("Refused")}

flash.register("em_fair_created", N_("The fair is planned."))
flash.register("em_fair_opened", N_("The fair takes booth applications."))
flash.register("em_fair_allocated", N_("The booths are allocated."))
flash.register("em_fair_decided", N_("The application is decided."))
flash.register("em_fair_moved", N_("The employer is moved to the booth."))


def _counties(by: Principal, code: str) -> list[tuple[str, str]]:
    found = by.covered_counties()
    rows = divisions.counties() if found is None else [divisions.get(c) for c in found]
    return [(d.code, d.name(code)) for d in rows]


def _list_page(
    request: Request,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | ValidationError | None = None,
    page: str = "1",
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        query = fairs.visible(select(EmFair), by)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        number, pages, offset = window(page, total)
        query = query.order_by(EmFair.starts_on.desc(), EmFair.id.desc())
        moment = fairs.now()
        rows = Page(
            [
                {**fairs.fair_out(f, moment), "county": divisions.get(f.division_code).name(code)}
                for f in s.scalars(query.limit(PER_PAGE).offset(offset))
            ],
            number,
            pages,
            total,
            PER_PAGE,
            "/employment/fairs",
        )
    today = fairs.local(fairs.now()).date().isoformat()
    defaults = {
        "starts_on": today,
        "opens_at": "10:00",
        "closes_at": "16:00",
        "theme": "general",
        "cadence": "once",
        "standard": "20",
        "large": "4",
        "corner": "4",
    }
    status = 200 if error is None else (error.status if isinstance(error, MinshengError) else 422)
    return render(
        request,
        "employment/fair/list.html",
        status=status,
        fairs=rows,
        phases=PHASES,
        f=FormState.of("fair", values if values is not None else defaults, error, FAIR_FIELDS),
        counties=_counties(by, code),
        themes=[(t, fairs.label(fairs.THEME_LABELS, t, code)) for t in THEMES],
        cadences=[(c, fairs.label(fairs.CADENCE_LABELS, c, code)) for c in CADENCES],
        can_write=by.can("employment:write"),
    )


@router.get("/employment/fairs", response_class=HTMLResponse)
def fairs_page(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """The fairs of the caller's region, the latest first (paged), and the form planning one."""
    return _list_page(request, by, page=page)


def _fair_in(values: dict[str, str]) -> FairIn:
    data: dict[str, Any] = {k: v for k, v in values.items() if v != "" and k not in BOOTH_CLASSES}
    booths = []
    for klass in BOOTH_CLASSES:
        raw = values.get(klass, "") or "0"
        if not raw.isdigit() or int(raw) > MAX_BOOTHS:
            raise invalid(
                klass,
                "count",
                f"展位数应为0至{MAX_BOOTHS}的整数",
                f"a number of booths from 0 to {MAX_BOOTHS}",
                "འགྲེམས་ཁང་གི་གྲངས་ནོར་འདུག",
            )
        if int(raw):
            booths.append({"klass": klass, "count": int(raw)})
    data["booths"] = booths
    return FairIn.model_validate(data)


@router.post("/employment/fairs", response_class=HTMLResponse)
async def create_fair(
    request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """Plan a fair (the form of the list page)."""
    form = await request.form()
    values = {k: v[:MAX_CHARS].strip() for k, v in form_values(form, FAIR_FIELDS).items()}

    def work() -> int:
        data = _fair_in(values)
        with uow(request) as s:
            return fairs.create_fair(s, data, by, fairs.local(fairs.now()).date()).id

    try:
        fair_id = await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        return _list_page(request, by, values, err)
    return flash.redirect(f"/employment/fairs/{fair_id}", "em_fair_created", request)


def fair_view(s: Any, fair: EmFair, code: str) -> dict[str, Any]:
    """What the organiser's and the recruiter's pages show of a fair."""
    out = fairs.fair_out(fair)
    out["county"] = divisions.get(fair.division_code).name(code)
    out["theme_label"] = fairs.label(fairs.THEME_LABELS, fair.theme, code)
    out["cadence_label"] = fairs.label(fairs.CADENCE_LABELS, fair.cadence, code)
    return out


def _fair_page(
    request: Request,
    fair_id: int,
    by: Principal,
    error: MinshengError | ValidationError | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
    result: dict[str, Any] | None = None,
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    with uow(request, immediate=False) as s:
        fair = fairs.get_fair(s, fair_id, by)
        view = fair_view(s, fair, code)
        apps = fair_booths.applications_of(s, fair.id)
        holders = {a.booth_id: (a, name) for a, name in apps if a.booth_id is not None}
        booths = [
            {
                **fairs.booth_out(b),
                "employer": holders[b.id][1] if b.id in holders else None,
                "application_id": holders[b.id][0].id if b.id in holders else None,
                "zone_label": occupations()[b.zone].name(code) if b.zone in occupations() else "",
            }
            for b in fairs.booths_of(s, fair.id)
        ]
        counts = fair_report.live(s, fair)
        figures = fair_report.report(s, fair.id, by) if view["phase"] == "over" else None
    placed = [a for a, _ in apps if a.state == "accepted"]
    free = [(b["id"], f"{b['number']} · {b['capacity']}") for b in booths if b["employer"] is None]
    status = 200 if error is None else (error.status if isinstance(error, MinshengError) else 422)
    blank = values or {}
    return render(
        request,
        "employment/fair/fair.html",
        status=status,
        fair=view,
        booths=booths,
        applications=[fair_booths.application_out(a, n) for a, n in apps],
        counts=counts,
        report=figures,
        phases=PHASES,
        classes=CLASSES,
        app_states=APP_STATES,
        free=free,
        unplaced=[a.id for a in placed if a.booth_id is None],
        checkin=FormState.of(
            "checkin",
            blank if form == "checkin" else {},
            error if form == "checkin" else None,
            ("id_number", "token"),
        ),
        decide=FormState.of(
            "decide",
            blank if form == "decide" else {},
            error if form == "decide" else None,
            ("reason", "accept", "application_id"),
        ),
        move=FormState.of(
            "move",
            blank if form == "move" else {},
            error if form == "move" else None,
            ("booth_id", "application_id"),
        ),
        action=FormState.of("action", {}, error if form == "action" else None, ("fair_id",)),
        result=result,
        can_write=by.can("employment:write"),
    )


@router.get("/employment/fairs/{fair_id}", response_class=HTMLResponse)
def fair_page(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """One fair: counts, applications, the booth plan, check-in, the report."""
    return _fair_page(request, fair_id, by)


async def _act(
    request: Request,
    fair_id: int,
    by: Principal,
    work: Any,
    key: str,
    form: str = "action",
    values: dict[str, str] | None = None,
) -> Response:
    try:
        await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        if isinstance(err, MinshengError) and err.status == 404:
            raise
        return _fair_page(request, fair_id, by, err, form, values)
    return flash.redirect(f"/employment/fairs/{fair_id}", key, request)


@router.post("/employment/fairs/{fair_id}/open", response_class=HTMLResponse)
async def open_fair(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """Open the fair for employers' booth applications."""

    def work() -> None:
        with uow(request) as s:
            fairs.open_applications(s, fair_id, by)

    return await _act(request, fair_id, by, work, "em_fair_opened")


@router.post("/employment/fairs/{fair_id}/allocate", response_class=HTMLResponse)
async def allocate(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """Run the booth allocation."""

    def work() -> None:
        with uow(request) as s:
            fair_booths.allocate(s, fair_id, by)

    return await _act(request, fair_id, by, work, "em_fair_allocated")


def _fair_of_application(request: Request, application_id: int, by: Principal) -> int:
    with uow(request, immediate=False) as s:
        return fair_booths.get_application(s, application_id, by)[1].id


@router.post("/employment/fair-applications/{application_id}/decision", response_class=HTMLResponse)
async def decide(
    application_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """Accept or refuse an application (the buttons of its row)."""
    form = await request.form()
    values = {k: v[:MAX_CHARS].strip() for k, v in form_values(form, ("accept", "reason")).items()}
    fair_id = await run_in_threadpool(_fair_of_application, request, application_id, by)

    def work() -> None:
        data = DecisionIn(accept=values.get("accept") == "yes", reason=values.get("reason") or None)
        with uow(request) as s:
            fair_booths.decide(s, application_id, data, by)

    return await _act(request, fair_id, by, work, "em_fair_decided", "decide", values)


@router.post("/employment/fair-applications/{application_id}/booth", response_class=HTMLResponse)
async def move(
    application_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """Move an employer to another free booth (the booth plan's form)."""
    form = await request.form()
    raw = str(form.get("booth_id") or "")[:20].strip()
    fair_id = await run_in_threadpool(_fair_of_application, request, application_id, by)

    def work() -> None:
        data = MoveIn.model_validate({"booth_id": raw})
        with uow(request) as s:
            fair_booths.move(s, application_id, data.booth_id, by)

    return await _act(request, fair_id, by, work, "em_fair_moved", "move", {"booth_id": raw})


@router.post("/employment/fairs/{fair_id}/checkin", response_class=HTMLResponse)
async def checkin(
    fair_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """The entrance: an ID number or a QR pass; answers the page with the booths to visit."""
    form = await request.form()
    values = {k: v[:64].strip() for k, v in form_values(form, ("id_number", "token")).items()}

    def work() -> dict[str, Any]:
        data = CheckinIn(
            id_number=values.get("id_number") or None, token=values.get("token") or None
        )
        with uow(request) as s:
            return fair_checkin.checkin_out(fair_checkin.checkin(s, fair_id, data, by, fairs.now()))

    try:
        result = await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        if isinstance(err, MinshengError) and err.status == 404 and err.field == "fair_id":
            raise
        return _fair_page(request, fair_id, by, err, "checkin", {})
    return _fair_page(request, fair_id, by, result=result)
