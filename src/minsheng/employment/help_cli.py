"""``minsheng employment`` commands: hard-to-employ people (就业困难人员) and one-to-one
help (一对一帮扶) on the case engine."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
