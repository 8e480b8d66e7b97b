"""``minsheng bundles apply KIND --person N [...]`` and ``minsheng bundles show ID``.

``apply`` prints the bundle (each part's state); a refused bundle is stored, printed, and the
command exits 1 with the refusing part's error."""

from __future__ import annotations

import datetime as dt

import typer
from pydantic import ValidationError

from minsheng.clikit import friendly, print_json
from minsheng.core.errors import MinshengError, invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import system

app = typer.Typer(help="One-visit bundles 一件事一次办", no_args_is_help=True)


def _date(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise invalid(
            field, "date", f"日期格式应为YYYY-MM-DD：{text[:16]!r}", "a date is YYYY-MM-DD"
        ) from None


@app.command("apply")
@friendly
def apply(
    kind: str = typer.Argument(..., help="retirement | death | hire | card"),
    person: int = typer.Option(..., "--person", help="person id"),
    category: str = typer.Option(
        None, "--category", help="retirement: worker | cadre | female-worker-50"
    ),
    start: str = typer.Option(
        None, "--start", help="retirement: first month YYYY-MM; hire: first day YYYY-MM-DD"
    ),
    died_on: str = typer.Option(None, "--died-on", help="death: the day, YYYY-MM-DD"),
    employer: str = typer.Option(None, "--employer", help="hire: the employer's credit code"),
    wage: str = typer.Option(None, "--wage", help="hire: monthly wage (yuan)"),
    division: str = typer.Option(None, "--division", help="card: the issuing county"),
    key: str = typer.Option(None, "--key", help="idempotency key: a retry answers the first"),
) -> None:
    """Start a bundle for a person, all or nothing."""
    from minsheng.bundles import service
    from minsheng.bundles.schemas import FORMS
    from minsheng.clikit import session

    service.check_kind(kind)
    values: dict[str, object] = {"person_id": person}
    if kind == "retirement":
        values.update(category=category, start=start)
    elif kind == "death":
        values.update(died_on=_date(died_on, "died_on"))
    elif kind == "hire":
        values.update(credit_code=employer, wage=wage, start_date=_date(start, "start_date"))
    else:
        values.update(division_code=division)
    try:
        form = FORMS[kind](**{k: v for k, v in values.items() if v is not None})
    except ValidationError as err:
        raise to_minsheng_error(err) from None
    with session() as s:
        bundle, _ = service.apply(s, kind, form, system("cli"), key=key)
        out = service.bundle_out(s, bundle)
    print_json(out)
    if out["error"]:
        e = out["error"]
        raise MinshengError(
            e["field"], e["rule"], e["message"]["zh"], e["message"]["en"], bo=e["message"]["bo"]
        )


@app.command("show")
@friendly
def show(bundle_id: int = typer.Argument(..., help="bundle id")) -> None:
    """A bundle with each part's state, result or error, and its events."""
    from minsheng.bundles import service
    from minsheng.clikit import session

    with session() as s:
        print_json(service.bundle_out(s, service.load(s, bundle_id, system("cli"))))
