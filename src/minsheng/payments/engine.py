"""The run engine shared by every programme's monthly payment run (see the package docstring).

A :class:`Ledger` names a programme's run table and payment table, how a run's bank file is
rendered (``MSBANK/1``, ``core.export.bank_file``), its audit entity names and its lock key. The
engine then does, for any ledger:

1. :func:`unfinished` / :func:`finish` — finish any run of an overlapping region a crash left
   ``prepared``;
2. :func:`prepare` — under the lock, record the run and its new payments (those whose unique
   ``pay_key`` is not yet paid) with the bank file's name and digest, state ``prepared``;
3. :func:`finish` — under the lock, write the bank file under a temporary name in the same
   directory, fsync, rename it into place, mark the run ``issued``.

:func:`issue` strings the three together in their own units of work. Killed anywhere, the
database and the files agree: no file exists for a run that is not committed, a temporary file
never has a final name, and the next run (or a download) finishes a ``prepared`` run in the same
file name — never in a second file. Runs are serialised by a transaction-scoped advisory lock on
PostgreSQL and by ``BEGIN IMMEDIATE`` on SQLite (the unit of work's first statement).

``MINSHENG_FAULT=payroll:<step>`` (test-only; ignored when ``MINSHENG_ENV=production``) makes the
process SIGKILL itself at a step — ``prepare`` (before the first commit), ``prepared``,
``temp_written``, ``renamed``, ``issued`` — for the fault-injection tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import ARRAY, String, any_, bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from minsheng.cases.engine import accountable
from minsheng.core import divisions, export
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError
from minsheng.db import unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

FAULT_ENV = "MINSHENG_FAULT"
FAULT_STEPS = ("prepare", "prepared", "temp_written", "renamed", "issued")


class Item(Protocol):
    """Something due: its unique payment key and its amount in fen."""

    @property
    def key(self) -> str: ...

    @property
    def amount(self) -> int: ...


@dataclass(frozen=True)
class Ledger:
    """A programme's payment tables and how its bank file is made.

    ``run_model`` has ``id, month, region, by, new_payments, new_total, state, file_name,
    digest, issued_at``; ``payment_model`` has ``id, pay_key, run_id, amount``. ``render`` gives
    a run's bank file bytes and digest from its payments; ``make_payment`` a payment row from a
    due item and its (flushed) run."""

    name: str  # used in file names: "<name>-<month>-<region>-run<id>.txt"
    run_model: Any
    payment_model: Any
    render: Callable[[Session, Any, list[Any]], tuple[bytes, str]]
    make_payment: Callable[[Any, Any], Any] | None  # None for a bulk ledger
    run_entity: str  # audit entity of a run
    file_entity: str  # audit entity of a downloaded bank file
    lock_key: int  # pg_advisory_xact_lock key
    #: the due items are themselves the payments (tuples of ``item_columns``, in that order),
    #: inserted in bulk as they are, the run id added by the statement — no ORM object, dict
    #: or row made per payment, for rolls of hundreds of thousands (``make_payment`` unused);
    #: :func:`prepare` hands back the items
    bulk: bool = False
    item_columns: tuple[str, ...] = ()
    #: maker–checker (审核审批分离): a run a person prepared is issued by another; the platform
    #: itself (CLI, scheduled jobs: a ``system`` principal) prepares and issues in one go
    checked: bool = False

    def __post_init__(self) -> None:
        if self.bulk != bool(self.item_columns) or self.bulk == (self.make_payment is not None):
            raise ValueError(
                f"ledger {self.name}: a bulk ledger names its item columns, another how a "
                "payment is made"
            )


#: The bank file :func:`prepare` rendered for its digest, kept for :func:`issue`'s own
#: :func:`finish` of the same run in the same process moments later (so a roll of 500,000 is
#: rendered once); a finish after a crash, or from another process, renders again.
_rendered: dict[tuple[str, int], tuple[bytes, str]] = {}


def fault(step: str) -> None:
    """Test-only crash hook (see the module docstring)."""
    if os.environ.get(FAULT_ENV) == f"payroll:{step}" and os.environ.get("MINSHENG_ENV") != (
        "production"
    ):
        os.kill(os.getpid(), signal.SIGKILL)


def lock(session: Session, ledger: Ledger) -> None:
    """Serialise a ledger's runs (held to the end of the transaction). SQLite units of work
    already hold the database's write lock from their first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ledger.lock_key})


