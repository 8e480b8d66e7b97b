"""``minsheng pensions retirement …`` and ``minsheng pensions estimate FILE``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TypeVar

import typer
from pydantic import BaseModel, ValidationError

from minsheng.clikit import friendly, print_json
from minsheng.core.errors import invalid
from minsheng.fields import to_minsheng_error
from minsheng.foundation.principals import Principal, system
from minsheng.pensions import estimate as estimates
from minsheng.pensions import rules
from minsheng.pensions.recovery_cli import app as recovery_app
from minsheng.pensions.transfer_cli import app as transfer_case_app

app = typer.Typer(help="Social insurance and pensions 社会保险与养老", no_args_is_help=True)


def _tree(params: Path | None):  # type: ignore[no-untyped-def]
    from minsheng.policy import load

    return load().with_overlay(params) if params else load()


@app.command("retirement")
@friendly
def retirement(
    birth: str = typer.Option(..., "--birth", help="birth month, YYYY-MM"),
    sex: str = typer.Option(..., "--sex", help="male | female"),
    category: str = typer.Option("worker", "--category", help="worker | cadre | female-worker-50"),
    as_of: str = typer.Option(None, "--as-of", help="rules in force on this date (default: today)"),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
) -> None:
    """The statutory retirement month, the age then, and the minimum contribution months."""
    born = estimates.month_of(birth, "birth")
    today = dt.date.today()
    if born > rules.month_index(today.year, today.month):
        raise invalid(
            "birth", "future", "出生月份不能晚于本月", "the birth month cannot be in the future"
        )
    on = estimates.date_of(as_of, "as_of") if as_of else today
    p = rules.PensionParams.from_snapshot(_tree(params).at(on))
    print_json(rules.retirement(p, born, sex, category).to_dict())


@app.command("estimate")
@friendly
def estimate(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="a contribution history as JSON (docs/pensions.md)"
    ),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
    region: str = typer.Option(None, "--region", help="division code whose parameters apply"),
) -> None:
    """The monthly pension from a contribution history, with its parts and the account."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise invalid("file", "json", f"不是有效的JSON：{err}", f"not valid JSON: {err}") from None
    print_json(estimates.estimate(_tree(params), data, region).to_dict())


# ----------------------------------------------------------------------- the register


def _by() -> Principal:
    return system("cli")


M = TypeVar("M", bound=BaseModel)


def _shape(model: type[M], **kw: object) -> M:
    try:
        return model(**{k: v for k, v in kw.items() if v is not None})
    except ValidationError as err:  # a bound, a separator or a line break: a clear error
        raise to_minsheng_error(err) from None


@app.command("enrol")
@friendly
def enrol(
    person: int = typer.Option(..., "--person", help="person id"),
    scheme: str = typer.Option(
        ..., "--scheme", help="employee_pension | work_injury | unemployment | resident_pension"
    ),
    start: str = typer.Option(..., "--start", help="first day, YYYY-MM-DD"),
    credit_code: str = typer.Option(None, "--employer", help="employer's credit code"),
    wage: str = typer.Option(None, "--wage", help="monthly wage (yuan), employee schemes"),
    division: str = typer.Option(None, "--division", help="county where enrolled (residents)"),
) -> None:
    """Enrol a person in a scheme."""
    from minsheng.clikit import session
    from minsheng.pensions import enrolment
    from minsheng.pensions.schemas import EnrolIn

    data = _shape(
        EnrolIn,
        person_id=person,
        scheme=scheme,
        start_date=estimates.date_of(start, "start"),
        credit_code=credit_code,
        wage=wage,
        division_code=division,
    )
    with session() as s:
        print_json(enrolment.enrolment_out(enrolment.enrol(s, data, _by())))


@app.command("contribute")
@friendly
def contribute(
    person: int = typer.Option(..., "--person", help="person id"),
    year: int = typer.Option(..., "--year"),
    tier: str = typer.Option(None, "--tier", help="resident: the yearly tier (yuan)"),
    back_payment: bool = typer.Option(False, "--back-payment", help="resident: 补缴 a past year"),
    scheme: str = typer.Option(None, "--scheme", help="employee scheme (default: resident)"),
    months: str = typer.Option("1-12", "--months", help="employee: FROM-TO months"),
    wage: str = typer.Option(None, "--wage", help="employee: monthly wage (yuan)"),
) -> None:
    """Record a resident's yearly contribution or an employee's months."""
    from minsheng.clikit import session
    from minsheng.pensions import contributions as c
    from minsheng.pensions.schemas import EmployeeContributionIn, ResidentContributionIn

    with session() as s:
        if scheme is None or scheme == "resident_pension":
            resident = _shape(
                ResidentContributionIn,
                person_id=person,
                year=year,
                tier=tier,
                back_payment=back_payment,
            )
            r = c.record_resident(s, resident, _by())
        else:
            low, _, high = months.partition("-")
            if not (low.isdigit() and (high or low).isdigit()):
                raise invalid("months", "format", "月份应为 FROM-TO", "months must be FROM-TO")
            employee = _shape(
                EmployeeContributionIn,
                person_id=person,
                scheme=scheme,
                year=year,
                from_month=int(low),
                to_month=int(high or low),
                wage=wage,
            )
            r = c.record_employee(s, employee, _by())
        print_json({"created": r.created, "contributions": [c.contribution_out(x) for x in r.rows]})


