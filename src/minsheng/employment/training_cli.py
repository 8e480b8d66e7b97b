"""``minsheng employment`` commands: vocational training (职业培训): programmes,
enrolment, attendance, certificates, subsidy, placement."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
