"""``minsheng employment``: each area's commands (``*_cli.py``) mounted as one Typer app."""

import typer

from minsheng.employment import (
    fair_cli,
    gig_cli,
    help_cli,
    match_cli,
    seeker_cli,
    training_cli,
    vacancy_cli,
)

app = typer.Typer(no_args_is_help=True, help="就业服务 employment services")
for _area in (seeker_cli, vacancy_cli, match_cli, fair_cli, gig_cli, training_cli, help_cli):
    for _command in _area.app.registered_commands:
        app.registered_commands.append(_command)
    for _group in _area.app.registered_groups:
        app.registered_groups.append(_group)
