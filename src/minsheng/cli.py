"""The command line: ``minsheng serve | db | id | person | params | demo``.

Entrypoints hold no business logic: each command parses its arguments, calls a package's
service, prints JSON (or a table), and turns a :class:`MinshengError` into a message naming the
field and the rule, and exit code 1.
"""

from __future__ import annotations

import datetime as dt
import sys

import typer

from minsheng.clikit import engine, friendly, print_json
from minsheng.core.errors import MinshengError

app = typer.Typer(help="Minsheng 民生 — people's-livelihood platform", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations)", no_args_is_help=True)
id_app = typer.Typer(
    help="Identifiers: resident ID, credit code, facility code", no_args_is_help=True
)
params_app = typer.Typer(help="Policy parameters", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(id_app, name="id")
app.add_typer(params_app, name="params")

PACK_OPTION = typer.Option(
    [],
    "--region-pack",
    help="a region pack folder (pack.yaml + overlays/ + parameters/); repeatable; "
    "added to MINSHENG_REGION_PACKS",
)


def _packs(directories: list[str]) -> None:
    """Load the region packs beside Tibet's files (all or nothing) for this command."""
    if directories:
        from minsheng.policy.packs import use_packs

        use_packs(directories)


# ------------------------------------------------------------------------------ serve, db


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    workers: int = typer.Option(
        1, min=1, help="worker processes (PostgreSQL; see docs/operations.md, Several workers)"
    ),
    access_log: bool = typer.Option(True, help="log every request (redacted, like every log)"),
    region_pack: list[str] = PACK_OPTION,
) -> None:
    """Serve the platform (API, pages, /docs, /healthz). The schema must be up to date."""
    import uvicorn
    from alembic.script import ScriptDirectory

    from minsheng.clikit import fail
    from minsheng.db import alembic_config, current_revision

    try:
        _packs(region_pack)  # checked before anything starts; the workers inherit them
    except MinshengError as err:
        fail(err)

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    db = engine()
    current = current_revision(db)
    if current != head:
        typer.echo(
            f"数据库结构不是最新（当前 {current}，应为 {head}）：请先运行 `minsheng db upgrade`\n"
            f"the database schema is at {current}, not {head}: run `minsheng db upgrade` first\n"
            "གཞི་གྲངས་མཛོད་ཀྱི་སྒྲིག་གཞི་གསར་ཤོས་མིན། སྔོན་ལ་ `minsheng db upgrade` བཀོལ་རོགས།",
            err=True,
        )
        raise typer.Exit(1)
    if workers > 1 and db.dialect.name == "sqlite":
        typer.echo(
            f"注意：SQLite 只有一个写入者，{workers} 个进程的写操作依次排队（读可并行）；"
            "多进程请用 PostgreSQL\n"
            f"note: SQLite has one writer — the writes of the {workers} processes queue one "
            "after another (reads run side by side); for several workers use PostgreSQL\n"
            "དྲན་བརྡ། SQLite ལ་འབྲི་མཁན་གཅིག་ལས་མེད། ལས་རིམ་མང་པོར་ PostgreSQL བེད་སྤྱོད་གནང་།",
            err=True,
        )
    typer.echo(f"Minsheng 民生 → http://{host}:{port}  (docs: /docs, health: /healthz)")
    uvicorn.run(
        "minsheng.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        proxy_headers=False,  # X-Forwarded-For only from MINSHENG_TRUSTED_PROXIES (auth/web.py)
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from minsheng.db import current_revision, upgrade

    e = engine()
    upgrade(e, revision)
    typer.echo(f"schema at {current_revision(e)} ({e.dialect.name})")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (``base`` for none)."""
    from minsheng.db import current_revision, downgrade

    e = engine()
    downgrade(e, revision)
    typer.echo(f"schema at {current_revision(e)}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision."""
    from minsheng.db import current_revision

    typer.echo(current_revision(engine()) or "(empty)")


# ------------------------------------------------------------------------------ ids, params


@id_app.command("check")
def id_check(value: str) -> None:
    """Parse VALUE (resident ID, credit code or facility code).

    Prints the parsed fields as JSON and exits 0, or the failed rule and exits 1.
    """
    from minsheng.core import ids

    try:
        kind, fields = ids.check_any(value)
    except MinshengError as err:
        print_json(
            {"valid": False, "field": err.field, "rule": err.rule, "zh": err.zh, "en": err.en}
        )
        raise typer.Exit(1) from None
    print_json({"valid": True, "kind": kind, **fields})


@params_app.command("show")
@friendly
def params_show(
    path: str,
    date: str = typer.Option(None, help="YYYY-MM-DD (default: today)"),
    region: str = typer.Option(None, help="division code of the pooling region"),
    overlay: str = typer.Option(None, "--params", help="a reform overlay YAML"),
    region_pack: list[str] = PACK_OPTION,
) -> None:
    """Show the value of PATH in force on a date in a region, with its source."""
    from minsheng.policy import load
    from minsheng.policy.scale import MarginalRateScale

    _packs(region_pack)
    tree = load()
    if overlay:
        tree = tree.with_overlay(overlay)
    day = dt.date.fromisoformat(date) if date else dt.date.today()
    snap = tree.at(day, region)
    if isinstance(tree.get(path), MarginalRateScale):
        scale = snap.scale(path)
        print_json({**scale.to_dict(), "parts": [i.to_dict() for i in scale.infos]})
    else:
        print_json(snap.info(path).to_dict())


@params_app.command("list")
@friendly
def params_list(
    assumed: bool = typer.Option(False, help="only leaves with an assumed value"),
    region_pack: list[str] = PACK_OPTION,
) -> None:
    """List every parameter leaf with its unit and status."""
    from minsheng.policy import load

    _packs(region_pack)

    for leaf in load().leaves():
        statuses = sorted({e.status for e in leaf.entries})
        if assumed and "assumed" not in statuses:
            continue
        typer.echo(f"{leaf.path}\t{leaf.unit}\t{'/'.join(statuses)}")


@params_app.command("test")
@friendly
def params_test(
    files: list[str] = typer.Argument(
        ..., help="worked-example YAML files or folders (and subfolders)"
    ),
    region_pack: list[str] = PACK_OPTION,
) -> None:
    """Run published worked examples against the configuration: each miss with its diff."""
    import importlib

    from minsheng.policy.examples import read_examples

    _packs(region_pack)

    failed = 0
    examples = read_examples(files)
    for ex in examples:
        runner = importlib.import_module(f"minsheng.{ex.programme}.examples")
        misses = runner.run(ex)
        mark = "✗" if misses else "✓"
        typer.echo(f"{mark} {ex.name} ({ex.programme}) {ex.description}".rstrip())
        for miss in misses:
            typer.echo(f"    {miss.line()}")
        if misses:
            typer.echo(f"    {ex.source}" + (f" — {ex.reference}" if ex.reference else ""))
        failed += bool(misses)
    typer.echo(f"{len(examples) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@params_app.command("check")
@friendly
def params_check(
    region_pack: list[str] = typer.Argument(..., help="region pack folders"),
) -> None:
    """Check region packs against the shipped files: every problem with its file, parameter
    path and rule (exit 1), or what each pack changes (exit 0). Nothing is applied."""
    from minsheng.policy.packs import apply_packs, read_pack
    from minsheng.policy.parameters import load_tree

    apply_packs(load_tree(), region_pack)  # every problem of every pack, or none
    for d in region_pack:
        pack = read_pack(d)
        typer.echo(f"✓ {pack.name} → {pack.region}: {pack.changes} changes ({pack.directory})")
        for o in pack.overlays:
            for path in o.changes:
                typer.echo(f"    {path}\t{o.origin}")


def register_programmes(target: typer.Typer) -> None:
    """Add every registered programme's and service's commands (``minsheng.programmes``) to
    ``target``, in registry order; names already there are left alone."""
    from minsheng import programmes

    present = {g.name for g in target.registered_groups}
    for p in programmes.registered():
        for name, ref in p.cli:
            if name not in present:
                target.add_typer(programmes.resolve(ref), name=name)
                present.add(name)


def _register_packages() -> None:
    from minsheng.demo.cli import app as demo_app

    register_programmes(app)  # the case engine's ``cases`` too: a shared service of the seam
    app.add_typer(demo_app, name="demo")  # tools, not a programme: the demonstration seed


_register_packages()


def main() -> None:
    from minsheng.config import ConfigError, tune_gc

    try:
        tune_gc()
    except ConfigError as err:
        typer.echo(f"配置错误 configuration error ནོར་འཁྲུལ།: {err}", err=True)
        sys.exit(1)
    try:
        app()
    except MinshengError as err:  # pragma: no cover - commands catch their own
        typer.echo(str(err), err=True)
        sys.exit(1)
