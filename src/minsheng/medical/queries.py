"""What other programmes may ask of medical security — its published queries.

Another programme never reads the medical ledger's tables; it calls a function here, which
says in policy words what it answers. ``tests/test_architecture.py`` enforces this: outside
``medical/`` only ``medical.queries`` (and the pure ``medical.rules``) may be imported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.medical.models import Settlement
from minsheng.registry.models import Person


def own_share_by_person(session: Session, year: int, division_prefix: str) -> list[tuple[int, int]]:
    """Each person's own share of this year's settled bills (个人自付, after every fund, in
    fen; reversals count negative), for people registered in a division starting with
    ``division_prefix`` — one row per person with any settlement. The early warning of
    low-income people (assistance) reads large medical spending from here."""
    rows = session.execute(
        select(Settlement.person_id, func.sum(Settlement.patient))
        .join(Person, Person.id == Settlement.person_id)
        .where(Settlement.year == year, Person.division_code.like(division_prefix + "%"))
        .group_by(Settlement.person_id)
    ).all()
    return [(int(pid), int(total)) for pid, total in rows]


def settled_since(session: Session, division_prefix: str, since: dt.date) -> set[int]:
    """The persons registered in a division starting with ``division_prefix`` who had a bill
    settled (not a reversal) with a service date on or after ``since`` — evidence that they
    were alive then, which pension certification reads (待遇领取资格认证, data matching)."""
    return set(
        session.scalars(
            select(Settlement.person_id)
            .join(Person, Person.id == Settlement.person_id)
            .where(
                Settlement.kind == "settle",
                Settlement.service_date >= since,
                Person.division_code.like(division_prefix + "%"),
            )
            .distinct()
        )
    )
