"""``minsheng pensions recovery …``: settle a death and work the recovery queue (追回多发养老金)
— list, show, notify, repay, propose a write-off, decide it. ``--operator`` names who acts:
a write-off is decided by another operator than the one who proposed it (maker–checker)."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import Principal, system

app = typer.Typer(
    help="Death settlement and overpayment recovery 追回多发养老金", no_args_is_help=True
)

OPERATOR = typer.Option("cli", "--operator", help="who acts (recorded on the case's events)")


def _by(operator: str) -> Principal:
    return system(operator)


@app.command("settle-death")
@friendly
def settle_death(
    person: int = typer.Argument(..., help="person id"),
    died_on: str = typer.Option(..., "--died-on", help="the day of death, YYYY-MM-DD"),
    operator: str = OPERATOR,
) -> None:
    """Terminate the award, compute the overpayment, funeral grant, survivors' allowance and
    inheritable balance, and deduct the overpayment from them (idempotent)."""
    from minsheng.clikit import session
    from minsheng.core.errors import invalid
    from minsheng.pensions import death

    try:
        day = dt.date.fromisoformat(died_on)
    except ValueError:
        raise invalid(
            "died_on", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None
    with session() as s:
        print_json(death.settle_death(s, person, day, _by(operator)).to_dict())


@app.command("list")
@friendly
def list_cases(
    state: str = typer.Option(None, "--state", help="a state (default: the open cases)"),
) -> None:
    """The recovery queue, oldest first."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        print_json([recovery.recovery_out(r) for r in recovery.queue(s, _by("cli"), state)])


@app.command("show")
@friendly
def show(case: int = typer.Argument(..., help="recovery case id")) -> None:
    """One case with its history."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        rec = recovery.load_case(s, case, _by("cli"))
        events = [recovery.event_out(e) for e in recovery.events_of(s, rec)]
        print_json({**recovery.recovery_out(rec), "events": events})


@app.command("notify")
@friendly
def notify(
    case: int = typer.Argument(..., help="recovery case id"),
    note: str = typer.Option(None, "--note"),
    operator: str = OPERATOR,
) -> None:
    """The heirs were told in writing; the repayment deadline starts."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        print_json(recovery.recovery_out(recovery.notify(s, case, _by(operator), note)))


@app.command("repay")
@friendly
def repay(
    case: int = typer.Argument(..., help="recovery case id"),
    amount: str = typer.Option(..., "--amount", help="yuan repaid by an heir"),
    note: str = typer.Option(None, "--note"),
    operator: str = OPERATOR,
) -> None:
    """Record an heir's repayment."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        print_json(recovery.recovery_out(recovery.repay(s, case, amount, _by(operator), note)))


@app.command("write-off")
@friendly
def write_off(
    case: int = typer.Argument(..., help="recovery case id"),
    reason: str = typer.Option(..., "--reason", help="why it cannot be recovered"),
    operator: str = OPERATOR,
) -> None:
    """Propose writing off what is still owed."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        rec = recovery.propose_write_off(s, case, reason, _by(operator))
        print_json(recovery.recovery_out(rec))


@app.command("decide")
@friendly
def decide(
    case: int = typer.Argument(..., help="recovery case id"),
    approve: bool = typer.Option(..., "--approve/--refuse", help="approve or refuse"),
    reason: str = typer.Option(None, "--reason"),
    operator: str = OPERATOR,
) -> None:
    """Approve or refuse a proposed write-off (another operator than the proposer)."""
    from minsheng.clikit import session
    from minsheng.pensions import recovery

    with session() as s:
        rec = recovery.decide_write_off(s, case, approve, _by(operator), reason)
        print_json(recovery.recovery_out(rec))
