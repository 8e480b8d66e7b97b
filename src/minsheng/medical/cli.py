"""``minsheng medical settle FILE [--preview] [--params OVERLAY.yaml]``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic import ValidationError

from minsheng.clikit import friendly, print_json, session
from minsheng.core.errors import invalid
from minsheng.foundation.principals import system
from minsheng.medical import service
from minsheng.medical.schemas import BillIn

app = typer.Typer(help="Medical settlement 医疗保障结算", no_args_is_help=True)


@app.command("settle")
@friendly
def settle(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="a bill as JSON (docs/medical.md)"
    ),
    preview: bool = typer.Option(False, "--preview", help="预结算: compute without posting"),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML to settle under"),
    key: str = typer.Option(None, "--key", help="idempotency key"),
) -> None:
    """Settle one bill; print the split and its explanation as JSON (amounts in fen)."""
    from minsheng.policy import load

    try:
        bill = BillIn.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as err:
        raise invalid(
            "file", "bill_format", f"账单格式不正确：{err}", f"not a valid bill: {err}"
        ) from None
    tree = load().with_overlay(params) if params else None
    with session() as s:
        result = service.settle(
            s,
            bill,
            system("cli"),
            idempotency_key=key,
            preview=preview or params is not None,
            tree=tree,
        )
    print_json(result.model_dump(mode="json"))


@app.command("replay")
@friendly
def replay(
    year: int = typer.Option(..., "--year", min=2000, max=2100),
    as_of: str = typer.Option(
        None, "--as-of", help="rules in force on this date (default: year end)"
    ),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
) -> None:
    """Recompute a year of settled bills in one vectorised pass; compare with what was paid."""
    import datetime as dt

    from rich.progress import Progress

    from minsheng.policy import load

    tree = load().with_overlay(params) if params else None
    day = dt.date.fromisoformat(as_of) if as_of else None
    with Progress() as bar, session() as s:
        task = bar.add_task("replaying by pooling region", total=None)
        report = service.replay_year(
            s,
            year,
            day,
            tree,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    print_json(report)
