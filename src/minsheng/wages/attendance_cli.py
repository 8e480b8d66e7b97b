"""``minsheng wages attendance …``: import a device's CSV export into a project
(``import FILE --project ID``; format in docs/formats.md), write the per-row results as CSV
(``--results FILE``), and read a project's month (``month YYYY-MM --project ID``)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
attendance_app = typer.Typer(help="Attendance from site devices 考勤", no_args_is_help=True)
app.add_typer(attendance_app, name="attendance")


@attendance_app.command("import")
@friendly
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="the CSV file"),
    project: int = typer.Option(..., "--project", help="project id"),
    results: Path | None = typer.Option(None, "--results", help="write per-row results here"),
) -> None:
    """Ingest every row (answered on its own: accepted, duplicate or refused with a reason);
    prints the counts and the refused rows."""
    from minsheng.clikit import session
    from minsheng.wages import attendance_csv

    with session() as s:
        report = attendance_csv.import_csv(s, project, file.read_bytes(), system("cli"))
    if results is not None:  # owner-only (0600), whatever the directory
        fd = os.open(results, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(attendance_csv.results_csv(report))
    refused = [r for r in report["results"] if r["status"] == "refused"]
    print_json(
        {k: v for k, v in report.items() if k != "results"} | {"refused_rows": refused[:100]}
    )


@attendance_app.command("month")
@friendly
def month(
    month: str = typer.Argument(..., help="YYYY-MM"),
    project: int = typer.Option(..., "--project", help="project id"),
) -> None:
    """Each worker's month on the project: days, hours, overtime hours."""
    from minsheng.clikit import session
    from minsheng.wages import attendance, attendance_devices

    by = system("cli")
    with session() as s:
        attendance_devices.project_in_region(s, project, by)
        print_json(attendance.monthly(s, month, project_id=project, worker_ids=None))
