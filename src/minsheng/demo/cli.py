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
    print_json(report.to_dict())
