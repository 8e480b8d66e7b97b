"""``minsheng employment`` commands: employers' hire filings (用工登记备案) and
vacancies, checked before publication."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
