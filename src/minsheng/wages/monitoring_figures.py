"""The figures the monitoring scan reads, each a grouped query over every project of a region
at once (never one query per project): the projects; their last labour-cost transfer; their
dedicated account and deposit; their pay sheets by month; each project's months of attendance
(the summary the ingest keeps) joined to what issued pay runs paid for them (workers unpaid,
shortfalls against attendance × rate, attendance before the labour contract); complaints in
the window.

The other areas' tables are read through ``Base.metadata`` by name with Core SQL, so this
module depends on their tables, not on their services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, case, func, literal, select
from sqlalchemy.orm import Session

from minsheng.db import Base
from minsheng.wages.models import WgProject, WgWorker


def table(name: str) -> Table | None:
    """Another area's table by name, or None while that area has not built it (its cause is
    then not checked)."""
    return Base.metadata.tables.get(name)


@dataclass
class ProjectFigures:
    id: int
    division_code: str
    state: str
    contract_signed_on: dt.date
    start_date: dt.date
    last_transfer: dt.date | None = None
    account: tuple[dt.date, dt.date | None, int] | None = None  # opened, filed, balance
    deposit: tuple[bool, dt.date | None, dt.date] | None = None  # exempt, lodged, lodge_by
    sheets: dict[str, tuple[int, int, int]] = field(
        default_factory=dict
    )  # month → n, unpaid, total
    # month → workers attending, workers unpaid, unpaid amount, workers short, shortfall
    attendance: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    no_contract: tuple[int, dt.date] | None = None  # workers, first day
    complaints: int = 0


def _month(session: Session, column: Any) -> Any:
    """``YYYY-MM`` of a date column, in the database's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)


def gather(
    session: Session,
    codes: list[str] | None,
    today: dt.date,
    window: tuple[str, str],
    complaint_since: dt.date,
) -> dict[int, ProjectFigures]:
    """Every active or completed project under ``codes`` (None: all) with its figures.
    ``window``: the first and last month whose attendance and pay are checked."""

    def scoped(column: Any) -> Any:
        return literal(True) if codes is None else column.in_(codes)

    out: dict[int, ProjectFigures] = {}
    for r in session.execute(
        select(
            WgProject.id,
            WgProject.division_code,
            WgProject.state,
            WgProject.contract_signed_on,
            WgProject.start_date,
        ).where(WgProject.state.in_(("active", "completed")), scoped(WgProject.division_code))
    ):
        out[r[0]] = ProjectFigures(r[0], r[1], r[2], r[3], r[4])
    if not out:
        return out
    in_scope = select(WgProject.id).where(
        WgProject.state.in_(("active", "completed")), scoped(WgProject.division_code)
    )

    tr = table("wg_labour_transfers")
    for pid, last in (
        ()
        if tr is None
        else session.execute(
            select(tr.c.project_id, func.max(tr.c.paid_on))
            .where(tr.c.project_id.in_(in_scope), tr.c.paid_on <= today)
            .group_by(tr.c.project_id)
        )
    ):
        out[pid].last_transfer = last

    acc = table("wg_wage_accounts")
    for pid, opened, filed, balance in (
        ()
        if acc is None
        else session.execute(
            select(acc.c.project_id, acc.c.opened_on, acc.c.filed_on, acc.c.balance).where(
                acc.c.project_id.in_(in_scope)
            )
        )
    ):
        out[pid].account = (opened, filed, int(balance))

    dep = table("wg_deposits")
    for pid, exempt, lodged, lodge_by in (
        ()
        if dep is None
        else session.execute(
            select(dep.c.project_id, dep.c.exempt, dep.c.lodged_on, dep.c.lodge_by).where(
                dep.c.project_id.in_(in_scope)
            )
        )
    ):
        out[pid].deposit = (bool(exempt), lodged, lodge_by)

    sh = table("wg_pay_sheets")
    for pid, month, n, unpaid, total in (
        ()
        if sh is None
        else session.execute(
            select(
                sh.c.project_id,
                sh.c.month,
                func.count(),
                func.sum(case((sh.c.state != "paid", sh.c.total), else_=0)),
                func.sum(sh.c.total),
            )
            .where(sh.c.project_id.in_(in_scope), sh.c.month >= window[0])
            .group_by(sh.c.project_id, sh.c.month)
        )
    ):
        out[pid].sheets[month] = (int(n), int(unpaid or 0), int(total or 0))

    _attendance(session, out, in_scope, window)

    cp = table("wg_complaints")
    for pid, n in (
        ()
        if cp is None
        else session.execute(
            select(cp.c.project_id, func.count())
            .where(
                cp.c.project_id.in_(in_scope),
                cp.c.received_on >= complaint_since,
                cp.c.received_on <= today,
            )
            .group_by(cp.c.project_id)
        )
    ):
        out[pid].complaints = int(n)
    return out