@app.command("government-paid")
@friendly
def government_paid(
    year: int = typer.Argument(..., help="the year"),
    out: Path = typer.Option(None, "--csv", help="write the finance bureau's list here"),
) -> None:
    """政府代缴: the government-paid tier for every resident in difficulty (idempotent)."""
    from minsheng.clikit import session
    from minsheng.core import export
    from minsheng.pensions import government

    with session() as s:
        run = government.government_paid(s, year, _by())
    if out is not None:
        export.write_private(out.parent, out.name, run.csv())
    print_json({"year": year, "new": run.new, "listed": len(run.listed)})


@app.command("credit")
@friendly
def credit(year: int = typer.Argument(..., help="the year to credit")) -> None:
    """Credit a year's contributions and interest to every individual account (idempotent)."""
    from minsheng.clikit import session
    from minsheng.pensions import accounts

    with session() as s:
        print_json(accounts.credit_year(s, year, _by()).to_dict())


@app.command("medical-credit")
@friendly
def medical_credit(
    year: int = typer.Argument(...), month: int = typer.Argument(..., min=1, max=12)
) -> None:
    """The month's credit to employees' medical personal accounts (each person once)."""
    from minsheng.clikit import session
    from minsheng.pensions import accounts

    with session() as s:
        print_json(accounts.credit_medical(s, year, month, _by()))


@app.command("statement")
@friendly
def statement(person: int = typer.Option(..., "--person", help="person id")) -> None:
    """A person's enrolments, contributions and accounts with their yearly statements."""
    from minsheng.clikit import session
    from minsheng.pensions import accounts, contributions, enrolment

    by = _by()
    with session() as s:
        print_json(
            {
                "enrolments": [
                    enrolment.enrolment_out(e) for e in enrolment.enrolments_of(s, person, by)
                ],
                "contributions": [
                    contributions.contribution_out(c)
                    for c in contributions.contributions_of(s, person, by)
                ],
                "accounts": accounts.accounts_of(s, person, by),
            }
        )


# ----------------------------------------------------------------- awards, roll, certification


@app.command("claim")
@friendly
def claim(
    person: int = typer.Option(..., "--person", help="person id"),
    scheme: str = typer.Option(..., "--scheme", help="resident_pension | employee_pension"),
    start: str = typer.Option(None, "--start", help="first month paid, YYYY-MM"),
    category: str = typer.Option("worker", "--category", help="worker | cadre | female-worker-50"),
) -> None:
    """Award a pension (待遇核定): the monthly amount with its parts; contributions end."""
    from minsheng.clikit import session
    from minsheng.pensions import awards
    from minsheng.pensions.schemas import ClaimIn

    data = _shape(ClaimIn, person_id=person, scheme=scheme, start=start, category=category)
    with session() as s:
        print_json(awards.award_out(awards.claim(s, data, _by())))


@app.command("roll")
@friendly
def roll(
    month: str = typer.Argument(..., help="YYYY-MM"),
    region: str = typer.Option("540000", "--region", help="division code"),
) -> None:
    """The month's pension roll: every active award paid once per month into the card's bank
    account; its bank file in <data dir>/pensions (owner-only). Re-running pays nobody twice."""
    from minsheng.config import Settings
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.pensions import roll as rolls

    settings = Settings.from_env()
    factory = make_sessionmaker(make_engine(settings.database_url))
    directory = rolls.files_dir(settings.data_dir)
    print_json(rolls.issue(factory, month, region, _by(), directory).to_dict())


certification_app = typer.Typer(help="Yearly certification 待遇领取资格认证", no_args_is_help=True)
app.add_typer(certification_app, name="certification")
app.add_typer(recovery_app, name="recovery")
app.add_typer(transfer_case_app, name="transfer-case")


@certification_app.command("scan")
@friendly
def certification_scan(region: str = typer.Option("540000", "--region")) -> None:
    """Data matching over every award of the region; tasks for the rest; overdue suspended."""
    from minsheng.clikit import session
    from minsheng.pensions import certification

    with session() as s:
        print_json(certification.scan(s, region, _by()).to_dict())


@certification_app.command("queue")
@friendly
def certification_queue() -> None:
    """The open and lapsed certification tasks."""
    from minsheng.clikit import session
    from minsheng.pensions import certification

    with session() as s:
        print_json([certification.task_out(t) for t in certification.queue(s, _by())])


@certification_app.command("visit")
@friendly
def certification_visit(
    task: int = typer.Argument(..., help="task id"),
    note: str = typer.Option(..., "--note", help="what the home visit found (required)"),
) -> None:
    """Record a home visit (上门认证) that certifies the task's claimant."""
    from minsheng.clikit import session
    from minsheng.pensions import certification

    with session() as s:
        print_json(certification.task_out(certification.visit(s, task, note, _by())))


@app.command("transfer")
@friendly
def transfer(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="a transfer request as JSON (docs/pensions.md)"
    ),
    params: Path = typer.Option(None, "--params", help="a reform overlay YAML"),
) -> None:
    """转移接续: the amounts that move, where the pension is claimed, and the deadlines."""
    from minsheng.pensions import transfers

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise invalid("file", "json", f"不是有效的JSON：{err}", f"not valid JSON: {err}") from None
    r = transfers.parse(data)
    p = rules.PensionParams.from_snapshot(_tree(params).at(r.applied))
    print_json(transfers.transfer(p, r))
