"""``minsheng employment vacancies …`` and ``minsheng employment hires …``: list the
vacancies, publish one (a refusal prints every reason and keeps it refused), take one down,
close those past their closing date or filled (the daily sweep), and list the hire filings past
their deadline. ``--operator`` names who acts (recorded on the audit log)."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import Principal, system

app = typer.Typer(no_args_is_help=True)
vac = typer.Typer(help="Vacancies 招聘岗位", no_args_is_help=True)
hire = typer.Typer(help="Hire filings 用工登记备案", no_args_is_help=True)
app.add_typer(vac, name="vacancies")
app.add_typer(hire, name="hires")

OPERATOR = typer.Option("cli", "--operator", help="who acts")
TODAY = typer.Option(None, "--today", help="the day it happens, YYYY-MM-DD (default today)")


def _by(operator: str) -> Principal:
    return system(operator)


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


@vac.command("list")
@friendly
def list_vacancies(
    state: str = typer.Option(None, "--state", help="draft, published, refused, closed, …"),
    county: str = typer.Option(None, "--county", help="a county code"),
    occupation: str = typer.Option(None, "--occupation", help="an occupation code (and below)"),
    limit: int = typer.Option(50, "--limit", min=1, max=5000),
) -> None:
    """The vacancies, newest first."""
    from minsheng.clikit import session
    from minsheng.employment import vacancies
    from minsheng.employment.vacancy_views import vacancies_out

    with session() as s:
        query = vacancies.listing(_by("cli"), state, county, occupation)
        rows = s.scalars(query.limit(limit)).all()
        print_json({"vacancies": vacancies_out(s, rows)})


@vac.command("publish")
@friendly
def publish(
    vacancy: int = typer.Argument(..., help="vacancy id"),
    today: str = TODAY,
    operator: str = OPERATOR,
) -> None:
    """Publish a draft or refused vacancy if the posting rules pass (else every reason)."""
    from minsheng.clikit import session
    from minsheng.employment import vacancies
    from minsheng.employment.vacancy_views import vacancies_out

    with session() as s:
        v = vacancies.publish(s, vacancy, _by(operator), _day(today))
        print_json(vacancies_out(s, [v])[0])


@vac.command("take-down")
@friendly
def take_down(
    vacancy: int = typer.Argument(..., help="vacancy id"),
    reason: str = typer.Option(..., "--reason", help="why (2 to 400 characters)"),
    operator: str = OPERATOR,
) -> None:
    """Take a published vacancy down, with the reason."""
    from minsheng.clikit import session
    from minsheng.core.errors import invalid
    from minsheng.employment import vacancies
    from minsheng.employment.vacancy_views import vacancies_out

    if not 2 <= len(reason.strip()) <= 400:
        raise invalid("reason", "length", "下架理由为2至400字", "a reason is 2 to 400 characters")
    with session() as s:
        v = vacancies.take_down(s, vacancy, reason.strip(), _by(operator))
        print_json(vacancies_out(s, [v])[0])


@vac.command("close-due")
@friendly
def close_due(today: str = TODAY, operator: str = OPERATOR) -> None:
    """Close the published vacancies past their closing date or with every place filled."""
    from minsheng.clikit import session
    from minsheng.employment import vacancies

    with session() as s:
        print_json({"closed": vacancies.close_due(s, _day(today), _by(operator))})


@hire.command("overdue")
@friendly
def overdue(
    today: str = TODAY,
    county: str = typer.Option(None, "--county", help="a county code"),
    limit: int = typer.Option(200, "--limit", min=1, max=5000),
) -> None:
    """The hires not filed by their deadline, the earliest deadline first (masked IDs)."""
    from minsheng.clikit import session
    from minsheng.employment import hires
    from minsheng.employment.vacancy_models import EmHire
    from minsheng.employment.vacancy_views import hires_out

    day = _day(today)
    with session() as s:
        query = hires.overdue(_by("cli"), day)
        if county:
            query = query.where(EmHire.division_code == county)
        print_json({"hires": hires_out(s, s.scalars(query.limit(limit)).all(), day)})