def _attendance(
    session: Session, out: dict[int, ProjectFigures], in_scope: Any, window: tuple[str, str]
) -> None:
    """Each project's months of attendance (the summary the ingest keeps, one row per worker
    and month), against what was paid for the same worker and month: the payments of issued
    pay runs (the bank file written), so a line held in dispute or without a card, or a run not
    yet issued, is not counted as paid. One query, joined in SQL."""
    am, pm, run = table("wg_attendance_months"), table("wg_payments"), table("wg_pay_runs")
    if am is None or pm is None or run is None:
        return
    paid = (
        select(pm.c.worker_id, pm.c.month, func.sum(pm.c.amount).label("gross"))
        .join(run, run.c.id == pm.c.run_id)
        .where(
            run.c.state == "issued",
            pm.c.project_id.in_(in_scope),
            pm.c.month >= window[0],
            pm.c.month <= window[1],
        )
        .group_by(pm.c.worker_id, pm.c.month)
        .subquery("paid")
    )
    expected = case(
        (WgWorker.rate_kind == "day", WgWorker.rate * am.c.days),
        (WgWorker.rate_kind == "hour", WgWorker.rate * am.c.minutes / 60),
        else_=0,
    )
    short = expected - func.coalesce(paid.c.gross, 0)
    before_contract = am.c.first_day < WgWorker.contract_signed_on
    rows = session.execute(
        select(
            am.c.project_id,
            am.c.month,
            func.count(),
            func.sum(case((paid.c.gross.is_(None), 1), else_=0)),
            func.sum(case((paid.c.gross.is_(None), expected), else_=0)),
            func.sum(case((and_(paid.c.gross.is_not(None), short > 0), 1), else_=0)),
            func.sum(case((and_(paid.c.gross.is_not(None), short > 0), short), else_=0)),
            func.sum(case((before_contract, 1), else_=0)),
            func.min(case((before_contract, am.c.first_day), else_=None)),
        )
        .select_from(am)
        .join(WgWorker, WgWorker.id == am.c.worker_id)
        .outerjoin(paid, and_(paid.c.worker_id == am.c.worker_id, paid.c.month == am.c.month))
        .where(am.c.project_id.in_(in_scope), am.c.month >= window[0], am.c.month <= window[1])
        .group_by(am.c.project_id, am.c.month)
    )
    for pid, mon, n, unpaid, unpaid_amount, short_n, shortfall, nc, nc_first in rows:
        if pid not in out:
            continue
        f = out[pid]
        f.attendance[mon] = (
            int(n),
            int(unpaid or 0),
            int(unpaid_amount or 0),
            int(short_n or 0),
            int(shortfall or 0),
        )
        if nc:
            if isinstance(nc_first, str):
                nc_first = dt.date.fromisoformat(nc_first)
            workers, day = f.no_contract or (0, nc_first)
            f.no_contract = (max(workers, int(nc)), min(day, nc_first))
