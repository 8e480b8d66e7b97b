"""``minsheng wages complaints …``: the arrears complaints (欠薪投诉) — the queue, one
complaint whole, a step on it, the region's board of states, and the KPIs per county and month.
``--operator`` names who acts: an extension is approved by another operator than the one who
asked for it (maker–checker)."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import Principal, system

app = typer.Typer(no_args_is_help=True)
complaints_app = typer.Typer(help="Arrears complaints 欠薪投诉", no_args_is_help=True)
app.add_typer(complaints_app, name="complaints")

OPERATOR = typer.Option("cli", "--operator", help="who acts (recorded on the complaint's steps)")


def _by(operator: str) -> Principal:
    return system(operator)


def _day(value: str | None) -> dt.date:
    from minsheng.core.errors import invalid

    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise invalid(
            "day", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


@complaints_app.command("list")
@friendly
def list_complaints(
    state: str = typer.Option("open", "--state", help="open, or one state"),
    overdue: bool = typer.Option(False, "--overdue", help="only those past their deadline"),
) -> None:
    """The queue, the earliest deadline first (state only: no personal data)."""
    from minsheng.clikit import session
    from minsheng.wages import complaints

    today = dt.date.today()
    with session() as s:
        q = complaints.queue_query(_by("cli"), state, today if overdue else None)
        print_json([complaints.state_view(s, c, today) for c in s.scalars(q)])


@complaints_app.command("show")
@friendly
def show(complaint: int = typer.Argument(..., help="complaint id")) -> None:
    """One complaint whole, with its steps (the read is audited)."""
    from minsheng.clikit import session
    from minsheng.wages import complaints

    with session() as s:
        print_json(complaints.read(s, complaint, _by("cli"), dt.date.today()))


@complaints_app.command("step")
@friendly
def step(
    complaint: int = typer.Argument(..., help="complaint id"),
    action: str = typer.Argument(..., help="accept, refuse, request_extension, … close"),
    reason: str = typer.Option(None, "--reason", help="required to refuse, refer, close…"),
    outcome: str = typer.Option("", "--outcome", help="for close: recovered, settled, …"),
    recovered: str = typer.Option(None, "--recovered", help="yuan recovered (close)"),
    day: str = typer.Option(None, "--day", help="YYYY-MM-DD (default: today)"),
    operator: str = OPERATOR,
) -> None:
    """Take one step on a complaint."""
    from minsheng.clikit import session
    from minsheng.wages import complaints

    when = _day(day)
    with session() as s:
        c = complaints.act(
            s,
            complaint,
            action,
            _by(operator),
            day=when,
            reason=reason,
            outcome=outcome,
            recovered=recovered,
        )
        print_json(complaints.state_view(s, c, dt.date.today()))


@complaints_app.command("board")
@friendly
def board(county: str = typer.Option("", "--county", help="one county's code")) -> None:
    """Every open complaint of the region by its state (what every office sees)."""
    from minsheng.clikit import session
    from minsheng.wages import complaints

    with session() as s:
        print_json(complaints.board(s, dt.date.today(), county))


@complaints_app.command("kpis")
@friendly
def kpis(month: str = typer.Argument(..., help="YYYY-MM")) -> None:
    """Per county: received, closed, closure rate against its target, on time, recovered."""
    from minsheng.clikit import session
    from minsheng.wages import complaints

    with session() as s:
        print_json(complaints.kpis(s, month, _by("cli")))
