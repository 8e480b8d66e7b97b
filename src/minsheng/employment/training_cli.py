"""``minsheng employment training …``: vocational training (职业培训) — the courses, a
finished course's subsidy list for payment, and its placements."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.employment import training_views
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
group = typer.Typer(help="Vocational training 职业培训", no_args_is_help=True)
app.add_typer(group, name="training")


@group.command("courses")
@friendly
def courses(
    state: str = typer.Option("", help="planned | enrolling | running | finished"),
) -> None:
    """The courses, newest first."""
    from minsheng.clikit import session

    with session() as s:
        print_json(training_views.courses(s, system("cli"), state or None))


@group.command("subsidy")
@friendly
def subsidy(course_id: int = typer.Argument(..., help="course id")) -> None:
    """A finished course's completions and the subsidy of each (fen), for payment."""
    from minsheng.clikit import session

    with session() as s:
        print_json(training_views.subsidy_list(s, course_id, system("cli")))


@group.command("placement")
@friendly
def placement(course_id: int = typer.Argument(..., help="course id")) -> None:
    """A course's completions hired within the placement months, and the rate."""
    from minsheng.clikit import session

    with session() as s:
        print_json(training_views.placement(s, course_id, system("cli"), dt.date.today()))
