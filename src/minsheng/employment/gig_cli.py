"""``minsheng employment`` commands: the digital gig market (数字零工市场): short jobs,
apply, check-in, completion, pay confirmed.

- ``gigs [--county C]``: the open gigs (of a county), soonest first;
- ``gig-disputes [--region R]``: the open pay disputes, the earliest deadline first, overdue marked;
- ``gig-take-down GIG --reason …``: take a gig down (its applications not worked are cancelled).
``--operator`` names who acts (recorded on the audit log and the gig's events)."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json, session
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)

OPERATOR = typer.Option("cli", "--operator", help="who acts")


def _day(raw: str | None) -> dt.date:
    from minsheng.core.errors import invalid

    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            "today", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


@app.command("gigs")
@friendly
def gigs_command(
    county: str = typer.Option("", "--county", help="a county code"),
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD (default today)"),
) -> None:
    """The open gigs 零工岗位 (of a county), soonest first."""
    from minsheng.employment import gig_views as views

    with session() as s:
        print_json({"gigs": [views.gig_view(g) for g in views.open_gigs(s, _day(today), county)]})


@app.command("gig-disputes")
@friendly
def disputes_command(
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD (default today)"),
) -> None:
    """The open gig pay disputes 零工工资争议, the earliest deadline first."""
    from minsheng.employment import gig_views as views

    day = _day(today)
    with session() as s:
        rows = [
            {**views.application_view(a), "title": g.title, "county": g.division_code,
             "overdue": views.overdue(a, day)}
            for a, g in views.disputes(s, system("cli"))
        ]  # fmt: skip
        print_json({"disputes": rows})


@app.command("gig-take-down")
@friendly
def take_down_command(
    gig: int = typer.Argument(..., help="gig id"),
    reason: str = typer.Option(..., "--reason", help="why it is taken down"),
    operator: str = OPERATOR,
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD (default today)"),
) -> None:
    """Take a gig down 下架零工岗位, with the reason."""
    from minsheng.employment import gig_views as views
    from minsheng.employment import gigs

    with session() as s:
        row = gigs.take_down(s, gig, reason, system(operator), _day(today))
        out = views.gig_view(row)
    print_json(out)
