"""Paying a project's month (总包代发): the general contractor pays every worker of every team
(its own and its subcontractors') from the project's dedicated wage account into each
worker's own card, on the shared payment engine (:mod:`minsheng.payments.engine`: the lock,
``prepared`` → ``issued``, the crash-safe bank file ``MSBANK/1``, maker–checker, the fault
hook ``MINSHENG_FAULT=payroll:<step>``).

:func:`prepare` pays the month's lines (the sheets of ``month``, back-pay lines included) that
have pay, are not disputed, whose worker has a card (a wage card, else the social-security
card's account) and whose (worker, month) is not paid yet. Their total must be covered by the
account's balance — a run the balance cannot cover is refused, naming the shortfall — and the
balance goes down by it in the same transaction (a check keeps it ≥ 0 whatever happens). A
person prepares; another person issues (:func:`issue_run`); the platform (CLI) does both.
Runs are per project: nobody but a caller who sees the project finishes its run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from minsheng.core import export, money
from minsheng.core.errors import ConflictError, NotFoundError
from minsheng.db import unit_of_work
from minsheng.foundation import crypto
from minsheng.foundation.principals import Principal
from minsheng.payments import engine
from minsheng.registry.models import Person
from minsheng.wages import access
from minsheng.wages.models import WgProject
from minsheng.wages.pay import check_month, pay_key, refuse_closed
from minsheng.wages.pay_accounts import (
    account_of,
    no_account,
    params,
    payee_accounts,
    payee_tails,
    require,
)
from minsheng.wages.pay_models import WgPayLine, WgPayment, WgPayRun, WgPaySheet, WgWageAccount
from minsheng.wages.pay_rules import keep_until

LOCK_KEY = 0x4D53_5747  # pg_advisory_xact_lock key of wage pay runs ("MSWG")


class PayItem(NamedTuple):
    key: str
    amount: int
    project_id: int
    line_id: int
    worker_id: int
    person_id: int
    month: str
    tail: str


@dataclass(frozen=True)
class PayResult:
    project_id: int
    month: str
    run_id: int
    state: str
    new_payments: int
    new_total: int
    already_paid: int
    balance: int
    held: list[int] = field(default_factory=list)  # disputed line ids
    unpayable: list[int] = field(default_factory=list)  # line ids of workers without a card
    file_name: str | None = None
    digest: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "project_id": self.project_id,
            "month": self.month,
            "run_id": self.run_id,
            "state": self.state,
            "new_payments": self.new_payments,
            "new_total_fen": self.new_total,
            "already_paid": self.already_paid,
            "balance_fen": self.balance,
            "held_lines": self.held,
            "unpayable_lines": self.unpayable,
            "file": self.file_name,
            "digest": self.digest,
        }


def files_dir(data_dir: Path) -> Path:
    """Where wage bank files live: ``<data dir>/wages`` (0700; files 0600)."""
    return data_dir / "wages"


def _render(session: Session, run: WgPayRun, payments: list[Any]) -> tuple[bytes, str]:
    """The run's bank file: payee, full ID number, amount, and in the memo the month paid
    for (补发 for back pay), the project and the card credited. Never logged."""
    rows = session.execute(
        select(
            WgPayment.pay_key,
            WgPayment.person_id,
            WgPayment.month,
            WgPayment.amount,
            WgPayLine.back_pay,
            Person.name_zh,
            type_coerce(Person.id_number, String),
            WgProject.code,
        )
        .join(WgPayLine, WgPayLine.id == WgPayment.line_id)
        .join(WgProject, WgProject.id == WgPayment.project_id)
        .join(Person, Person.id == WgPayment.person_id)
        .where(WgPayment.run_id == run.id)
        .order_by(WgPayment.id)
    ).all()
    tokens = {r[1]: str(r[6]) for r in rows}  # person → the stored ID number, decrypted once
    people = sorted(tokens)
    accounts = payee_accounts(session, people)
    ids = dict(zip(people, crypto.decrypt_many([tokens[p] for p in people]), strict=True))
    return export.bank_file_rows(
        run.region,
        run.month,
        run.id,
        [
            (
                key,
                name,
                ids[pid],
                amount,
                f"{month} {'补发工资' if back else '工资'} {code} {accounts.get(pid, '')}",
            )
            for key, pid, month, amount, back, name, _, code in rows
        ],
    )


def _payment(d: PayItem, run: WgPayRun) -> WgPayment:
    return WgPayment(
        pay_key=d.key,
        run_id=run.id,
        line_id=d.line_id,
        worker_id=d.worker_id,
        person_id=d.person_id,
        project_id=d.project_id,
        month=d.month,
        amount=d.amount,
        account_tail=d.tail,
        keep_until=_keep(run),
    )


def _keep(run: WgPayRun) -> dt.date:
    today = dt.date.today()
    return keep_until(today, params(today, run.region))


LEDGER = engine.Ledger(
    name="wages",
    run_model=WgPayRun,
    payment_model=WgPayment,
    render=_render,
    make_payment=_payment,
    run_entity="wage_pay_run",
    file_entity="wage_bank_file",
    lock_key=LOCK_KEY,
    checked=True,
)


def due(
    session: Session, project_id: int, month: str
) -> tuple[list[PayItem], list[int], list[int]]:
    """The month's payable lines as items, the held (disputed) and the unpayable (no card)."""
    lines = session.scalars(
        select(WgPayLine)
        .join(WgPaySheet, WgPaySheet.id == WgPayLine.sheet_id)
        .where(WgPaySheet.project_id == project_id, WgPaySheet.month == month, WgPayLine.gross > 0)
        .order_by(WgPayLine.back_pay.desc(), WgPayLine.for_month, WgPayLine.id)
    ).all()
    tails = payee_tails(session, sorted({ln.person_id for ln in lines}))
    items: list[PayItem] = []
    held: list[int] = []
    unpayable: list[int] = []
    keys: set[str] = set()
    for ln in lines:
        key = pay_key(ln.worker_id, ln.for_month)
        if ln.confirmation == "disputed":
            held.append(ln.id)
        elif ln.person_id not in tails:
            unpayable.append(ln.id)
        elif key not in keys:
            keys.add(key)
            items.append(
                PayItem(
                    key,
                    ln.gross,
                    project_id,
                    ln.id,
                    ln.worker_id,
                    ln.person_id,
                    ln.for_month,
                    tails[ln.person_id][1],
                )
            )
    return items, held, unpayable


