"""What the gig market's pages and API read: a gig and an application as plain data, the
applicants of a gig in the order of priority with their reasons (``gig_rules.priority`` on the
registry's birth date, sex and statuses held on the day), open gigs by county, the region's
gigs and pay disputes, a worker's own applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.cases import engine
from minsheng.core import divisions, money
from minsheng.employment import gig_rules as rules
from minsheng.employment import occupations
from minsheng.employment.gig_models import EmGig, EmGigApplication, EmGigEvent
from minsheng.employment.gigs import county_code, is_recruiter, params, visible
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person, SpecialStatus

# ------------------------------------------------------------------ reading


def active_statuses(session: Session, person_ids: list[int], today: dt.date) -> dict[int, set[str]]:
    """The registry statuses each person holds on ``today``."""
    out: dict[int, set[str]] = {pid: set() for pid in person_ids}
    if not person_ids:
        return out
    rows = session.execute(
        select(SpecialStatus.person_id, SpecialStatus.kind).where(
            SpecialStatus.person_id.in_(person_ids),
            SpecialStatus.start_date <= today,
            (SpecialStatus.end_date.is_(None)) | (SpecialStatus.end_date >= today),
        )
    )
    for pid, kind in rows:
        out[pid].add(kind)
    return out


def applicants(session: Session, gig: EmGig, by: Principal, today: dt.date) -> list[dict[str, Any]]:
    """The gig's applicants, highest priority first, each with the reasons (the read of
    personal data is audited). An employer's recruiter reads which statuses gave the points
    only as ``difficult`` (困难零工): the registry's 低保 or disability status is not the
    employer's to know; the office reads each (``status:<kind>``)."""
    rows = list(
        session.execute(
            select(EmGigApplication, Person)
            .join(Person, Person.id == EmGigApplication.person_id)
            .where(EmGigApplication.gig_id == gig.id)
        )
    )
    p = params(today, gig.division_code)
    held = active_statuses(session, [person.id for _, person in rows], today)
    prio = {
        a.id: rules.priority(p, person.birth_date, person.sex, held[person.id], today)
        for a, person in rows
    }
    ranked = rules.order([rules.Applicant(a.id, prio[a.id]) for a, _ in rows])
    by_id = {a.id: (a, person) for a, person in rows}
    audit.record(session, by, "read_applicants", "em_gig", gig.id, gig.division_code)
    out = []
    for r in ranked:
        a, person = by_id[r.id]
        out.append(
            {
                **application_view(a),
                "name": person.name_zh,
                "name_bo": person.name_bo,
                "id_masked": person.id_masked,
                "age": rules.age_on(person.birth_date, today),
                "points": r.priority.points,
                "reasons": _shown(r.priority.reasons, is_recruiter(by)),
            }
        )
    return out


def _shown(reasons: tuple[str, ...], employer: bool) -> list[str]:
    if not employer:
        return list(reasons)
    plain = [r for r in reasons if not r.startswith("status:")]
    return plain + (["difficult"] if len(plain) < len(reasons) else [])


def gig_view(gig: EmGig, lang: str = "zh") -> dict[str, Any]:
    occ = occupations.table().get(gig.occupation)
    try:
        county_name = divisions.get(gig.division_code).name(lang)
    except Exception:
        county_name = gig.division_code
    return {
        "id": gig.id,
        "title": gig.title,
        "occupation": gig.occupation,
        "occupation_name": occ.name(lang) if occ else gig.occupation,
        "employer_id": gig.employer_id,
        "poster_name": gig.poster_name,
        "county": gig.division_code,
        "county_name": county_name,
        "address": gig.address,
        "day_pay": money.to_str(gig.day_pay),
        "starts_on": gig.starts_on.isoformat(),
        "ends_on": gig.ends_on.isoformat(),
        "slots": gig.slots,
        "accepted": gig.accepted,
        "left": rules.slots_left(gig.slots, gig.accepted),
        "requirements": gig.requirements,
        "state": gig.state,
        "takedown_reason": gig.takedown_reason,
    }


