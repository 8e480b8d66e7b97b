"""``minsheng employment`` commands: precision matching (精准推介) and the full-text
search over vacancies and profiles."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
