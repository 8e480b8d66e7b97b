"""Filing a person as a job seeker (求职登记): the checks and the opening of the record.

The person is found by the keyed hash of an ID number (or is the citizen signed in), must lie in
the caller's region (another region's person answers like a missing one), be alive and of the
minimum age (``employment.seeker.min_age``); the record opens with the county of residence and
the status the registry makes clear (an open employee insurance enrolment: employed; else
unemployed). One record per person: a second registration, even a concurrent one, answers the
record that exists (``INSERT … ON CONFLICT DO NOTHING``, :func:`minsheng.db.insert_new`).
:func:`plan_filing` reads all of it before a write, so SQLite's write lock is held for the
writing alone (:func:`file_planned`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from minsheng.core import divisions, ids
from minsheng.core.errors import MinshengError, invalid
from minsheng.db import insert_new, lost_race
from minsheng.employment import search_sync
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.employment.seekers import _param, age_on, not_in_registry, seeker_of_person
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Enrolment, Person

_EMPLOYED = (
    select(Enrolment.id)
    .where(
        Enrolment.person_id == bindparam("person_id"),
        Enrolment.scheme == "employee_active",
        Enrolment.start_date <= bindparam("today"),
        (Enrolment.end_date.is_(None)) | (Enrolment.end_date >= bindparam("today")),
    )
    .limit(1)
)  # built once: every swipe at a fair's entrance asks it


def _status_from_registry(session: Session, person: Person, today: dt.date) -> str:
    employed = session.scalar(_EMPLOYED, {"person_id": person.id, "today": today})
    return "employed" if employed is not None else "unemployed"


def _check_region(person: Person, by: Principal) -> None:
    if by.kind == "citizen":
        if person.id != by.person_id:
            raise not_in_registry()
    elif not by.covers(person.division_code):
        raise not_in_registry()  # another region's person answers like a missing one


def _check_person(person: Person, by: Principal, today: dt.date) -> None:
    if person.death_date is not None:
        raise invalid(
            "id_number", "deceased", "该人员已死亡", "this person has died", "མི་འདི་འདས་ཟིན།"
        )
    youngest = int(_param("min_age", today, person.division_code))
    if age_on(person.birth_date, today) < youngest:
        raise invalid(
            "id_number",
            "too_young",
            f"未满{youngest}周岁，不能办理求职登记",
            f"a person under {youngest} cannot register as a job seeker",
            f"ལོ་{youngest}མ་ལོན་པར་ལས་འཚོལ་ཐོ་འགོད་བྱེད་མི་ཆོག",
        )


_STATUS = insert(EmSeekerStatus.__table__)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Filing:
    """A person's seeker record as read before a write (:func:`plan_filing`): the record they
    have, else the status a record opened now starts with (None: none may be opened here)."""

    existing: EmSeeker | None
    status: str | None


def plan_filing(session: Session, person: Person, by: Principal, today: dt.date) -> Filing:
    """What :func:`open_for` would do, read only — e.g. before SQLite's write lock, which then
    is held for the writing alone (:func:`file_planned`)."""
    existing = seeker_of_person(session, person.id)
    if existing is not None:
        return Filing(existing, None)
    try:
        _check_region(person, by)
        _check_person(person, by, today)
    except MinshengError:  # refused: region, age, death — nothing to open
        return Filing(None, None)
    return Filing(None, _status_from_registry(session, person, today))


def file_planned(
    session: Session, person: Person, filing: Filing, by: Principal, today: dt.date
) -> EmSeeker | None:
    """The record ``filing`` names, or one opened now as it planned (a record opened since the
    plan was read — a concurrent registration — is answered instead)."""
    if filing.status is None:
        return filing.existing
    return _open(session, person, filing.status, by, today)[0]


def open_for(
    session: Session, person: Person, by: Principal, today: dt.date
) -> tuple[EmSeeker, bool]:
    """The person's record, opened now if they had none: (record, whether it was opened)."""
    _check_region(person, by)
    existing = seeker_of_person(session, person.id)
    if existing is not None:
        return existing, False
    _check_person(person, by, today)
    return _open(session, person, _status_from_registry(session, person, today), by, today)


def _open(
    session: Session, person: Person, status: str, by: Principal, today: dt.date
) -> tuple[EmSeeker, bool]:
    county = divisions.get(person.division_code).code
    seeker = insert_new(
        session,
        EmSeeker,
        {
            "person_id": person.id,
            "division_code": county,
            "skills": "[]",
            "certificates": "[]",
            "occupations": "[]",
            "counties": json.dumps([county]),
            "languages": "[]",
            "consent": False,
            "status": status,
            "confirmed_on": today,
            "state": "active",
        },
        ["person_id"],
    )
    if seeker is None:  # a concurrent registration of the same person won
        found = seeker_of_person(session, person.id)
        if found is None:
            raise lost_race("id_number")
        return found, False
    search_sync.opened(session, seeker)
    session.execute(
        _STATUS,
        {"seeker_id": seeker.id, "status": status, "from_day": today, "by": by.actor[:64]},
    )
    audit.record(
        session,
        by,
        "register",
        "em_seeker",
        seeker.id,
        county,
        {"person_id": person.id, "status": status},
    )
    return seeker, True


def register(
    session: Session, id_number: str, by: Principal, today: dt.date | None = None
) -> tuple[EmSeeker, bool]:
    """:func:`register_by_id`, also telling whether the record was opened by this call."""
    today = today or dt.date.today()
    number = ids.parse_resident_id(id_number, "id_number", today).number
    person = find_by_id_number(session, number)
    if person is None:
        raise not_in_registry()
    return open_for(session, person, by, today)


def register_by_id(
    session: Session, id_number: str, by: Principal, today: dt.date | None = None
) -> EmSeeker:
    """Open (or answer the existing) seeker record of the person with this ID number."""
    return register(session, id_number, by, today)[0]


def register_self(session: Session, by: Principal, today: dt.date | None = None) -> EmSeeker:
    """A signed-in citizen registers themselves from their identity (no ID number typed)."""
    today = today or dt.date.today()
    person = session.get(Person, by.person_id) if by.person_id is not None else None
    if by.kind != "citizen" or person is None:
        raise not_in_registry()
    return open_for(session, person, by, today)[0]


# --- the profile ---------------------------------------------------------------------------


__all__ = [
    "Filing",
    "file_planned",
    "open_for",
    "plan_filing",
    "register",
    "register_by_id",
    "register_self",
]
