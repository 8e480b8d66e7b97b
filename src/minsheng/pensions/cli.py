"""``minsheng pensions retirement …`` and ``minsheng pensions estimate FILE``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from minsheng.clikit import friendly, print_json
from minsheng.core.errors import invalid
from minsheng.pensions import estimate as estimates
from minsheng.pensions import rules

app = typer.Typer(help="Social insurance and pensions 社会保险与养老", no_args_is_help=True)


def _tree(params: Path | None):  # type: ignore[no-untyped-def]
    from minsheng.policy import load

    return load().with_overlay(params) if params else load()


@app.command("retirement")
@friendly
def retirement(
    birth: str = typer.Option(..., "--birth", help="birth month, YYYY-MM"),
    sex: str = typer.Option(..., "--sex", help="male | female"),
    category: str = typer.Option("worker", "--category", help="worker | cadre | female-worker-50"),
    as_of: str = typer.Option(None, "--as-of", help="rules in force on this date (default: today)"),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
) -> None:
    """The statutory retirement month, the age then, and the minimum contribution months."""
    born = estimates.month_of(birth, "birth")
    today = dt.date.today()
    if born > rules.month_index(today.year, today.month):
        raise invalid(
            "birth", "future", "出生月份不能晚于本月", "the birth month cannot be in the future"
        )
    on = estimates.date_of(as_of, "as_of") if as_of else today
    p = rules.PensionParams.from_snapshot(_tree(params).at(on))
    print_json(rules.retirement(p, born, sex, category).to_dict())


@app.command("estimate")
@friendly
def estimate(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="a contribution history as JSON (docs/pensions.md)"
    ),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
    region: str = typer.Option(None, "--region", help="division code whose parameters apply"),
) -> None:
    """The monthly pension from a contribution history, with its parts and the account."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise invalid("file", "json", f"不是有效的JSON：{err}", f"not valid JSON: {err}") from None
    print_json(estimates.estimate(_tree(params), data, region).to_dict())
