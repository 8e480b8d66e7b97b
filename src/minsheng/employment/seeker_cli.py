"""``minsheng employment`` commands: job seekers (求职登记): registration from the
registry, profile, status history, re-confirmation."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
