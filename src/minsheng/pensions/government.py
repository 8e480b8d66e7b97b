"""The government-paid run (政府代缴): for people in difficulty — the registry's statuses, which
assistance decides — the government pays the resident scheme's tier the parameters name, once
a year, and the finance bureau gets the list as CSV (docs/formats.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import export, money
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions.contributions import (
    existing,
    key_of,
    not_future,
    store_yearly,
    year_params,
)
from minsheng.pensions.enrolment import active_in
from minsheng.pensions.models import PnContribution, PnEnrolment
from minsheng.pensions.rules import PensionParams
from minsheng.policy import ParameterTree
from minsheng.registry.models import Person, SpecialStatus


@dataclass
class GovernmentRun:
    year: int
    new: int  # contributions recorded by this run
    listed: list[dict[str, Any]]  # every government-paid contribution of the year, in region

    def csv(self) -> bytes:
        """The list for the finance bureau (财政代缴清单), through the one CSV writer."""
        header = [
            "year",
            "person_id",
            "name",
            "id_masked",
            "division_code",
            "statuses",
            "tier_yuan",
            "subsidy_yuan",
        ]
        rows = [
            [
                r["year"],
                r["person_id"],
                r["name"],
                r["id_masked"],
                r["division_code"],
                r["statuses"],
                r["tier"],
                r["subsidy"],
            ]
            for r in self.listed
        ]
        return export.csv_bytes(header, rows)


def _difficult(
    statuses: list[SpecialStatus],
    kinds: tuple[str, ...],
    max_grade: int,
    first: dt.date,
    last: dt.date,
) -> list[str]:
    """The statuses that make the government pay (in force on a day of the year)."""
    out = []
    for s in statuses:
        if s.kind not in kinds or not (s.start_date <= last and (s.end_date or last) >= first):
            continue
        if s.kind == "disability" and (s.disability_grade or 99) > max_grade:
            continue
        out.append(s.kind)
    return sorted(set(out))


def government_paid(
    session: Session,
    year: int,
    by: Principal,
    today: dt.date | None = None,
    tree: ParameterTree | None = None,
) -> GovernmentRun:
    """政府代缴: for every resident enrolled in ``year`` in ``by``'s region whose registry
    status is one of ``pensions.resident.government_paid.statuses`` (disability only at a
    grade up to ``severe_disability_max_grade``), record the government-paid tier once.
    Idempotent: a rerun records nothing and lists the same people."""
    today = today or dt.date.today()
    not_future(year, 1, today)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    query = (
        select(PnEnrolment, Person)
        .join(Person, Person.id == PnEnrolment.person_id)
        .where(
            PnEnrolment.scheme == "resident_pension",
            PnEnrolment.start_date <= last,
            (PnEnrolment.end_date.is_(None)) | (PnEnrolment.end_date >= first),
        )
    )
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(PnEnrolment.division_code.in_(codes))
    pairs = session.execute(query.order_by(PnEnrolment.id)).all()
    person_ids = [pe.id for _, pe in pairs]
    statuses: dict[int, list[SpecialStatus]] = {}
    for chunk in range(0, len(person_ids), 500):
        for s in session.scalars(
            select(SpecialStatus).where(
                SpecialStatus.person_id.in_(person_ids[chunk : chunk + 500])
            )
        ):
            statuses.setdefault(s.person_id, []).append(s)
    new = 0
    cache: dict[str, PensionParams] = {}
    for enrolment, person in pairs:
        if person.death_date is not None or not active_in(enrolment, first, last):
            continue
        p = cache.get(enrolment.division_code)
        if p is None:
            p = cache[enrolment.division_code] = year_params(
                year, today, enrolment.division_code, tree
            )
        g = "pensions.resident.government_paid"
        kinds = p.codes(f"{g}.statuses")
        why = _difficult(
            statuses.get(person.id, []),
            kinds,
            p.int_(f"{g}.severe_disability_max_grade"),
            first,
            last,
        )
        if not why:
            continue
        key = key_of("resident_pension", person.id, year, None)
        if existing(session, [key]):
            continue  # paid already (by the person, or by an earlier run)
        tiers = p.tiers()
        paid, subsidy = tiers[p.int_(f"{g}.tier") - 1]
        store_yearly(
            session,
            by,
            enrolment,
            year,
            paid,
            subsidy,
            government=True,
            kind="regular",
            paid_by="government:" + ",".join(why),
            audited=False,
        )
        new += 1
    listed = government_list(session, year, by)
    audit.record(
        session,
        by,
        "run",
        "pn_government_paid",
        year,
        by.region,
        {"year": year, "new": new, "listed": len(listed)},
    )
    return GovernmentRun(year, new, listed)


def government_list(session: Session, year: int, by: Principal) -> list[dict[str, Any]]:
    query = (
        select(PnContribution, Person)
        .join(Person, Person.id == PnContribution.person_id)
        .where(PnContribution.year == year, PnContribution.government_paid.is_(True))
    )
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(PnContribution.division_code.in_(codes))
    return [
        {
            "year": c.year,
            "person_id": c.person_id,
            "name": pe.name_zh,
            "id_masked": pe.id_masked,
            "division_code": c.division_code,
            "statuses": c.paid_by.removeprefix("government:"),
            "tier": money.to_str(c.individual),
            "subsidy": money.to_str(c.subsidy),
        }
        for c, pe in session.execute(query.order_by(PnContribution.person_id)).all()
    ]
