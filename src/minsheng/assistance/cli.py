"""``minsheng assistance payroll | scan | propose-standard``."""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.assistance import monitoring, payroll, rolls, standards
from minsheng.clikit import friendly, print_json, session
from minsheng.core import money
from minsheng.foundation.principals import system

app = typer.Typer(help="Social assistance 社会救助", no_args_is_help=True)


@app.command("payroll")
@friendly
def run_payroll(
    month: str = typer.Argument(..., help="YYYY-MM"),
    region: str = typer.Option(..., "--region", help="division code (region, prefecture, county)"),
) -> None:
    """Pay the month in a region: this run's bank transfer file and the month's roll (CSV), in
    <data dir>/payroll (owner-only). Re-running pays nobody twice: only what became due since is
    added, and a run a crash left unfinished is finished first (in its own file)."""
    from minsheng.config import Settings
    from minsheng.db import make_engine, make_sessionmaker, unit_of_work

    settings = Settings.from_env()
    directory = payroll.files_dir(settings.data_dir)
    factory = make_sessionmaker(make_engine(settings.database_url))
    r = payroll.issue(factory, month, region, system("cli"), directory)
    with unit_of_work(factory) as s:
        roll = rolls.write_roll(s, r.month, r.region, directory)
    print_json(
        {
            "month": r.month,
            "region": r.region,
            "run_id": r.run_id,
            "state": r.state,
            "new_payments": len(r.new),
            "new_total": money.to_str(r.new_total),
            "already_paid": r.already_paid,
            "month_payments": len(r.all_payments),
            "month_total": money.to_str(r.total),
            "roll": str(roll),
            "bank_file": str(directory / r.file_name) if r.file_name else None,
            "digest": r.digest,
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
