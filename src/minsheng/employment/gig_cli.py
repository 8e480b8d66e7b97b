"""``minsheng employment`` commands: the digital gig market (数字零工市场): short jobs,
apply, check-in, completion, pay confirmed."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
