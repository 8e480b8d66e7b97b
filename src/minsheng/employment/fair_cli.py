"""``minsheng employment fair list|report|cancel``: job fairs (招聘会) from the command line
(acting as the platform, ``system("cli")``): the fairs, a fair's report — visitors, employers,
posts, interviews, intentions and the hires filed after it — and cancelling a fair that is not
over, with the reason."""

from __future__ import annotations

import typer
from sqlalchemy import select

from minsheng.clikit import friendly, print_json
from minsheng.employment import fair_report, fairs
from minsheng.employment.fair_models import EmFair
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
fair_app = typer.Typer(no_args_is_help=True, help="招聘会 job fairs")
app.add_typer(fair_app, name="fair")
BY = system("cli")


@fair_app.command("list")
@friendly
def list_fairs(county: str | None = typer.Option(None, help="a county code (6 digits)")) -> None:
    """The fairs (latest first) as JSON."""
    from minsheng.clikit import session

    with session() as s:
        query = select(EmFair).order_by(EmFair.starts_on.desc(), EmFair.id.desc())
        if county:
            query = query.where(EmFair.division_code == county)
        moment = fairs.now()
        print_json([fairs.fair_out(f, moment) for f in s.scalars(query)])


@fair_app.command("report")
@friendly
def report(fair_id: int) -> None:
    """A fair's report as JSON (the fair, then its figures)."""
    from minsheng.clikit import session

    with session() as s:
        fair = fairs.get_fair(s, fair_id, BY)
        print_json({"fair": fairs.fair_out(fair), "report": fair_report.report(s, fair.id, BY)})


@fair_app.command("cancel")
@friendly
def cancel(
    fair_id: int, reason: str = typer.Option(..., help="why it is cancelled 取消原因")
) -> None:
    """Cancel a fair that is not over (check-ins refused from then on); the fair as JSON."""
    from minsheng.clikit import session
    from minsheng.employment.fair_schemas import CancelIn

    data = CancelIn(reason=reason)
    with session() as s:
        print_json(fairs.fair_out(fairs.cancel_fair(s, fair_id, data.reason, BY, fairs.now())))
