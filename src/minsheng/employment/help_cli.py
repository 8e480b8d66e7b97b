"""``minsheng employment help refresh | plans``: the nightly refresh of the hard-to-employ list
(就业困难人员) and its one-to-one help plans (一对一帮扶), and the open plans of a region."""

from __future__ import annotations

import typer

from minsheng.clikit import day_option, friendly, print_json, session
from minsheng.employment import help as plans
from minsheng.employment import help_refresh
from minsheng.employment import help_views as views
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
help_app = typer.Typer(
    no_args_is_help=True, help="就业援助 one-to-one help for hard-to-employ people"
)
app.add_typer(help_app, name="help")


@help_app.command("refresh")
@friendly
def refresh(
    region: str = typer.Option(
        "540000", "--region", help="division code (region, prefecture, county)"
    ),
    on: str = typer.Option(None, "--date", help="as of this date (default today)"),
) -> None:
    """Recompute who is hard to employ; open plans for the newly counted, end the others."""
    day = day_option(on)
    with session() as s:
        r = help_refresh.refresh(s, day, system("help-refresh"), region)
    print_json(r.as_dict())


@help_app.command("plans")
@friendly
def list_open(
    region: str = typer.Option("540000", "--region"),
    due: str = typer.Option("all", "--due", help="all | due | overdue"),
    on: str = typer.Option(None, "--date", help="deadlines as of this date (default today)"),
) -> None:
    """The open help plans of a region, the earliest deadline first (at most 500)."""
    day = day_option(on)
    by = system("cli")
    with session() as s:
        rows, total = plans.listing(s, by, day, due=due, region=region, limit=500)
        print_json({"total": total, "plans": [views.out(r, day) for r in rows]})
