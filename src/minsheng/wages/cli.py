"""``minsheng wages``: each area's commands (``*_cli.py``) mounted as one Typer app."""

import typer

from minsheng.wages import (
    attendance_cli,
    complaint_cli,
    deposit_cli,
    pay_cli,
    project_cli,
    warning_cli,
)

app = typer.Typer(no_args_is_help=True, help="根治欠薪 wage protection")
for _area in (project_cli, attendance_cli, pay_cli, deposit_cli, complaint_cli, warning_cli):
    for _command in _area.app.registered_commands:
        app.registered_commands.append(_command)
    for _group in _area.app.registered_groups:
        app.registered_groups.append(_group)
