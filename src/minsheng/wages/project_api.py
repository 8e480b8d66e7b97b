"""Projects, firms, teams, real-name workers and the labour-cost schedule over HTTP.

Reads and the desk's work (teams, entry, exit, moving team) need ``wages:project`` — the
contractor's wage officer, who sees only their employer's projects, and the caseworkers and
supervisors of the region; filing, changing, completing and closing a project, adding a
subcontractor and setting the schedule need ``wages:write`` (the labour bureau). A project of
another region or firm answers 404 with the body of a missing one (:mod:`wages.access`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select

from minsheng.fields import SearchText
from minsheng.foundation.principals import Principal
from minsheng.wages import access, projects, workers
from minsheng.wages.models import PROJECT_STATES, WgProject
from minsheng.wages.schemas import (
    CompleteIn,
    ExitIn,
    FirmIn,
    MoveIn,
    ProjectIn,
    ProjectPatch,
    ScheduleIn,
    TeamIn,
    WorkerIn,
)
from minsheng.webkit.deps import PathId, uow
from minsheng.webkit.guards import permit

router = APIRouter(prefix="/api", tags=["wages 根治欠薪"])
MAX_LIST = 500


def project_query(by: Principal, q: str | None = None, state: str | None = None) -> Any:
    """The projects ``by`` sees, newest first, narrowed by words of the name or code."""
    query = access.visible_projects(select(WgProject), by).order_by(WgProject.id.desc())
    for word in (q or "").split():
        like = f"%{word}%"
        query = query.where(or_(WgProject.name.like(like), WgProject.code.like(like)))
    if state in PROJECT_STATES:
        query = query.where(WgProject.state == state)
    return query


@router.get("/wages/projects")
def list_projects(
    request: Request,
    q: SearchText | None = Query(default=None),
    state: str | None = Query(default=None, max_length=12),
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """The projects the caller sees (at most 500, newest first)."""
    with uow(request, immediate=False) as s:
        rows = s.scalars(project_query(by, q, state).limit(MAX_LIST)).all()
        return {"projects": [projects.project_out(s, p) for p in rows]}


@router.post("/wages/projects", status_code=201)
def file_project(
    data: ProjectIn, request: Request, by: Principal = Depends(permit("wages:write"))
) -> dict[str, Any]:
    """File a project with its developer, general contractor, subcontractors and schedule."""
    with uow(request) as s:
        return projects.project_out(s, projects.file_project(s, data, by), full=True)


@router.get("/wages/projects/{project_id}")
def show_project(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:project"))
) -> dict[str, Any]:
    """One project with its firms, teams and schedule."""
    with uow(request, immediate=False) as s:
        return projects.project_out(s, access.get_project(s, project_id, by), full=True)


@router.patch("/wages/projects/{project_id}")
def update_project(
    project_id: PathId,
    data: ProjectPatch,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    with uow(request) as s:
        return projects.project_out(s, projects.update_project(s, project_id, data, by))


@router.post("/wages/projects/{project_id}/complete")
def complete_project(
    project_id: PathId,
    data: CompleteIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """Completion (竣工验收)."""
    with uow(request) as s:
        project = projects.complete_project(s, project_id, data.completed_on, by)
        return projects.project_out(s, project)


@router.post("/wages/projects/{project_id}/close")
def close_project(
    project_id: PathId, request: Request, by: Principal = Depends(permit("wages:write"))
) -> dict[str, Any]:
    with uow(request) as s:
        return projects.project_out(s, projects.close_project(s, project_id, by))


@router.post("/wages/projects/{project_id}/firms", status_code=201)
def add_subcontractor(
    project_id: PathId,
    data: FirmIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """Add a subcontractor (分包单位), registered in the registry when new."""
    with uow(request) as s:
        projects.add_subcontractor(s, project_id, data, by)
        return projects.project_out(s, access.get_project(s, project_id, by), full=True)


@router.put("/wages/projects/{project_id}/schedule")
def set_schedule(
    project_id: PathId,
    data: ScheduleIn,
    request: Request,
    by: Principal = Depends(permit("wages:write")),
) -> dict[str, Any]:
    """Replace the labour-cost payment schedule (art. 24: at most a month apart)."""
    with uow(request) as s:
        projects.set_schedule(s, project_id, data.items, by)
        return projects.project_out(s, access.get_project(s, project_id, by), full=True)


@router.post("/wages/projects/{project_id}/teams", status_code=201)
def add_team(
    project_id: PathId,
    data: TeamIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    with uow(request) as s:
        team = projects.add_team(s, project_id, data, by)
        return {"id": team.id, "project_id": team.project_id, "name": team.name}


@router.get("/wages/projects/{project_id}/workers")
def list_workers(
    project_id: PathId,
    request: Request,
    on_site: bool = Query(default=False),
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """The project's workers (ID numbers masked), those on site first."""
    with uow(request, immediate=False) as s:
        project = access.get_project(s, project_id, by)
        rows = workers.workers_of(s, project, open_only=on_site)
        return {"workers": [workers.worker_out(*r) for r in rows]}


@router.post("/wages/projects/{project_id}/workers", status_code=201)
def enter_worker(
    project_id: PathId,
    data: WorkerIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    """A worker's entry with the labour contract on file (no contract, no entry)."""
    with uow(request) as s:
        worker = workers.enter(s, project_id, data, by)
        return _one(s, worker.id, by)


@router.post("/wages/workers/{worker_id}/exit")
def exit_worker(
    worker_id: PathId,
    data: ExitIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    with uow(request) as s:
        workers.leave(s, worker_id, data.exit_on, by)
        return _one(s, worker_id, by)


@router.post("/wages/workers/{worker_id}/team")
def move_worker(
    worker_id: PathId,
    data: MoveIn,
    request: Request,
    by: Principal = Depends(permit("wages:project")),
) -> dict[str, Any]:
    with uow(request) as s:
        workers.move(s, worker_id, data.team_id, by)
        return _one(s, worker_id, by)


def _one(s: Any, worker_id: int, by: Principal) -> dict[str, Any]:
    worker = access.get_worker(s, worker_id, by)
    project = access.get_project(s, worker.project_id, by)
    row = next(r for r in workers.workers_of(s, project) if r[0].id == worker.id)
    return workers.worker_out(*row)