def application_view(a: EmGigApplication) -> dict[str, Any]:
    return {
        "application_id": a.id,
        "gig_id": a.gig_id,
        "state": a.state,
        "applied_on": a.applied_on.isoformat(),
        "checked_in_on": a.checked_in_on.isoformat() if a.checked_in_on else None,
        "completed_on": a.completed_on.isoformat() if a.completed_on else None,
        "paid": money.to_str(a.paid) if a.paid is not None else None,
        "confirmed_on": a.confirmed_on.isoformat() if a.confirmed_on else None,
        "dispute_by": a.dispute_by.isoformat() if a.dispute_by else None,
        "settled": money.to_str(a.settled) if a.settled is not None else None,
    }


def open_gigs(session: Session, today: dt.date, county: str = "", limit: int = 200) -> list[EmGig]:
    """Open gigs not yet over, soonest first; ``county`` only that county's."""
    q = select(EmGig).where(EmGig.state == "open", EmGig.ends_on >= today)
    if county:
        q = q.where(EmGig.division_code == county_code(county))
    return list(session.scalars(q.order_by(EmGig.starts_on, EmGig.id).limit(limit)))


def listing(session: Session, by: Principal, state: str = "", limit: int = 500) -> list[EmGig]:
    """The gigs the caller sees (staff: their region; a recruiter: their employer's)."""
    q = visible(session, select(EmGig), by)
    if state:
        q = q.where(EmGig.state == state)
    return list(session.scalars(q.order_by(EmGig.starts_on.desc(), EmGig.id.desc()).limit(limit)))


def disputes(
    session: Session, by: Principal, limit: int = 500
) -> list[tuple[EmGigApplication, EmGig]]:
    """Open pay disputes of the caller's region, the earliest deadline first."""
    q = engine.in_region(
        select(EmGigApplication, EmGig)
        .join(EmGig, EmGig.id == EmGigApplication.gig_id)
        .where(EmGigApplication.state == "disputed"),
        EmGigApplication.division_code,
        by,
    )
    if is_recruiter(by) or by.kind not in ("staff", "token", "system"):
        return []
    return [
        (a, g)
        for a, g in session.execute(
            q.order_by(EmGigApplication.dispute_by, EmGigApplication.id).limit(limit)
        )
    ]


def mine(session: Session, by: Principal) -> list[tuple[EmGigApplication, EmGig]]:
    """The worker's own applications, the latest gig first."""
    if by.person_id is None:
        return []
    q = (
        select(EmGigApplication, EmGig)
        .join(EmGig, EmGig.id == EmGigApplication.gig_id)
        .where(EmGigApplication.person_id == by.person_id)
        .order_by(EmGig.starts_on.desc(), EmGigApplication.id.desc())
    )
    return [(a, g) for a, g in session.execute(q)]


def events(session: Session, gig_id: int) -> list[EmGigEvent]:
    return list(
        session.scalars(
            select(EmGigEvent).where(EmGigEvent.gig_id == gig_id).order_by(EmGigEvent.id)
        )
    )


def event_out(e: EmGigEvent) -> dict[str, Any]:
    return {
        "day": e.day.isoformat(),
        "application_id": e.application_id,
        "action": e.action,
        "from": e.from_state,
        "to": e.to_state,
        "amount": money.to_str(e.amount) if e.amount is not None else None,
        "note": e.note,
        "by": e.by,
    }


def overdue(a: EmGigApplication, today: dt.date) -> bool:
    """A dispute past its follow-up deadline."""
    return a.state == "disputed" and engine.overdue(a.dispute_by, today)


def home_county(session: Session, by: Principal) -> str:
    """The county the signed-in worker lives in (empty for anyone else)."""
    person = session.get(Person, by.person_id) if by.person_id else None
    return person.division_code if person else ""


__all__ = [
    "active_statuses",
    "applicants",
    "application_view",
    "disputes",
    "event_out",
    "events",
    "gig_view",
    "home_county",
    "listing",
    "mine",
    "open_gigs",
    "overdue",
]