def shortfall(balance: int, need: int) -> ConflictError:
    gap = need - balance
    return ConflictError(
        "balance",
        "balance_short",
        f"专用账户余额{money.fmt(balance)}不足以发放本月工资{money.fmt(need)}，"
        f"尚缺{money.fmt(gap)}，请督促建设单位拨付人工费用",
        f"the account's balance {money.fmt(balance)} does not cover the month's pay "
        f"{money.fmt(need)}: {money.fmt(gap)} short; the developer must transfer labour cost",
        bo=f"རྩིས་ཁྲའི་ལྷག་མ་མི་འདང་། {money.fmt(gap)} ཆད་འདུག",
    )


def prepare(
    session: Session, project_id: int, month: str, by: Principal, today: dt.date | None = None
) -> PayResult:
    """Record the project's pay run of ``month`` (``prepared`` when it pays anyone); the
    balance goes down by what it pays. The caller commits; :func:`finish` writes the file."""
    today = today or dt.date.today()
    engine.lock(session, LEDGER)
    project = access.get_project(session, project_id, by, for_update=True)
    require(session, project, by, "wages:write", ("general",), "发放工资（总包代发）")
    refuse_closed(project)
    month = check_month(month, today)
    account = session.scalar(
        select(WgWageAccount).where(WgWageAccount.project_id == project.id).with_for_update()
    )
    if account is None:
        raise no_account()
    items, held, unpayable = due(session, project.id, month)
    paid = engine.paid_keys(session, LEDGER, [i.key for i in items])
    need = sum(i.amount for i in items if i.key not in paid)
    if need > account.balance:
        raise shortfall(account.balance, need)
    detail = {"project_id": project.id, "held": len(held), "unpayable": len(unpayable)}
    done = engine.prepare(session, LEDGER, month, project.division_code, by, items, detail)
    run = done.run
    run.project_id = project.id
    account.balance -= run.new_total
    account.version += 1
    _mark_sheets(session, project.id, month)
    session.flush()
    return PayResult(
        project.id,
        month,
        run.id,
        run.state,
        run.new_payments,
        run.new_total,
        done.already_paid,
        account.balance,
        held,
        unpayable,
        run.file_name,
        run.digest,
    )


