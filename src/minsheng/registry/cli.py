"""``minsheng person add | show | import``."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError

from minsheng.clikit import friendly, print_json, session
from minsheng.core.errors import invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import system
from minsheng.registry import importer, service
from minsheng.registry.schemas import PersonIn

app = typer.Typer(help="Persons in the registry", no_args_is_help=True)


@app.command("add")
@friendly
def add(
    id_number: str = typer.Option(..., "--id", help="resident ID number"),
    name: str = typer.Option(..., help="name in Chinese"),
    hukou: str = typer.Option(..., help="urban | rural"),
    name_bo: str = typer.Option(None, help="name in Tibetan"),
    division: str = typer.Option(None, help="county of residence (default: from the ID)"),
    phone: str = typer.Option(None),
    household: str = typer.Option(None, help="household code 户号"),
    relationship: str = typer.Option(None, help="relationship to the head"),
) -> None:
    """Register a person."""
    if hukou not in ("urban", "rural"):
        raise invalid(
            "hukou", "hukou_unknown", "户籍性质应为urban或rural", "hukou is urban or rural"
        )
    try:
        data = PersonIn(
            id_number=id_number,
            name_zh=name,
            name_bo=name_bo,
            hukou=hukou,  # type: ignore[arg-type]
            division_code=division,
            phone=phone,
            household_code=household,
            relationship=relationship,
        )
    except ValidationError as err:  # a name with a line break, a '|', … : a clear error
        raise to_minsheng_error(err) from None
    with session() as s:
        print_json(
            service.person_out(service.create_person(s, data, system("cli"))).model_dump(
                mode="json"
            )
        )


@app.command("show")
@friendly
def show(id_number: str = typer.Argument(..., help="resident ID number")) -> None:
    """Show a person's record, enrolment and statuses."""
    from minsheng.registry.schemas import EnrolmentOut, StatusOut

    with session() as s:
        p = service.lookup(s, id_number, system("cli"))
        out = service.person_out(p).model_dump(mode="json")
        out["enrolments"] = [
            EnrolmentOut.model_validate(e, from_attributes=True).model_dump(mode="json")
            for e in p.enrolments
        ]
        out["statuses"] = [
            StatusOut.model_validate(x, from_attributes=True).model_dump(mode="json")
            for x in p.statuses
        ]
        print_json(out)


@app.command("import")
@friendly
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    dry_run: bool = typer.Option(False, help="check only; write nothing"),
) -> None:
    """Import persons from a CSV file; print the per-row report. Exit 1 if any row was rejected."""
    with session() as s:
        report = importer.import_persons(s, file.read_bytes(), system("cli"), dry_run=dry_run)
    print_json(report.model_dump())
    if report.rejected:
        raise typer.Exit(1)
