"""Pages of employment services, on the page kit: hard-to-employ people (就业困难人员)
and one-to-one help (一对一帮扶) on the case engine, and the employment statistics.

- ``/employment/help`` — the helper caseworker's queue: open plans of their region (only mine,
  due or overdue, county), the earliest deadline first, paged;
- ``/employment/help/{id}`` — a plan: the person (masked ID), the categories with the reason of
  each, services owed and delivered (with the answer form), the contact log and its form, the
  outcome and the assignment — only the forms the caller may use; a refused form answers the
  page again (422) with the error by its field;
- ``/employment/statistics`` (+ ``.csv``) — see :mod:`minsheng.employment.help_stats_pages`.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, invalid
from minsheng.employment import help as plans
from minsheng.employment import help_views as views
from minsheng.employment.help_labels import labels
from minsheng.employment.help_models import CHANNELS, SERVICE_KINDS
from minsheng.employment.help_stats_pages import router as stats_router
from minsheng.employment.help_workflow import OUTCOMES
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, window
from minsheng.webkit.render import N_, render
from minsheng.webkit.steps import day, posted, step_forms, take

router = APIRouter(include_in_schema=False)
router.include_router(stats_router)

FORMS = {
    "contact": ("day", "channel", "note", "next_step", "next_on"),
    "offer": ("kind", "vacancy_id", "course_id", "text", "day"),
    "respond": ("service_id", "response"),
    "close": ("outcome", "hire_id", "reason"),
    "assign": ("username",),
}
MAX_FIELD = 400

flash.register("em_help_saved", N_("Saved to the help plan."))


def _int(raw: str, field: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise invalid(field, "number", "应为编号（数字）", "a record number", "ཨང་གྲངས་ནོར།")
    return int(raw)


def _queue_page(
    request: Request, by: Principal, mine: bool, due: str, county: str, page: str
) -> HTMLResponse:
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        _none, total = plans.listing(
            s, by, today, mine=mine, due=due, county=county or None, limit=0
        )
        number, pages, offset = window(page, total)
        rows, total = plans.listing(
            s, by, today, mine=mine, due=due, county=county or None, limit=PER_PAGE, offset=offset
        )
        who = views.people(s, [r.person_id for r in rows])
        tally = plans.counts(s, [r.id for r in rows])
        p = plans.params(today)
        items = [views.out(r, today, who.get(r.person_id), tally[r.id], p) for r in rows]
    keep = {k: v for k, v in {"mine": "1" if mine else "", "due": due, "county": county}.items()}
    keep = {k: v for k, v in keep.items() if v and v != "all"}
    covered = by.covered_counties()
    counties = [c.code for c in divisions.counties()] if covered is None else covered
    return render(
        request,
        "employment/help/queue.html",
        rows=Page(items, number, pages, total, PER_PAGE, "/employment/help", tuple(keep.items())),
        total=total,
        mine=mine,
        due=due,
        county=county,
        counties=counties,
        today=today,
        **labels(lang(request)),
    )


@router.get("/employment/help", response_class=HTMLResponse)
def queue(
    request: Request,
    mine: str = Query("", max_length=1),
    due: str = Query("all", max_length=8),
    county: str = Query("", max_length=6),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("employment:read")),
) -> HTMLResponse:
    """The helper caseworker's queue of help plans."""
    if county and not (county.isdigit() and len(county) == 6 and by.covers(county)):
        county = ""
    if county:
        try:
            divisions.get(county, "county")
        except MinshengError:
            county = ""
    return _queue_page(request, by, mine == "1", due if due in plans.DUE else "all", county, page)


def _plan_page(
    request: Request,
    plan_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | None = None,
) -> HTMLResponse:
    request.state.private = True
    today = dt.date.today()
    with uow(request, immediate=False) as s:
        view = views.detail(s, plans.get(s, plan_id, by), by, today)
    offered = [f for f in FORMS if f in view["offered"]]
    if view["state"] == "open" and by.can("employment:write"):
        offered.append("assign")
    steps = step_forms(
        offered, FORMS, values, error, key="form", prefix="help", ids="{action}-form"
    )
    return render(
        request,
        "employment/help/plan.html",
        status=error.status if error else 200,
        plan=view,
        plan_steps=steps,
        forms=steps.forms,
        today=today,
        channels=CHANNELS,
        kinds=SERVICE_KINDS,
        outcomes=OUTCOMES,
        **labels(lang(request)),
    )


@router.get("/employment/help/{plan_id}", response_class=HTMLResponse)
def plan_page(
    plan_id: PathId, request: Request, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """One help plan."""
    return _plan_page(request, plan_id, by)


@router.post("/employment/help/{plan_id}", response_class=HTMLResponse)
async def plan_form(
    plan_id: PathId, request: Request, by: Principal = Depends(permit("employment:write"))
) -> Response:
    """One of the plan's forms (``form``: contact, offer, respond, close, assign)."""
    form = await request.form()
    which = str(form.get("form") or "")[:10]
    fields = FORMS.get(which, ())
    values = {"form": which, **posted(form, fields, MAX_FIELD)}

    def work() -> None:
        if which not in FORMS:
            raise invalid("form", "unknown_value", "表单无效", "unknown form", "རེའུ་མིག་ནོར།")
        today = dt.date.today()
        with uow(request) as s:
            if which == "contact":
                plans.contact(
                    s,
                    plan_id,
                    by,
                    today,
                    channel=values.get("channel", ""),
                    note=values.get("note", ""),
                    day=day(values.get("day", ""), "day"),
                    next_step=values.get("next_step") or None,
                    next_on=day(values.get("next_on", ""), "next_on"),
                )
            elif which == "offer":
                plans.offer(
                    s,
                    plan_id,
                    by,
                    today,
                    kind=values.get("kind", ""),
                    vacancy_id=_int(values.get("vacancy_id", ""), "vacancy_id"),
                    course_id=_int(values.get("course_id", ""), "course_id"),
                    text=values.get("text") or None,
                    day=day(values.get("day", ""), "day"),
                )
            elif which == "respond":
                sid = _int(values.get("service_id", ""), "service_id") or 0
                plans.respond(s, plan_id, sid, values.get("response", ""), by, today)
            elif which == "close":
                plans.close(
                    s,
                    plan_id,
                    values.get("outcome", ""),
                    by,
                    today,
                    note=values.get("reason") or None,
                    hire_id=_int(values.get("hire_id", ""), "hire_id"),
                )
            else:
                plans.assign(s, plan_id, values.get("username") or None, by, today)

    return await take(
        request,
        work,
        done=f"/employment/help/{plan_id}",
        message="em_help_saved",
        again=lambda err: _plan_page(request, plan_id, by, values, err),
    )
