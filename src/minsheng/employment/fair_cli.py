"""``minsheng employment`` commands: job fairs (招聘会): booths, allocation, on-site
check-in, interviews, the report."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
