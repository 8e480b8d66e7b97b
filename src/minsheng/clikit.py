"""Helpers shared by the command-line modules of every package."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError, invalid

F = TypeVar("F", bound=Callable[..., Any])


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(err: MinshengError) -> None:
    """Print a user error naming the field and the rule, in Chinese and English; exit 1."""
    typer.echo(f"错误 error [{err.rule}] {err.field}: {err.zh} / {err.en}", err=True)
    for extra in err.more:
        typer.echo(f"  [{extra.rule}] {extra.field}: {extra.zh} / {extra.en}", err=True)
    raise typer.Exit(1)


def friendly(fn: F) -> F:
    """Turn user errors into a clear message and exit code 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MinshengError as err:
            fail(err)

    return wrapper  # type: ignore[return-value]


def engine() -> Engine:
    from minsheng.config import Settings
    from minsheng.db import make_engine

    return make_engine(Settings.from_env().database_url)


@contextmanager
def session() -> Iterator[Session]:
    from minsheng.db import make_sessionmaker, unit_of_work

    with unit_of_work(make_sessionmaker(engine())) as s:
        yield s


def day_option(on: str | None, field: str = "date") -> dt.date:
    """A ``--date YYYY-MM-DD`` option's day (today when not given), or a 422 naming ``field``."""
    if not on:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(on)
    except ValueError:
        raise invalid(
            field,
            "date",
            "日期格式应为 YYYY-MM-DD",
            "the date is YYYY-MM-DD",
            bo="ཚེས་གྲངས་ YYYY-MM-DD བྲིས་དགོས།",
        ) from None
