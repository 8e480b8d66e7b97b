"""``minsheng assistance payroll | scan | propose-standard``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from minsheng.assistance import monitoring, payroll, standards
from minsheng.auth.permissions import system
from minsheng.clikit import friendly, print_json, session
from minsheng.core import money

app = typer.Typer(help="Social assistance 社会救助", no_args_is_help=True)


@app.command("payroll")
@friendly
def run_payroll(
    month: str = typer.Argument(..., help="YYYY-MM"),
    region: str = typer.Option(..., "--region", help="division code (region, prefecture, county)"),
    out: Path = typer.Option(Path("var/payroll"), "--out", help="directory for the files"),
) -> None:
    """Pay the month in a region: writes the roll (CSV) and this run's bank transfer file.
    Re-running pays nobody twice: only what became due since is added."""
    with session() as s:
        r = payroll.run(s, month, region, system("cli"))
        roll, bank = payroll.write_files(s, r, out)
    print_json(
        {
            "month": r.month,
            "region": r.region,
            "run_id": r.run_id,
            "new_payments": len(r.new),
            "new_total": money.to_str(r.new_total),
            "already_paid": r.already_paid,
            "month_payments": len(r.all_payments),
            "month_total": money.to_str(r.total),
            "roll": str(roll),
            "bank_file": str(bank),
        }
    )


@app.command("scan")
@friendly
def scan(
    region: str = typer.Option("540000", "--region"),
    on: str = typer.Option(None, "--date", help="scan as of this date (default today)"),
) -> None:
    """低收入人口动态监测预警: scan every household and queue new warnings (run nightly)."""
    day = dt.date.fromisoformat(on) if on else None
    with session() as s:
        r = monitoring.scan(s, system("scan"), region, day)
    print_json(
        {
            "households": r.households,
            "raised": r.raised,
            "already_known": r.already_known,
            "seconds": round(r.seconds, 3),
        }
    )


@app.command("propose-standard")
@friendly
def propose_standard(
    year: int = typer.Option(..., "--year", min=2000, max=2100),
    region: str = typer.Option("540000", "--region"),
) -> None:
    """Propose next year's 低保 standards from per-capita consumption, with the cost (fen)."""
    with session() as s:
        print_json(standards.propose(s, year, region))
