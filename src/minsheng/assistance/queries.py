"""What other programmes may ask of social assistance — its published queries (another
programme never reads assistance's tables; ``tests/test_architecture.py`` enforces it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.assistance.models import Case, CaseEvent
from minsheng.registry.models import Person


def seen_since(session: Session, division_prefix: str, since: dt.date) -> set[int]:
    """The persons registered in a division starting with ``division_prefix`` whose household
    had a step of an assistance case on or after ``since`` — an application, a home visit
    (入户核查), a review: staff met the household then. Pension certification (待遇领取资格认证)
    reads it as evidence that the person was alive."""
    return set(
        session.scalars(
            select(Person.id)
            .join(Case, Case.household_id == Person.household_id)
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(
                CaseEvent.day >= since,
                Person.division_code.like(division_prefix + "%"),
                Person.death_date.is_(None),
            )
            .distinct()
        )
    )
