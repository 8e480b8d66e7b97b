"""``minsheng employment seekers …``: job seekers (求职登记): registration from the
registry, profile, status history, re-confirmation.

- ``register --id-number N`` opens (or shows) the seeker record of the registry's person with
  this ID number and prints it with the number masked (``--id-number -`` reads it from standard
  input, so that it stays out of the shell's history);
- ``show ID`` prints a record with its status history;
- ``lapse`` is the nightly sweep: records not re-confirmed within
  ``employment.seeker.reconfirm_days`` leave the pool (state ``lapsed``).
"""

from __future__ import annotations

import datetime as dt
import sys

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
seekers_app = typer.Typer(help="求职登记 job seekers", no_args_is_help=True)
app.add_typer(seekers_app, name="seekers")

OPERATOR = typer.Option("cli", "--operator", help="who acts (recorded on the audit log)")
TODAY = typer.Option(None, "--today", help="the day it happens, YYYY-MM-DD (default today)")


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


@seekers_app.command("register")
@friendly
def register(
    id_number: str = typer.Option(..., "--id-number", help="公民身份号码 (or - to read stdin)"),
    today: str = TODAY,
    operator: str = OPERATOR,
) -> None:
    """Register a person as a job seeker by ID number (prints the record, the number masked)."""
    from minsheng.clikit import session
    from minsheng.employment import seeker_filing
    from minsheng.employment.seeker_views import seeker_out

    number = sys.stdin.readline().strip() if id_number == "-" else id_number
    day = _day(today)
    with session() as s:
        seeker, opened = seeker_filing.register(s, number, system(operator), day)
        print_json({"opened": opened, **seeker_out(s, seeker, full=True, today=day)})


@seekers_app.command("show")
@friendly
def show(seeker_id: int = typer.Argument(..., help="seeker id")) -> None:
    """A seeker's record with the status history."""
    from minsheng.clikit import session
    from minsheng.employment import seekers
    from minsheng.employment.seeker_views import seeker_out

    with session() as s:
        print_json(seeker_out(s, seekers.get_seeker(s, seeker_id, system("cli")), full=True))


@seekers_app.command("lapse")
@friendly
def lapse(today: str = TODAY, operator: str = OPERATOR) -> None:
    """The nightly sweep: records not re-confirmed in time leave the pool."""
    from minsheng.clikit import session
    from minsheng.employment import seekers

    day = _day(today)
    with session() as s:
        print_json({"lapsed": seekers.lapse_stale(s, day, system(operator)), "on": day.isoformat()})
