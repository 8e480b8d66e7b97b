"""``minsheng medical settle FILE [--preview] [--params OVERLAY.yaml]``."""

from __future__ import annotations

import json
import sys
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
        None, exists=True, dir_okay=False, help="a bill as JSON (docs/medical.md)"
    ),
    preview: bool = typer.Option(False, "--preview", help="预结算: compute without posting"),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML to settle under"),
    key: str = typer.Option(None, "--key", help="idempotency key"),
    batch: Path = typer.Option(
        None,
        "--batch",
        exists=True,
        dir_okay=False,
        help='JSON lines, one {"idempotency_key": …, "bill": {…}} a line (docs/formats.md)',
    ),
    out: Path = typer.Option(None, "--out", help="--batch: write the results here (JSON lines)"),
) -> None:
    """Settle one bill; print the split and its explanation as JSON (amounts in fen). With
    ``--batch FILE``: settle every line of FILE, in batches of MINSHENG_BATCH_MAX bills each in
    its own transaction, one result a line (exit 1 if any line was refused)."""
    from minsheng.policy import load

    if batch is not None:
        if file is not None or preview or params is not None or key is not None:
            raise invalid(
                "batch",
                "batch_alone",
                "--batch 不能与账单文件、--preview、--params 或 --key 同用",
                "--batch takes no bill file, --preview, --params or --key",
                bo="--batch དང་མཉམ་དུ་ཐོ་ཁྲ་དང་ --preview སོགས་བེད་སྤྱོད་མི་ཆོག",
            )
        raise typer.Exit(1 if _settle_file(batch, out) else 0)
    if file is None:
        raise invalid(
            "file",
            "file_required",
            "请给出账单文件（或 --batch 文件）",
            "give a bill file (or --batch FILE)",
            bo="ཐོ་ཁྲའི་ཡིག་ཆ་སྤྲོད་རོགས།",
        )
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


def _settle_file(path: Path, out: Path | None) -> int:
    """Settle a batch file; the number of lines refused."""
    from minsheng.clikit import engine
    from minsheng.config import Settings
    from minsheng.db import make_sessionmaker, unit_of_work
    from minsheng.medical import batch_io

    factory = make_sessionmaker(engine())
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:

        def write(line: str) -> None:
            sink.write(line + "\n")
            sink.flush()

        with path.open(encoding="utf-8") as lines:
            return batch_io.settle_lines(
                lines,
                system("cli"),
                Settings.from_env().batch_max,
                lambda: unit_of_work(factory),
                write,
            )
    finally:
        if out:
            sink.close()


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
