"""`minsheng wages` commands: complaint (filled by its area)."""

import typer

app = typer.Typer(no_args_is_help=True)
