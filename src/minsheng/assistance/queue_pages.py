"""The caseworker's queue as pages of rows read from the database: filtered (programme, state,
due), sorted, paged with the total shown — never a silent cap — and exported as CSV.

A supervisor's whole-region queue of open warnings is the same query with the whole region in
scope: 412 open warnings are 17 pages of 25, "1–25 of 412", never 200 of them in one page.
Everything here is bounded by the caller's region (``cases.in_region``): another county's case
is neither listed nor exported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from minsheng.assistance import monitoring, vocab
from minsheng.assistance.household import params
from minsheng.assistance.models import PROGRAMMES, Case, Warning
from minsheng.assistance.service import OPEN_STATES
from minsheng.cases import engine as cases
from minsheng.core import divisions, money
from minsheng.core.export import csv_bytes
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Household
from minsheng.webkit.deps import uow
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, PER_PAGE, Page, page_number

router = APIRouter(include_in_schema=False)

DUE = ("overdue", "week")  # the due filter: past its deadline, or due within 7 days
DUE_SOON_DAYS = 7  # "due this week": a desk's view, not a policy figure
SORTS = ("due", "newest", "programme")
QUEUE_STATES = (*OPEN_STATES, "approved")  # approved: its review is due
MAX_CSV_ROWS = 10_000  # rows of one export (a region's whole queue is far fewer); more is refused

CSV_HEADER = (
    "case_id",
    "programme",
    "programme_zh",
    "household_code",
    "division_code",
    "state",
    "state_zh",
    "applied_on",
    "due_on",
    "notice_end",
    "review_due",
    "overdue",
    "amount_yuan",
    "amount_kind",
)


@dataclass(frozen=True)
class Filters:
    """What the queue page was asked for (anything unknown is ignored, not an error)."""

    programme: str = ""
    state: str = ""
    due: str = ""
    sort: str = "due"

    @classmethod
    def of(cls, programme: str, state: str, due: str, sort: str) -> Filters:
        return cls(
            programme if programme in PROGRAMMES else "",
            state if state in QUEUE_STATES else "",
            due if due in DUE else "",
            sort if sort in SORTS else "due",
        )

    def query(self) -> dict[str, str]:
        """The filters as query parameters (kept by the pager's links and the CSV link)."""
        out = {"programme": self.programme, "state": self.state, "due": self.due}
        if self.sort != "due":
            out["sort"] = self.sort
        return {k: v for k, v in out.items() if v}


def _deadline() -> Any:
    return func.coalesce(Case.due_on, Case.review_due)


def case_query(by: Principal, f: Filters, today: dt.date) -> Select[Any]:
    """The queue's cases in ``by``'s region: open applications, and decisions whose review is
    due within the reminder period (the queue's rule in ``service.queue``), filtered."""
    notice = params(today, divisions.REGION_CODE).count("assistance.monitoring.review_notice_days")
    soon = today + dt.timedelta(days=notice)
    q: Select[Any] = select(Case).where(
        Case.state.in_(OPEN_STATES) | ((Case.state == "approved") & (Case.review_due <= soon))
    )
    q = cases.in_region(q, Case.division_code, by)
    if f.programme:
        q = q.where(Case.programme == f.programme)
    if f.state:
        q = q.where(Case.state == f.state)
    if f.due == "overdue":
        q = q.where(_deadline() < today)
    elif f.due == "week":
        q = q.where(_deadline() <= today + dt.timedelta(days=DUE_SOON_DAYS))
    order: tuple[Any, ...] = {
        "due": (_deadline(), Case.id),
        "newest": (Case.applied_on.desc(), Case.id.desc()),
        "programme": (Case.programme, _deadline(), Case.id),
    }[f.sort]
    return q.order_by(*order)


def warning_query(by: Principal, state: str = "", due: str = "") -> Select[Any]:
    """Open warnings of ``by``'s region, earliest deadline first."""
    q: Select[Any] = select(Warning).where(Warning.state.in_(monitoring.OPEN))
    q = cases.in_region(q, Warning.division_code, by)
    if state in monitoring.OPEN:
        q = q.where(Warning.state == state)
    today = dt.date.today()
    if due == "overdue":
        q = q.where(Warning.deadline < today)
    elif due == "week":
        q = q.where(Warning.deadline <= today + dt.timedelta(days=DUE_SOON_DAYS))
    return q.order_by(Warning.deadline, Warning.id)


def page_of(
    session: Session,
    stmt: Select[Any],
    raw_page: str,
    base: str,
    query: dict[str, str],
    param: str = "page",
    per_page: int = PER_PAGE,
) -> Page[Any]:
    """One page of ``stmt``'s rows, read with LIMIT/OFFSET, and the total counted in the
    database: every row is reachable, none is dropped at a cap."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(page_number(raw_page), pages)
    rows = session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(
        items=list(rows),
        number=number,
        pages=pages,
        total=total,
        per_page=per_page,
        base=base,
        query=tuple(query.items()),
        param=param,
    )


def household_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Household.id, Household.code).where(Household.id.in_(ids)))
    return {i: c for i, c in rows.all()}


def amount_kind(programme: str) -> str:
    """``one_off`` for 临时救助 (paid once), ``monthly`` for every other programme."""
    return "one_off" if programme == "temporary" else "monthly"


def csv_rows(session: Session, found: Sequence[Case], today: dt.date) -> list[tuple[object, ...]]:
    codes = household_codes(session, {c.household_id for c in found})
    rows: list[tuple[object, ...]] = []
    for c in found:
        deadline = c.due_on if c.state in OPEN_STATES else c.review_due
        rows.append(
            (
                c.id,
                c.programme,
                vocab.PROGRAMMES[c.programme][0],
                codes.get(c.household_id, ""),
                c.division_code,
                c.state,
                vocab.STATES[c.state][0],
                c.applied_on.isoformat(),
                c.due_on.isoformat() if c.due_on else "",
                c.notice_end.isoformat() if c.notice_end else "",
                c.review_due.isoformat() if c.review_due else "",
                "yes" if cases.overdue(deadline, today) else "no",
                money.to_str(c.monthly_amount) if c.monthly_amount else "",
                amount_kind(c.programme),
            )
        )
    return rows


@router.get("/assistance/queue.csv")
def queue_csv(
    request: Request,
    programme: str = Query("", max_length=MAX_PAGE_CHARS),
    state: str = Query("", max_length=MAX_PAGE_CHARS),
    due: str = Query("", max_length=MAX_PAGE_CHARS),
    sort: str = Query("due", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("assistance:read")),
) -> Response:
    """The queue as filtered on the page, as CSV (docs/formats.md): the caller's region only."""
    request.state.private = True
    today = dt.date.today()
    f = Filters.of(programme, state, due, sort)
    with uow(request) as s:
        found: list[Case] = list(s.scalars(case_query(by, f, today).limit(MAX_CSV_ROWS)))
        rows = csv_rows(s, found, today)
        audit.record(
            s, by, "export", "assistance_case", None, by.region, {"rows": len(rows), **f.query()}
        )
    return Response(
        csv_bytes(CSV_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="assistance-queue-{today}.csv"'},
    )
