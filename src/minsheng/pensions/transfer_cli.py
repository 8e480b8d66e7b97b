"""``minsheng pensions transfer-case …``: stored transfers (转移接续, 城乡衔接) — open one for a
person from the JSON of ``minsheng pensions transfer FILE`` with an idempotency key, take a step
(confirm, send, receive, refuse), show one with its history, list the queue.
``--operator`` names who acts (recorded on the transfer's events)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import Principal, system

app = typer.Typer(help="Stored pension transfers 养老保险关系转移接续", no_args_is_help=True)

OPERATOR = typer.Option("cli", "--operator", help="who acts (recorded on the events)")


def _by(operator: str) -> Principal:
    return system(operator)


def _read(path: Path) -> object:
    from minsheng.core.errors import invalid

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise invalid(
            "file", "json", "无法读取JSON文件", "the file cannot be read as JSON", "ཡིག་ཆ་ཀློག་མི་ཐུབ།"
        ) from None


@app.command("open")
@friendly
def open_case(
    person: int = typer.Argument(..., help="person id"),
    file: Path = typer.Argument(..., help="the transfer request (JSON)"),
    key: str = typer.Option(..., "--key", help="idempotency key (8–64 characters)"),
    operator: str = OPERATOR,
) -> None:
    """Open a transfer (the same key again shows the same transfer)."""
    from minsheng.clikit import session
    from minsheng.core.errors import invalid
    from minsheng.pensions import transfer_cases as tc

    data = _read(file)
    if not isinstance(data, dict):
        raise invalid("file", "object", "文件应为JSON对象", "the file must be a JSON object")
    with session() as s:
        print_json(tc.out(tc.open_transfer(s, person, data, key, _by(operator))))


@app.command("step")
@friendly
def step(
    transfer: int = typer.Argument(..., help="transfer id"),
    action: str = typer.Argument(..., help="confirm, send, receive or refuse"),
    day: str = typer.Option(None, "--day", help="the day it was done, YYYY-MM-DD (today)"),
    reason: str = typer.Option(None, "--reason", help="the reason (refuse)"),
    operator: str = OPERATOR,
) -> None:
    """Take a step of a transfer."""
    from minsheng.clikit import session
    from minsheng.core.errors import invalid
    from minsheng.pensions import transfer_cases as tc

    try:
        when = dt.date.fromisoformat(day) if day else None
    except ValueError:
        raise invalid("day", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD") from None
    with session() as s:
        t = tc.take_step(s, transfer, action, _by(operator), day=when, reason=reason)
        print_json(tc.out(t))


@app.command("show")
@friendly
def show(transfer: int = typer.Argument(..., help="transfer id")) -> None:
    """One transfer with its steps, deadlines and history."""
    from minsheng.clikit import session
    from minsheng.pensions import transfer_cases as tc

    with session() as s:
        t = tc.load(s, transfer, _by("cli"))
        print_json({**tc.out(t), "events": tc.events(s, t)})


@app.command("list")
@friendly
def list_cases(
    state: str = typer.Option("", "--state", help="a state (default: the open ones)"),
) -> None:
    """The transfer queue, overdue first."""
    from minsheng.clikit import session
    from minsheng.pensions import transfer_cases as tc

    today = dt.date.today()
    with session() as s:
        q, _ = tc.queue_query(_by("cli"), state, today)
        print_json([tc.out(t, today) for t in s.scalars(q.limit(500))])
