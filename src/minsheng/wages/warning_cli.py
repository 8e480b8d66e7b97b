"""``minsheng wages scan | warnings``: the monitoring scan (run nightly) and the open warnings."""

from __future__ import annotations

import typer

from minsheng.clikit import day_option, friendly, print_json, session
from minsheng.foundation.principals import system
from minsheng.wages import monitoring, warnings

app = typer.Typer(no_args_is_help=True)


@app.command("scan")
@friendly
def scan(
    region: str = typer.Option(
        "540000", "--region", help="division code (region, prefecture, county)"
    ),
    on: str = typer.Option(None, "--date", help="scan as of this date (default today)"),
) -> None:
    """农民工工资支付监控预警: scan every project, raise, escalate and resolve warnings."""
    day = day_option(on)
    with session() as s:
        r = monitoring.scan(s, day, system("scan"), region)
    print_json(r.as_dict())


@app.command("warnings")
@friendly
def list_open(
    region: str = typer.Option("540000", "--region"),
    level: str = typer.Option(None, "--level", help="blue | yellow | red"),
    cause: str = typer.Option(None, "--cause"),
    on: str = typer.Option(None, "--date", help="days overdue as of this date (default today)"),
) -> None:
    """The open warnings of a region, the most urgent first (at most 500)."""
    day = day_option(on)
    by = system("cli")
    with session() as s:
        rows, total = warnings.listing(s, by, level=level, cause=cause, region=region, limit=500)
        names = warnings.project_names(s, [w.project_id for w in rows])
        print_json(
            {
                "total": total,
                "warnings": [warnings.out(w, day, names.get(w.project_id)) for w in rows],
            }
        )
