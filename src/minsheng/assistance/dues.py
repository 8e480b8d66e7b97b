"""What is due for a month (应发): every approved 低保 and 特困 case (until the month its stop
takes effect, as ``assistance.payment.stop_month_paid`` says), each one-off 临时救助 once, and
the person benefits of everyone alive on the first of the month — 残疾人两项补贴 by disability
grade, 高龄老人补贴 by age, 孤儿基本生活费 — each with the key that makes paying it twice
impossible (benefit, case or person, month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from minsheng.assistance import rules
from minsheng.assistance.household import add_months, age_on, grade_on, params
from minsheng.assistance.models import Case
from minsheng.assistance.steps import PAID_PROGRAMMES
from minsheng.core import divisions
from minsheng.registry import service as registry
from minsheng.registry.models import Person


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    case_id: int | None
    household_id: int
    person_id: int
    division_code: str
    amount: int


def _last_paid_month(case: Case, stop_month_paid: bool) -> dt.date | None:
    if case.stopped_on is None:
        return None
    stop = case.stopped_on.replace(day=1)
    return stop if stop_month_paid else add_months(stop, -1)


def due(session: Session, month: dt.date, prefix: str) -> list[Due]:
    """Everything due for ``month`` in the region, paid or not yet."""
    key = f"{month:%Y-%m}"
    out: list[Due] = []
    month_end = add_months(month, 1) - dt.timedelta(days=1)
    cases = session.scalars(
        select(Case).where(
            Case.division_code.like(prefix + "%"),
            Case.state.in_(("approved", "stopped")),
            Case.decided_on.is_not(None),
            Case.decided_on <= month_end,
        )
    ).all()
    heads = dict(
        session.execute(
            select(Person.household_id, Person.id).where(
                Person.relationship_to_head == "head", Person.division_code.like(prefix + "%")
            )
        ).all()
    )
    poor_households: set[int] = set()
    for case in cases:
        assert case.decided_on is not None
        p = params(month, case.division_code)
        first = add_months(
            case.decided_on.replace(day=1), p.count("assistance.payment.first_month_offset")
        )
        last = _last_paid_month(case, p.count("assistance.payment.stop_month_paid") == 1)
        payee = case.person_id or heads.get(case.household_id)
        if payee is None:
            continue
        if case.programme == "temporary":
            if case.state == "approved" and case.monthly_amount > 0 and month >= first:
                out.append(
                    Due(
                        f"temporary:c{case.id}",
                        "temporary",
                        case.id,
                        case.household_id,
                        payee,
                        case.division_code,
                        case.monthly_amount,
                    )
                )
            continue
        if case.programme not in PAID_PROGRAMMES or month < first:
            continue
        if last is not None and month > last:
            continue
        poor_households.add(case.household_id)
        if case.monthly_amount > 0:
            out.append(
                Due(
                    f"{case.programme}:c{case.id}:{key}",
                    case.programme,
                    case.id,
                    case.household_id,
                    payee,
                    case.division_code,
                    case.monthly_amount,
                )
            )
    out += _person_benefits(session, month, prefix, poor_households)
    return out


def _person_benefits(session: Session, month: dt.date, prefix: str, poor: set[int]) -> list[Due]:
    """Person benefits for everyone alive on the first of the month, vectorised per region."""
    people = session.scalars(
        select(Person)
        .where(
            Person.division_code.like(prefix + "%"),
            Person.household_id.is_not(None),
            (Person.death_date.is_(None)) | (Person.death_date >= month),
        )
        .options(selectinload(Person.statuses))
    ).all()
    out: list[Due] = []
    by_region: dict[str, list[Person]] = {}
    for person in people:
        by_region.setdefault(divisions.pooling_region(person.division_code), []).append(person)
    for region_people in by_region.values():
        p = params(month, region_people[0].division_code)
        age = np.array([age_on(x, month) for x in region_people], dtype=np.int64)
        grade = np.array([grade_on(x, month) for x in region_people], dtype=np.int64)
        orphan = np.array(
            ["orphan" in registry.statuses_on(x, month) for x in region_people], dtype=np.bool_
        )
        in_poor = np.array([x.household_id in poor for x in region_people], dtype=np.bool_)
        amounts = rules.person_benefits(p, age, grade, in_poor, orphan)
        for kind, col in amounts.items():
            for j in np.nonzero(col)[0]:
                x = region_people[int(j)]
                assert x.household_id is not None
                out.append(
                    Due(
                        f"{kind}:p{x.id}:{month:%Y-%m}",
                        kind,
                        None,
                        x.household_id,
                        x.id,
                        x.division_code,
                        int(col[j]),
                    )
                )
    return out