def file_name(ledger: Ledger, month: str, region: str, run_id: int) -> str:
    return f"{ledger.name}-{month}-{region}-run{run_id}.txt"


def paid_keys(session: Session, ledger: Ledger, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are already paid: one query (the keys as one JSON or array
    parameter, looked up by the unique key index), in chunks on another database."""
    column = ledger.payment_model.pay_key
    if not keys:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        given = func.json_each(json.dumps(list(keys))).table_valued("value")
        return set(session.scalars(select(column).where(column.in_(select(given.c.value)))))
    if dialect == "postgresql":
        array = bindparam("keys", list(keys), type_=ARRAY(String))
        return set(session.scalars(select(column).where(column == any_(array))))
    paid: set[str] = set()
    for i in range(0, len(keys), 500):
        paid |= set(session.scalars(select(column).where(column.in_(keys[i : i + 500]))))
    return paid


#: Payments a statement (an ``executemany``) in a bulk insert
CHUNK = 20_000


def _insert_items(session: Session, ledger: Ledger, run_id: int, items: Sequence[Any]) -> None:
    """Insert a bulk ledger's items (tuples of ``item_columns``) with the run's id, in the
    run's transaction: on PostgreSQL by ``COPY … FROM STDIN`` (one stream, no statement per
    row); elsewhere by the driver's ``executemany`` of one statement (the run id written in
    it), ``CHUNK`` items at a time, the tuples passed as they are. A column whose type
    converts its value (an encrypted one) goes through SQLAlchemy's ``insert`` instead."""
    if not items:
        return
    table = ledger.payment_model.__table__
    conn = session.connection()
    dialect = conn.dialect
    columns = list(ledger.item_columns)
    run = int(run_id)
    q = dialect.identifier_preparer
    names = ", ".join(q.quote(c) for c in [*columns, "run_id"])
    if any(table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns):
        rows = [{**dict(zip(columns, t, strict=True)), "run_id": run} for t in items]
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[i : i + CHUNK])
        return
    if dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        try:
            with (
                driver.cursor() as cur,
                cur.copy(f"COPY {q.format_table(table)} ({names}) FROM STDIN") as copy,
            ):
                for t in items:
                    copy.write_row((*t, run))
        except dialect.loaded_dbapi.IntegrityError as exc:
            raise IntegrityError("COPY", None, exc) from exc
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {q.format_table(table)} ({names}) "
        f"VALUES ({', '.join([marker] * len(columns))}, {run})"
    )
    for i in range(0, len(items), CHUNK):
        conn.exec_driver_sql(sql, list(items[i : i + CHUNK]))


def busy() -> ConflictError:
    return ConflictError(
        "region",
        "payroll_busy",
        "另一个发放批次正在处理同一地区，请稍后重试",
        "another payroll run is paying the same region; try again",
        bo="ས་ཁུལ་འདིའི་འགྲེམ་སྤྲོད་གཞན་ཞིག་བྱེད་བཞིན་འདུག ཅུང་ཙམ་སྒུག་ནས་ཡང་བསྐྱར་ཚོད་ལྟ་གྱིས།",
    )


@dataclass(frozen=True)
class Prepared:
    run: Any
    new: list[Any]
    already_paid: int


