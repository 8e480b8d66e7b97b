"""The project desk (项目台账) on the page kit: the contractor's wage officer and the region's
caseworkers. A list of the projects the caller sees (search, pages); a project's page with its
firms, teams, schedule and real-name workers (ID numbers masked); the entry form (the labour
contract on file — no contract, no entry) and each worker's exit. Refused posts answer the page
again with the form as typed; done ones redirect with a flash (post–redirect–get)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from minsheng.core import divisions
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.wages import access, projects, workers
from minsheng.wages.project_api import project_query
from minsheng.wages.schemas import WorkerIn
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)

ENTRY_FIELDS = (
    "id_number", "team_id", "contract_no", "contract_signed_on", "rate_kind", "rate",
    "overtime_rate", "entry_on", "work_injury",
)  # fmt: skip
MAX_CHARS = 40  # each typed value: an engineering bound
STATES = {
    "active": N_("Under construction"),
    "completed": N_("Completed"),
    "closed": N_("Closed"),
}
ROLES = {
    "developer": N_("Developer"),
    "general": N_("General contractor"),
    "sub": N_("Subcontractor"),
}
RATE_KINDS = {"day": N_("Per day"), "hour": N_("Per hour"), "piece": N_("Per piece")}

flash.register("wg_worker_entered", N_("The worker has entered the project."))
flash.register("wg_worker_left", N_("The worker's exit is recorded."))


@router.get("/wages/projects", response_class=HTMLResponse)
def projects_page(
    request: Request,
    q: str = Query("", max_length=64),
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:project")),
) -> HTMLResponse:
    """The projects the caller sees, newest first, by words of the name or code, paged."""
    code = lang(request)
    with uow(request, immediate=False) as s:
        query = project_query(by, q.strip() or None)
        total = projects.count_projects(s, query)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        number = min(page_number(page), pages)
        rows = s.scalars(query.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
        items = [
            {**projects.project_out(s, p), "county": divisions.get(p.division_code).name(code)}
            for p in rows
        ]
    query_args = (("q", q),) if q else ()
    return render(
        request,
        "wages/projects/list.html",
        rows=Page(items, number, pages, total, PER_PAGE, "/wages/projects", query_args),
        q=q,
        states=STATES,
    )


def _project_page(
    request: Request,
    project_id: int,
    by: Principal,
    values: dict[str, str] | None = None,
    error: MinshengError | ValidationError | None = None,
    wpage: str = "1",
    exit_error: tuple[int, MinshengError] | None = None,
) -> HTMLResponse:
    request.state.private = True
    code = lang(request)
    with uow(request, immediate=False) as s:
        project = access.get_project(s, project_id, by)
        out = projects.project_out(s, project, full=True)
        out["county"] = divisions.get(project.division_code).name(code)
        rows = [workers.worker_out(*r) for r in workers.workers_of(s, project)]
    today = dt.date.today().isoformat()
    defaults = {
        "entry_on": today,
        "contract_signed_on": today,
        "rate_kind": "day",
        "work_injury": "on",
    }
    exit_forms = {
        w["id"]: FormState.of(
            f"exit-{w['id']}",
            {"exit_on": today},
            exit_error[1] if exit_error and exit_error[0] == w["id"] else None,
            ("exit_on",),
        )
        for w in rows
        if w["on_site"]
    }
    return render(
        request,
        "wages/projects/project.html",
        status=(error.status if isinstance(error, MinshengError) else 422)
        if error
        else (exit_error[1].status if exit_error else 200),
        p=out,
        workers=paginate(rows, wpage, f"/wages/projects/{project_id}", param="wpage"),
        f=FormState.of("worker", values if values is not None else defaults, error, ENTRY_FIELDS),
        exits=exit_forms,
        teams=[(t["id"], t["name"]) for t in out["teams"]],
        states=STATES,
        roles=ROLES,
        rate_kinds=RATE_KINDS,
        active=out["state"] == "active",
    )


@router.get("/wages/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    project_id: PathId,
    request: Request,
    wpage: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("wages:project")),
) -> HTMLResponse:
    """One project: its firms, teams, schedule, workers; the entry form."""
    return _project_page(request, project_id, by, wpage=wpage)


def _entry(values: dict[str, str]) -> WorkerIn:
    data: dict[str, Any] = {k: v for k, v in values.items() if v != "" and k != "work_injury"}
    data["work_injury"] = values.get("work_injury") == "on"
    return WorkerIn.model_validate(data)


@router.post("/wages/projects/{project_id}/workers", response_class=HTMLResponse)
async def enter_worker(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> Response:
    """The entry form: a registered identity and the labour contract."""
    form = await request.form()
    values = {k: v[:MAX_CHARS].strip() for k, v in form_values(form, ENTRY_FIELDS).items()}

    def work() -> None:
        data = _entry(values)
        with uow(request) as s:
            workers.enter(s, project_id, data, by)

    try:
        await run_in_threadpool(work)
    except (MinshengError, ValidationError) as err:
        if isinstance(err, MinshengError) and err.status == 404:
            raise
        return _project_page(request, project_id, by, values, err)
    return flash.redirect(f"/wages/projects/{project_id}", "wg_worker_entered", request)


@router.post("/wages/workers/{worker_id}/exit", response_class=HTMLResponse)
async def exit_worker(
    worker_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> Response:
    """A worker's exit on the day typed (their last day on site)."""
    form = await request.form()
    raw = str(form.get("exit_on") or "")[:MAX_CHARS].strip()

    def project_of() -> int:
        with uow(request, immediate=False) as s:
            return access.get_worker(s, worker_id, by).project_id

    project_id = await run_in_threadpool(project_of)

    def work() -> None:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            from minsheng.core.errors import invalid

            raise invalid(
                "exit_on",
                "date",
                "请填写日期（年-月-日）",
                "give a date (YYYY-MM-DD)",
                "ཚེས་གྲངས་འབྲི་དགོས།",
            ) from None
        with uow(request) as s:
            workers.leave(s, worker_id, day, by)

    try:
        await run_in_threadpool(work)
    except MinshengError as err:
        return _project_page(request, project_id, by, exit_error=(worker_id, err))
    return flash.redirect(f"/wages/projects/{project_id}", "wg_worker_left", request)
