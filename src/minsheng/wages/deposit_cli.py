"""``minsheng wages deposit …`` and ``minsheng wages blacklist …``: a project's wage deposit
(show, assess, lodge, draw, top up, notice, return), the deposits past a deadline, and the
arrears blacklist (list, the public list, end the listings past their term). ``--operator``
names who acts (recorded on the audit log and the listing's events)."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import Principal, system

app = typer.Typer(no_args_is_help=True)
deposit = typer.Typer(help="Wage deposits 工资保证金", no_args_is_help=True)
black = typer.Typer(help="The arrears blacklist 失信联合惩戒名单", no_args_is_help=True)
app.add_typer(deposit, name="deposit")
app.add_typer(black, name="blacklist")

OPERATOR = typer.Option("cli", "--operator", help="who acts")
TODAY = typer.Option(None, "--today", help="the day it happens, YYYY-MM-DD (default today)")


def _by(operator: str) -> Principal:
    return system(operator)


def _day(raw: str | None, field: str = "today") -> dt.date:
    from minsheng.core.errors import invalid

    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            field, "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


def _show(s: object, project: int, today: dt.date) -> None:
    from minsheng.wages import deposits

    dep = deposits.deposit_of(s, project, _by("cli"))  # type: ignore[arg-type]
    if dep is None:
        print_json({"deposit": None})
        return
    print_json(
        {
            "deposit": deposits.deposit_out(dep, today),
            "entries": [deposits.entry_out(e) for e in deposits.entries(s, dep)],  # type: ignore[arg-type]
        }
    )


@deposit.command("show")
@friendly
def show(project: int = typer.Argument(..., help="project id")) -> None:
    """The project's deposit and its ledger."""
    from minsheng.clikit import session

    with session() as s:
        _show(s, project, dt.date.today())


@deposit.command("assess")
@friendly
def assess(
    project: int = typer.Argument(...), today: str = TODAY, operator: str = OPERATOR
) -> None:
    """Assess the deposit (rate by contract value and the contractor's record)."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.assess(s, project, _by(operator), day)
        _show(s, project, day)


@deposit.command("lodge")
@friendly
def lodge(
    project: int = typer.Argument(...),
    amount: str = typer.Option(..., "--amount", help="yuan"),
    bank: str = typer.Option(..., "--bank"),
    guarantee: str = typer.Option(None, "--guarantee", help="a bank guarantee's number"),
    expires: str = typer.Option(None, "--expires", help="the guarantee's expiry, YYYY-MM-DD"),
    today: str = TODAY,
    operator: str = OPERATOR,
) -> None:
    """Lodge the deposit in cash, or by a bank guarantee (--guarantee and --expires)."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.lodge(
            s,
            project,
            form="guarantee" if guarantee else "cash",
            amount=amount,
            bank=bank,
            guarantee_no=guarantee,
            expires_on=_day(expires, "expires_on") if expires else None,
            by=_by(operator),
            today=day,
        )
        _show(s, project, day)


@deposit.command("draw")
@friendly
def draw(
    project: int = typer.Argument(...),
    amount: str = typer.Option(..., "--amount", help="yuan of confirmed arrears"),
    reference: str = typer.Option(..., "--reference", help="the complaint's or warning's no."),
    today: str = TODAY,
    operator: str = OPERATOR,
) -> None:
    """Draw on the deposit for confirmed arrears (never beyond the balance)."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.draw(s, project, amount=amount, reference=reference, by=_by(operator), today=day)
        _show(s, project, day)


@deposit.command("top-up")
@friendly
def top_up(
    project: int = typer.Argument(...),
    amount: str = typer.Option(..., "--amount"),
    today: str = TODAY,
    operator: str = OPERATOR,
) -> None:
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.top_up(s, project, amount=amount, by=_by(operator), today=day)
        _show(s, project, day)


@deposit.command("notice")
@friendly
def notice(
    project: int = typer.Argument(...), today: str = TODAY, operator: str = OPERATOR
) -> None:
    """Publish the return notice of a completed project's deposit."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.open_notice(s, project, by=_by(operator), today=day)
        _show(s, project, day)


@deposit.command("return")
@friendly
def give_back(
    project: int = typer.Argument(...), today: str = TODAY, operator: str = OPERATOR
) -> None:
    """Return the whole balance after the notice."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    day = _day(today)
    with session() as s:
        deposits.return_deposit(s, project, by=_by(operator), today=day)
        _show(s, project, day)


@deposit.command("overdue")
@friendly
def overdue(today: str = TODAY) -> None:
    """Every deposit past a deadline: project id and cause."""
    from minsheng.clikit import session
    from minsheng.wages import deposits

    with session() as s:
        rows = deposits.past_deadline(s, _day(today), _by("cli"))
        print_json([{"project_id": p, "cause": c} for p, c in rows])


@black.command("list")
@friendly
def listings(state: str = typer.Option(None, "--state")) -> None:
    """Every listing (newest first)."""
    from minsheng.clikit import session
    from minsheng.wages import blacklist

    with session() as s:
        print_json([blacklist.listing_out(r) for r in blacklist.queue(s, _by("cli"), state)])


@black.command("public")
@friendly
def public_list(today: str = TODAY) -> None:
    """The listings in force (what the public page shows)."""
    from minsheng.clikit import session
    from minsheng.wages import blacklist

    with session() as s:
        print_json(blacklist.public_listings(s, _day(today)))


@black.command("end-expired")
@friendly
def end_expired(today: str = TODAY, operator: str = OPERATOR) -> None:
    """End every listing whose term is over."""
    from minsheng.clikit import session
    from minsheng.wages import blacklist

    with session() as s:
        print_json({"ended": blacklist.end_expired(s, by=_by(operator), today=_day(today))})