def prepare(
    session: Session,
    ledger: Ledger,
    month: str,
    region: str,
    by: Principal,
    items: Sequence[Item],
    detail: dict[str, Any] | None = None,
) -> Prepared:
    """Record the run and the payments of ``items`` not yet paid (the caller holds the lock,
    taken before computing what is due, and commits). A run that pays nobody new is issued at
    once and has no file."""
    keys = [d.key for d in items]
    paid = paid_keys(session, ledger, keys)
    new_items = [d for d in items if d.key not in paid] if paid else list(items)
    run = ledger.run_model(
        month=month,
        region=region,
        by=by.actor,
        new_payments=len(new_items),
        new_total=sum(d.amount for d in new_items),
        state="prepared" if new_items else "issued",
    )
    session.add(run)
    session.flush()
    try:
        if ledger.bulk:
            _insert_items(session, ledger, run.id, new_items)
            new: list[Any] = new_items
        else:
            assert ledger.make_payment is not None
            new = [ledger.make_payment(d, run) for d in new_items]
            session.add_all(new)
            session.flush()
    except IntegrityError:  # only if something bypassed the lock: a clean 409, never a 500
        raise busy() from None
    if new:
        run.file_name = file_name(ledger, month, region, run.id)
        data, run.digest = ledger.render(session, run, new)
        _rendered.clear()
        _rendered[(ledger.name, run.id)] = (data, str(run.digest))
    else:
        run.issued_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        by,
        "payroll",
        ledger.run_entity,
        run.id,
        region,
        {
            "month": month,
            "new": len(new),
            "new_total": run.new_total,
            "already_paid": len(paid),
            "state": run.state,
            "digest": run.digest,
            **(detail or {}),
        },
    )
    return Prepared(run, new, len(paid))


def run_payments(session: Session, ledger: Ledger, run_id: int) -> list[Any]:
    """A run's payments in their order: rows of the table for a bulk ledger (as
    :func:`prepare` hands them), ORM objects otherwise."""
    model = ledger.payment_model
    if ledger.bulk:
        c = model.__table__.c
        return list(session.execute(select(c).where(c.run_id == run_id).order_by(c.id)).all())
    return list(session.scalars(select(model).where(model.run_id == run_id).order_by(model.id)))


def finish(
    session: Session,
    ledger: Ledger,
    run_id: int,
    directory: Path,
    by: Principal,
    rendered: tuple[bytes, str] | None = None,
) -> Any | None:
    """Write a ``prepared`` run's bank file (temporary name, fsync, rename) and mark it
    ``issued``, under the lock. A run already issued is left as it is. If the payees' details
    changed since the run was prepared, the file is written as they are now and the new digest
    recorded (the old one was never issued)."""
    lock(session, ledger)
    run = session.get(ledger.run_model, run_id, populate_existing=True)
    if run is None or run.state != "prepared":
        return run
    maker_checker(ledger, run, by)
    assert run.file_name is not None
    if rendered is not None and rendered[1] == run.digest:
        data, digest = rendered
    else:
        data, digest = ledger.render(session, run, run_payments(session, ledger, run.id))
    replaced = digest != run.digest
    export.private_dir(directory)
    export.remove_temps(directory, run.file_name)
    temp = export.write_temp(directory, run.file_name, data)
    fault("temp_written")
    export.publish(temp, run.file_name)
    fault("renamed")
    run.state = "issued"
    run.digest = digest
    run.issued_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        by,
        "issue",
        ledger.run_entity,
        run.id,
        run.region,
        {"file": run.file_name, "digest": digest, "replaced": replaced},
    )
    return run


def made_by(ledger: Ledger, run: Any, by: Principal) -> bool:
    """Whether ``by`` prepared ``run`` of a checked ledger (and so may not issue it)."""
    return ledger.checked and by.kind != "system" and run.by in (by.actor, accountable(by))


def maker_checker(ledger: Ledger, run: Any, by: Principal) -> None:
    if made_by(ledger, run, by):
        raise ForbiddenError(
            "run_id",
            "maker_checker",
            "本批次由您运行，须由另一位主管审核发放（审核审批分离）",
            "you ran this roll, so another supervisor issues it (maker–checker)",
            bo="རིམ་པ་འདི་ཁྱེད་ཀྱིས་བཏང་བས་འགོ་འཛིན་གཞན་ཞིག་གིས་འགྲེམ་སྤྲོད་བྱེད་དགོས།",
        )


