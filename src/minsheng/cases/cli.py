"""``minsheng cases workflows``: every programme's state tables, as data a reader can print."""

from __future__ import annotations

import json

import typer

from minsheng.cases.engine import Workflow, workflows

app = typer.Typer(help="Case engine 案件: workflows, states and steps", no_args_is_help=True)


@app.callback()
def cases() -> None:
    """Case engine 案件: the workflows every programme's queues follow."""


COLUMNS = ("action", "from", "to", "permission", "not_by", "reason", "deadline")


def render(flow: Workflow, lang: str = "en") -> str:
    """One workflow as text: its states, then one line per step."""
    i = {"zh": 0, "bo": 1, "en": 2}.get(lang, 2)
    lines = [f"{flow.name} — {flow.title[i]}"]
    states = []
    for s in flow.states:
        mark = " (open)" if s.open else " (final)" if s.final else ""
        states.append(f"{s.name}{mark}")
    lines.append(
        f"  starts in: {flow.initial}" + (f"; {flow.start_deadline}" if flow.start_deadline else "")
    )
    lines.append(f"  states: {', '.join(states)}")
    rows = flow.table(lang)
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS if c != "deadline"}
    head = "  " + "  ".join(c.ljust(widths[c]) for c in COLUMNS if c != "deadline") + "  deadline"
    lines.append(head)
    for r in rows:
        cells = "  ".join(r[c].ljust(widths[c]) for c in COLUMNS if c != "deadline")
        lines.append(f"  {cells}  {r['deadline']}".rstrip())
    return "\n".join(lines)


@app.command("workflows")
def list_workflows(
    name: str = typer.Argument("", help="one workflow (e.g. assistance.case); default: all"),
    lang: str = typer.Option("en", "--lang", help="zh, bo or en (titles)"),
    as_json: bool = typer.Option(False, "--json", help="the tables as JSON"),
) -> None:
    """Print each workflow's states and its table of steps: from which states, to which, the
    permission it needs, who may not take it (maker–checker), whether it needs a reason, and
    the deadline it sets."""
    flows = [f for f in workflows() if not name or f.name == name]
    if not flows:
        typer.echo(f"no workflow named {name!r}", err=True)
        raise typer.Exit(1)
    if as_json:
        out = [
            {
                "name": f.name,
                "initial": f.initial,
                "states": [{"name": s.name, "open": s.open, "final": s.final} for s in f.states],
                "steps": f.table(lang),
            }
            for f in flows
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    typer.echo("\n\n".join(render(f, lang) for f in flows))
