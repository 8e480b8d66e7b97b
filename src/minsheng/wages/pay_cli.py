"""`minsheng wages` commands: pay (工资支付).

- ``minsheng wages payroll YYYY-MM --project ID`` — build the month's pay sheet of every team
  of the project from attendance × rate (a sheet not yet fully paid is built again);
  ``--issue`` is the second step: the pay run from the dedicated account (总包代发), its bank
  file written in ``<data dir>/wages`` (owner-only). Re-running pays nobody twice.
- ``minsheng wages account open|transfer|file|show --project ID`` — the dedicated wage account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from minsheng.clikit import friendly, print_json
from minsheng.core import money
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
account_app = typer.Typer(help="农民工工资专用账户 dedicated wage account", no_args_is_help=True)
app.add_typer(account_app, name="account")


def _sheet_out(sheet: Any) -> dict[str, Any]:
    return {
        "sheet_id": sheet.id,
        "team_id": sheet.team_id,
        "month": sheet.month,
        "state": sheet.state,
        "total_fen": sheet.total,
    }


@app.command("payroll")
@friendly
def payroll(
    month: str = typer.Argument(..., help="YYYY-MM"),
    project: int = typer.Option(..., "--project", help="project id"),
    issue: bool = typer.Option(False, "--issue", help="pay the month's sheets"),
) -> None:
    """The month's pay sheets of a project (工资支付表); with --issue, the pay run."""
    from minsheng.config import Settings
    from minsheng.db import make_engine, make_sessionmaker, unit_of_work
    from minsheng.wages import pay, pay_run

    by = system("cli")
    settings = Settings.from_env()
    factory = make_sessionmaker(make_engine(settings.database_url))
    if issue:
        directory = pay_run.files_dir(settings.data_dir)
        print_json(pay_run.pay(factory, project, month, by, directory).to_dict())
        return
    with unit_of_work(factory) as s:
        sheets = pay.build_month(s, project, month, by)
        print_json(
            {"project_id": project, "month": month, "sheets": [_sheet_out(x) for x in sheets]}
        )


@account_app.command("open")
@friendly
def account_open(
    project: int = typer.Option(..., "--project"),
    bank: str = typer.Option(..., "--bank", help="开户银行"),
    number: str = typer.Option(..., "--number", help="账号 (stored encrypted)"),
    opened_on: str = typer.Option(..., "--opened-on", help="YYYY-MM-DD"),
) -> None:
    """Open the project's dedicated wage account."""
    from minsheng.clikit import session
    from minsheng.wages import pay_accounts

    with session() as s:
        a = pay_accounts.open_account(
            s, project, bank, number, dt.date.fromisoformat(opened_on), system("cli")
        )
        print_json({"account_id": a.id, "tail": a.account_tail, "opened_on": opened_on})


@account_app.command("file")
@friendly
def account_file(
    project: int = typer.Option(..., "--project"),
    filed_on: str = typer.Option(..., "--filed-on", help="YYYY-MM-DD"),
) -> None:
    """Record the account's filing with the labour bureau (备案)."""
    from minsheng.clikit import session
    from minsheng.wages import pay_accounts

    with session() as s:
        a = pay_accounts.file_account(s, project, dt.date.fromisoformat(filed_on), system("cli"))
        print_json({"account_id": a.id, "filed_on": filed_on})


@account_app.command("transfer")
@friendly
def account_transfer(
    project: int = typer.Option(..., "--project"),
    amount: str = typer.Option(..., "--amount", help="yuan"),
    reference: str = typer.Option(..., "--reference", help="bank reference (idempotent)"),
    paid_on: str = typer.Option(..., "--paid-on", help="YYYY-MM-DD"),
) -> None:
    """Record a labour-cost transfer from the developer (人工费用拨付)."""
    from minsheng.clikit import session
    from minsheng.wages import pay_accounts

    with session() as s:
        t, new = pay_accounts.record_transfer(
            s,
            project,
            dt.date.fromisoformat(paid_on),
            money.parse(amount),
            reference,
            system("cli"),
        )
        print_json({"transfer_id": t.id, "new": new, "amount_fen": t.amount})


@account_app.command("show")
@friendly
def account_show(project: int = typer.Option(..., "--project")) -> None:
    """The account, its deadlines and balance."""
    from minsheng.clikit import session
    from minsheng.wages import access, pay_accounts

    with session() as s:
        p = access.get_project(s, project, system("cli"))
        st = pay_accounts.account_status(s, p, dt.date.today())
        print_json(
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in st.__dict__.items()}
        )