def overlap(a: str, b: str) -> bool:
    pa, pb = divisions.code_prefix(a), divisions.code_prefix(b)
    return pa.startswith(pb) or pb.startswith(pa)


def unfinished(session: Session, ledger: Ledger, region: str, by: Principal) -> list[int]:
    """Runs left ``prepared`` (a crash, or waiting for a checker) in a region overlapping
    ``region`` that ``by`` covers and may issue (not the maker of a checked ledger's run)."""
    model = ledger.run_model
    runs = session.scalars(select(model).where(model.state == "prepared")).all()
    return [
        r.id
        for r in runs
        if overlap(r.region, region) and by.covers(r.region) and not made_by(ledger, r, by)
    ]


def issue(
    factory: sessionmaker[Session],
    ledger: Ledger,
    region: str,
    by: Principal,
    directory: Path,
    work: Callable[[Session], Any],
) -> tuple[Any, Any | None]:
    """The use case: finish what a crash left in the region, run ``work`` (which locks and
    calls :func:`prepare`, returning a result with ``state`` and ``run_id``) and commit, then
    write and issue — for a checked ledger and a person, the run stays ``prepared`` for
    another to issue (:func:`finish`). Returns the work's result and the issued run (None
    when nothing new, or when it waits for a checker)."""
    with unit_of_work(factory) as s:
        left = unfinished(s, ledger, region, by)
    for run_id in left:
        with unit_of_work(factory) as s:
            finish(s, ledger, run_id, directory, by)
    with unit_of_work(factory) as s:
        result = work(s)
        fault("prepare")
    fault("prepared")
    done = None
    if result.state == "prepared" and not (ledger.checked and by.kind != "system"):
        rendered = _rendered.pop((ledger.name, result.run_id), None)
        with unit_of_work(factory) as s:
            done = finish(s, ledger, result.run_id, directory, by, rendered)
            assert done is not None
            digest = done.digest
        fault("issued")
        done = digest
    return result, done


def no_run() -> NotFoundError:
    return NotFoundError(
        "run_id", "没有这个发放批次", "no such payroll run", bo="འགྲེམ་སྤྲོད་རིམ་པ་འདི་མི་འདུག"
    )


def bank_file_of(
    session: Session, ledger: Ledger, run_id: int, by: Principal, directory: Path
) -> tuple[str, bytes]:
    """A run's bank file for download (audited): the stored file when it is the one the run
    vouches for (its digest), else the same file rendered again from the database. A run a
    crash left ``prepared`` is finished first."""
    run = session.get(ledger.run_model, run_id)
    if run is None or not by.covers(run.region):  # elsewhere answers as missing
        raise no_run()
    if run.state == "prepared":
        finish(session, ledger, run.id, directory, by)  # the maker of a checked run: refused
    if run.file_name is None or run.digest is None:
        raise NotFoundError(
            "run_id",
            "该批次没有新的转账，没有银行文件",
            "this run paid nobody new, so it has no bank file",
            bo="རིམ་པ་འདིར་དངུལ་སྤོ་གསར་པ་མེད་པས་དངུལ་ཁང་ཡིག་ཆ་མི་འདུག",
        )
    path = directory / run.file_name
    data = path.read_bytes() if path.is_file() else b""
    if export.bank_digest(data) != run.digest:
        data, digest = ledger.render(session, run, run_payments(session, ledger, run.id))
        if digest != run.digest:
            raise ConflictError(
                "run_id",
                "bank_file_changed",
                "银行文件已被移走，且收款人信息此后有变，无法重现原文件",
                "the bank file is gone and the payees' details changed since; it cannot be "
                "reproduced",
                bo="དངུལ་ཁང་ཡིག་ཆ་མི་འདུག་ལ་དངུལ་ལེན་མཁན་གྱི་ཆ་འཕྲིན་ཡང་བསྒྱུར་འདུག",
            )
        export.write_private(directory, run.file_name, data)
    audit.record(
        session,
        by,
        "download",
        ledger.file_entity,
        run.id,
        run.region,
        {"file": run.file_name, "digest": run.digest, "count": run.new_payments},
    )
    return run.file_name, data
