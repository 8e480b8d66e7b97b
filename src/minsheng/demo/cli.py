"""``minsheng demo seed``: a synthetic population for demonstrations."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from minsheng.clikit import engine, friendly, print_json

app = typer.Typer(help="Demonstration data", no_args_is_help=True)


@app.command("seed")
@friendly
def seed_command(
    people: int = typer.Option(2000, min=1, max=5_000_000, help="how many people"),
    seed: int = typer.Option(1, help="random seed: the same seed gives the same population"),
    if_empty: bool = typer.Option(False, help="do nothing (exit 0) if people are registered"),
) -> None:
    """Generate a deterministic synthetic population of the 7 prefectures."""
    from sqlalchemy import func, select

    from minsheng.demo.population import seed as run_seed
    from minsheng.registry.models import Person

    e = engine()
    with e.connect() as conn:
        existing = conn.scalar(select(func.count(Person.id))) or 0
    if existing and if_empty:
        typer.echo(f"registry already holds {existing:,} people; demo seed skipped")
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows"),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("generating", total=people)

        def progress(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"writing {table}", completed=done, total=total)

        report = run_seed(e, people=people, seed=seed, progress=progress)
    from minsheng.demo.assistance import seed_assistance

    assistance = seed_assistance(e, seed=seed)
    from minsheng.demo.pensions import seed_pensions

    pensions = seed_pensions(e, seed=seed)
    from minsheng.demo.wages import seed_wages

    wages = seed_wages(e, seed=seed)
    from minsheng.demo.employment import seed_employment

    employment = seed_employment(e, seed=seed)
    from minsheng.clikit import session
    from minsheng.foundation import audit
    from minsheng.foundation.principals import system

    with session() as s:
        audit.record(s, system("demo"), "seed", "person", None, None, report.to_dict())
    print_json(
        {
            **report.to_dict(),
            "assistance": assistance,
            "pensions": pensions,
            "wages": wages,
            "employment": employment,
        }
    )


DEMO_USERS = [  # username, role, region, display name
    ("admin", "admin", "540000", "系统管理员"),
    ("supervisor", "supervisor", "540000", "自治区主管"),
    ("analyst", "analyst", "540000", "政策分析员"),
    ("auditor", "auditor", "540000", "审计员"),
    ("lhasa.caseworker", "caseworker", "540100", "拉萨市经办人员"),
    ("shigatse.caseworker", "caseworker", "540200", "日喀则市经办人员"),
    ("chengguan.cashier", "cashier", "540102", "城关区医院收费员"),
]
DEMO_PASSWORD = "minsheng-demo"


@app.command("users")
@friendly
def demo_users(
    password: str = typer.Option(DEMO_PASSWORD, help="password for every demo account"),
    if_missing: bool = typer.Option(False, help="skip accounts that exist"),
) -> None:
    """Create the demo staff accounts (one per role; README lists them)."""
    from sqlalchemy import select

    from minsheng.auth import users
    from minsheng.auth.models import User
    from minsheng.clikit import session
    from minsheng.foundation.principals import system

    made = []
    with session() as s:
        for username, role, region, name in DEMO_USERS:
            if if_missing and s.scalar(select(User.id).where(User.username == username)):
                continue
            users.create_user(s, system("demo"), username, password, role, region, name)
            made.append(username)
    print_json({"created": made, "password": password if made else None})
