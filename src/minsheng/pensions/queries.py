"""What other programmes may ask of pensions — its published queries (another programme never
reads the pension tables; ``tests/test_architecture.py`` enforces it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.pensions.models import PnAward


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start.replace(day=1)
    while day < end:
        out.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def pension_income(
    session: Session, person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, int]:
    """The pension each person is entitled to (fen) for the months from ``start`` up to, not
    including, ``end``: the award's monthly amount for every month from its first month, until
    the month its termination begins after (a death in July: July is due, August is not). A
    suspended award still counts — the withheld months are paid on resumption. Social
    assistance counts it as the household's verified income (信息核对) beside what the
    caseworker recorded."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    months = _months(start, end)
    out: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(
                PnAward.person_id, PnAward.start_month, PnAward.monthly, PnAward.terminated_on
            ).where(PnAward.person_id.in_(ids[i : i + 500]))
        ).all()
        for person_id, first, monthly, ended in rows:
            due = [m for m in months if f"{m:%Y-%m}" >= first and (ended is None or m < ended)]
            if due:
                out[person_id] = out.get(person_id, 0) + int(monthly) * len(due)
    return out
