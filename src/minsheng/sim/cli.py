"""``minsheng sim population`` and ``minsheng sim run``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from minsheng.clikit import friendly, print_json
from minsheng.core import divisions, money
from minsheng.core.errors import invalid
from minsheng.sim import population, runner

app = typer.Typer(
    help="Policy analysis 政策分析: synthetic population and what-if runs", no_args_is_help=True
)
DEFAULT_DIR = Path("var/sim/population")
LABELS = {
    "medical_basic": "基本医保 basic medical insurance",
    "medical_critical": "大病保险/大额补助 critical illness",
    "medical_assistance": "医疗救助 medical assistance",
    "medical_tilted": "倾斜救助 tilted medical assistance",
    "medical_commercial": "商业补充医疗保险 commercial supplementary insurance",
    "dibao": "低保 minimum living allowance",
    "tekun": "特困 extreme-poverty support",
    "person_benefits": "残疾/高龄补贴 person benefits",
    "resident_pension": "城乡居民养老金 resident pension",
    "employee_pension": "职工养老金 employee pension",
    "government_paid_premiums": "政府代缴保费 government-paid premiums",
    "tier_subsidies": "缴费补贴 contribution subsidies",
}


def _bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
    )


@app.command("population")
@friendly
def make_population(
    people: int = typer.Option(3_650_000, "--people", min=1, max=50_000_000),
    seed: int = typer.Option(1, "--seed"),
    year: int = typer.Option(dt.date.today().year, "--year", min=2020, max=2100),
    out: Path = typer.Option(DEFAULT_DIR, "--out"),
    partition_size: int = typer.Option(250_000, "--partition-size", min=1000),
) -> None:
    """Synthesise a region-sized population with a year of medical bills (Parquet)."""
    with _bar() as bar:
        task = bar.add_task("people", total=people)
        meta = population.write(
            out, people, seed, year, partition_size, lambda d, t: bar.update(task, completed=d)
        )
    print_json({**meta, "directory": str(out)})


def load_reform(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise invalid(
            "reform", "yaml", f"改革文件不是有效的YAML：{err}", f"not valid YAML: {err}"
        ) from None
    if not isinstance(data, dict):
        raise invalid(
            "reform", "overlay_format", "改革文件格式不正确", "a reform file is a mapping"
        )
    return data


@app.command("run")
@friendly
def run(
    reform: Path = typer.Option(None, "--reform", exists=True, dir_okay=False, help="overlay YAML"),
    directory: Path = typer.Option(DEFAULT_DIR, "--population"),
    as_of: str = typer.Option(None, "--as-of", help="rules in force on this date"),
    workers: int = typer.Option(
        0, "--dask-workers", min=0, help="a local Dask cluster of N workers"
    ),
    scheduler: str = typer.Option(None, "--scheduler", help="address of a Dask scheduler"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
) -> None:
    """Baseline and reform of every programme over the whole population."""
    data = load_reform(reform) if reform else None
    day = dt.date.fromisoformat(as_of) if as_of else None
    client: Any = None
    cluster: Any = None
    if scheduler:
        from distributed import Client

        client = Client(scheduler)  # type: ignore[no-untyped-call]
    elif workers:
        cluster, client = runner.local_cluster(workers)
    try:
        with _bar() as bar:
            task = bar.add_task("partitions", total=1)
            result = runner.run(
                directory,
                data,
                reform.stem if reform else "reform",
                day,
                client,
                lambda d, t: bar.update(task, completed=d, total=t),
            )
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if as_json:
        print_json(result)
    else:
        show(result)


def show(r: dict[str, Any]) -> None:
    c = Console()
    pop = r["population"]
    c.print(
        f"[bold]{pop['people']:,}[/] people in {pop['households']:,} households · rules of "
        f"{r['as_of']} · {r['seconds']} s on {r['workers']} worker(s)"
    )
    t = Table(title="Yearly cost by programme 各项目年度支出")
    for col in ("programme", "baseline", "reform", "change", "beneficiaries (households)"):
        t.add_column(col, justify="left" if col == "programme" else "right")
    for p in r["programmes"]:
        t.add_row(
            LABELS[p["programme"]],
            money.fmt(p["baseline"]),
            money.fmt(p["reform"]),
            money.fmt(p["change"]),
            f"{p['beneficiaries_baseline']:,} → {p['beneficiaries_reform']:,}",
        )
    tot = r["total"]
    t.add_row(
        "total 合计",
        money.fmt(tot["baseline"]),
        money.fmt(tot["reform"]),
        money.fmt(tot["change"]),
        "",
    )
    c.print(t)
    t = Table(title="Change by prefecture 按地市")
    t.add_column("prefecture")
    t.add_column("change", justify="right")
    for code, v in r["by_prefecture"].items():
        t.add_row(divisions.get(code).name("zh"), money.fmt(v["reform"] - v["baseline"]))
    c.print(t)
    w, lo = r["winners"], r["losers"]
    gain, loss = money.fmt(w["gain"]), money.fmt(lo["loss"])
    c.print(
        f"winners 受益家庭 {w['households']:,} (+{gain}) · "
        f"losers 受损家庭 {lo['households']:,} (−{loss})"
    )
    t = Table(title="By income decile 按收入十分位 (per-capita household income)")
    for col in ("decile", "households", "change per household"):
        t.add_column(col, justify="right")
    for d in r["deciles"]:
        t.add_row(str(d["decile"]), f"{d['households']:,}", money.fmt(d["change_per_household"]))
    c.print(t)
