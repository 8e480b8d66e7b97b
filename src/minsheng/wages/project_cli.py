"""``minsheng wages projects list|show|file``: the region's construction projects from the
command line (acting as the platform, ``system("cli")``; every write audited)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy import select

from minsheng.clikit import fail, friendly, print_json
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import system
from minsheng.wages import access, projects, workers
from minsheng.wages.models import WgProject
from minsheng.wages.schemas import ProjectIn

app = typer.Typer(no_args_is_help=True)
projects_app = typer.Typer(no_args_is_help=True, help="工程项目 construction projects")
app.add_typer(projects_app, name="projects")
BY = system("cli")


@projects_app.command("list")
@friendly
def list_projects(
    county: str | None = typer.Option(None, help="a county code (6 digits)"),
    state: str | None = typer.Option(None, help="active | completed | closed"),
) -> None:
    """The projects (newest first) as JSON."""
    from minsheng.clikit import session

    with session() as s:
        query = access.visible_projects(select(WgProject), BY).order_by(WgProject.id.desc())
        if county:
            query = query.where(WgProject.division_code == county)
        if state:
            query = query.where(WgProject.state == state)
        print_json([projects.project_out(s, p) for p in s.scalars(query)])


@projects_app.command("show")
@friendly
def show_project(project_id: int) -> None:
    """One project with its firms, teams, schedule and workers (ID numbers masked)."""
    from minsheng.clikit import session

    with session() as s:
        project = access.get_project(s, project_id, BY)
        out = projects.project_out(s, project, full=True)
        out["workers"] = [workers.worker_out(*r) for r in workers.workers_of(s, project)]
        print_json(out)


@projects_app.command("file")
@friendly
def file_project(
    path: Path = typer.Argument(..., help="a JSON file shaped as the API's body"),
) -> None:
    """File a project from a JSON file (the body of POST /api/wages/projects)."""
    from minsheng.clikit import session

    try:
        data = ProjectIn.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except ValidationError as err:
        fail(to_minsheng_error(err))
        return
    except (OSError, ValueError) as err:
        typer.echo(f"错误 error: {path}: {err}", err=True)
        raise typer.Exit(1) from None
    with session() as s:
        print_json(projects.project_out(s, projects.file_project(s, data, BY), full=True))
