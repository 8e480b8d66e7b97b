"""Who sees which project: the one place wage protection decides it.

A staff user (caseworker, supervisor, auditor, inspector) sees the projects whose county lies
in their region (:meth:`Principal.covered_codes`); the platform itself sees all. A contractor's
wage officer (role ``contractor``, 施工单位劳资专管员) sees, inside their region, only the
projects on which their employer (``employer_users``, :mod:`minsheng.auth.employers`) is the
developer, the general contractor or a subcontractor. Citizens and anonymous callers see none
here (a worker's own pages read their own rows by ``person_id``).

A project outside what the caller sees answers exactly as a missing one (404, the same body),
so an id tells nothing about another county's work. Every wages area loads its project (or
team, or worker) through :func:`get_project` / :func:`get_team` / :func:`get_worker`, and
filters its lists with :func:`visible_projects` (a select over :class:`WgProject`) or
:func:`visible_project_ids` (a subquery of ids, for tables that carry ``project_id``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.auth.models import EmployerUser
from minsheng.core.errors import NotFoundError
from minsheng.foundation.principals import Principal
from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker

CONTRACTOR = "contractor"


def is_contractor(by: Principal) -> bool:
    """Whether ``by`` acts for a firm (sees only its employer's projects)."""
    return by.kind in ("staff", "token") and by.role == CONTRACTOR


def _firm_projects(by: Principal) -> Any:
    """Ids of the projects on which the contractor's employer has a part (a subquery)."""
    return (
        select(WgProjectFirm.project_id)
        .join(EmployerUser, EmployerUser.employer_id == WgProjectFirm.employer_id)
        .where(EmployerUser.user_id == by.user_id)
    )


def visible_projects(query: Any, by: Principal) -> Any:
    """Restrict ``query`` (a select involving :class:`WgProject`) to the projects ``by`` sees."""
    if by.kind == "system":
        return query
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(false())
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(WgProject.division_code.in_(codes))
    if is_contractor(by):
        if by.user_id is None:
            return query.where(false())
        query = query.where(WgProject.id.in_(_firm_projects(by)))
    return query


def visible_project_ids(by: Principal) -> Any:
    """A subquery of the ids of the projects ``by`` sees (``Model.project_id.in_(...)``)."""
    return visible_projects(select(WgProject.id), by)


def employer_of(session: Session, by: Principal) -> int | None:
    """The employer a contractor acts for (None for anyone else, or an unbound contractor)."""
    if not is_contractor(by) or by.user_id is None:
        return None
    return employers.employer_of(session, by.user_id)


def missing_project(field: str = "project_id") -> NotFoundError:
    return NotFoundError(
        field,
        "没有这个工程项目",
        "no such project",
        "ལས་གཞི་འདི་མེད།",
    )


def can_see(session: Session, project: WgProject, by: Principal) -> bool:
    """Whether ``by`` sees ``project`` (region, and for a contractor the firm)."""
    if by.kind == "system":
        return True
    if by.kind not in ("staff", "token") or not by.covers(project.division_code):
        return False
    if is_contractor(by):
        if by.user_id is None:
            return False
        found = session.scalar(_firm_projects(by).where(WgProjectFirm.project_id == project.id))
        return found is not None
    return True


def get_project(
    session: Session,
    project_id: int,
    by: Principal,
    *,
    for_update: bool = False,
    field: str = "project_id",
) -> WgProject:
    """The project ``project_id`` if ``by`` sees it; otherwise 404 as for a missing one.
    ``for_update`` locks the row (PostgreSQL) for a write that must not race another."""
    query = select(WgProject).where(WgProject.id == project_id)
    if for_update:
        query = query.with_for_update()
    project = session.scalar(query)
    if project is None or not can_see(session, project, by):
        raise missing_project(field)
    return project


def get_team(session: Session, team_id: int, by: Principal, *, field: str = "team_id") -> WgTeam:
    """A team, through its project's visibility (404 as missing otherwise)."""
    team = session.get(WgTeam, team_id)
    if team is None:
        raise NotFoundError(field, "没有这个班组", "no such team", "རུ་ཁག་འདི་མེད།")
    try:
        get_project(session, team.project_id, by)
    except NotFoundError:
        raise NotFoundError(field, "没有这个班组", "no such team", "རུ་ཁག་འདི་མེད།") from None
    return team


def get_worker(
    session: Session, worker_id: int, by: Principal, *, field: str = "worker_id"
) -> WgWorker:
    """A worker's membership of a project, through the project's visibility (404 otherwise)."""
    worker = session.get(WgWorker, worker_id)
    missing = NotFoundError(field, "没有这名工人", "no such worker", "ལས་མི་འདི་མེད།")
    if worker is None:
        raise missing
    try:
        get_project(session, worker.project_id, by)
    except NotFoundError:
        raise missing from None
    return worker