def _mark_sheets(session: Session, project_id: int, month: str) -> None:
    """A sheet is ``paid`` when every line with pay is paid, ``paying`` when some are."""
    for sheet in session.scalars(
        select(WgPaySheet).where(WgPaySheet.project_id == project_id, WgPaySheet.month == month)
    ):
        session.flush()
        lines = session.scalars(
            select(WgPayLine).where(WgPayLine.sheet_id == sheet.id, WgPayLine.gross > 0)
        ).all()
        keys = [pay_key(ln.worker_id, ln.for_month) for ln in lines]
        paid = engine.paid_keys(session, LEDGER, keys)
        if lines and all(k in paid for k in keys):
            sheet.state = "paid"
        elif paid:
            sheet.state = "paying"


def _run_of(session: Session, run_id: int, by: Principal) -> WgPayRun:
    run = session.get(WgPayRun, run_id)
    if run is None or run.project_id is None:
        raise engine.no_run()
    try:
        access.get_project(session, run.project_id, by)
    except NotFoundError:
        raise engine.no_run() from None
    return run


def finish(session: Session, run_id: int, by: Principal, directory: Path) -> WgPayRun:
    """Issue a prepared run: the bank file written, the run ``issued`` — by the checker (the
    maker is refused), a caller who sees its project (another answers as missing)."""
    run = _run_of(session, run_id, by)
    project = session.get(WgProject, run.project_id)
    assert project is not None
    require(session, project, by, "wages:write", ("general",), "发放工资（总包代发）")
    engine.finish(session, LEDGER, run.id, directory, by)
    return run


def left_prepared(session: Session, project_id: int, by: Principal) -> list[int]:
    """The project's runs still ``prepared`` that ``by`` may issue."""
    runs = session.scalars(
        select(WgPayRun).where(WgPayRun.project_id == project_id, WgPayRun.state == "prepared")
    ).all()
    return [r.id for r in runs if not engine.made_by(LEDGER, r, by)]


def pay(
    factory: sessionmaker[Session],
    project_id: int,
    month: str,
    by: Principal,
    directory: Path,
    today: dt.date | None = None,
) -> PayResult:
    """The use case (CLI, one step): finish what a crash left on the project, prepare and
    commit, then — for the platform itself — write and issue. A person's run stays
    ``prepared`` for another to issue."""
    with unit_of_work(factory) as s:
        access.get_project(s, project_id, by)
        left = left_prepared(s, project_id, by)
    for run_id in left:
        with unit_of_work(factory) as s:
            finish(s, run_id, by, directory)
    with unit_of_work(factory) as s:
        result = prepare(s, project_id, month, by, today)
        engine.fault("prepare")
    engine.fault("prepared")
    if result.state == "prepared" and by.kind == "system":
        with unit_of_work(factory) as s:
            run = finish(s, result.run_id, by, directory)
            digest, state = run.digest, run.state
        engine.fault("issued")
        return PayResult(**{**result.__dict__, "state": state, "digest": digest})
    return result


def bank_file_of(
    session: Session, run_id: int, by: Principal, directory: Path
) -> tuple[str, bytes]:
    run = _run_of(session, run_id, by)
    return engine.bank_file_of(session, LEDGER, run.id, by, directory)


def runs_of(session: Session, project_id: int, by: Principal) -> list[WgPayRun]:
    project = access.get_project(session, project_id, by)
    return list(
        session.scalars(
            select(WgPayRun).where(WgPayRun.project_id == project.id).order_by(WgPayRun.id.desc())
        )
    )


def balance(session: Session, project_id: int) -> int:
    """The account's balance (0 without an account) — for the warning scan."""
    account = account_of(session, project_id)
    return 0 if account is None else account.balance
