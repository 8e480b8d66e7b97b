"""Job seekers (求职登记) that file themselves from the registry (the filing itself:
:mod:`minsheng.employment.seeker_filing`).

An ID number, swiped or typed, is enough: it is checked (:mod:`minsheng.core.ids`), the person
is found through the registry by the number's keyed hash (the number is neither stored here,
logged, nor put in an error) and the record opens prefilled — the county of residence, and the
status where the registry makes it clear (an open employee insurance enrolment: employed; else
unemployed). One record per person (``em_seekers.person_id`` is unique): a second registration,
even a concurrent one, answers the record that exists.

The seeker (or a caseworker) completes the profile (:func:`update_profile`), changes the status
with its history (:func:`set_status`), and re-confirms interest every
``employment.seeker.reconfirm_days`` (:func:`confirm`); the nightly :func:`lapse_stale` takes
records not re-confirmed in time out of the pool. Employers see only a consenting, active seeker
(:func:`visible_to_employers`): withdrawing consent hides the profile at once.

Who sees a record: staff of the region that covers the seeker's county (another county's record
answers 404 like a missing one), the citizen their own, the platform all; a recruiter (role
``employer``) a seeker who is visible to employers.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.employment import search_sync  # noqa: F401  (keeps the search rows in step)
from minsheng.employment import seeker_checks as checks
from minsheng.employment.seeker_models import (
    STATUSES,
    EmSeeker,
    EmSeekerStatus,
)
from minsheng.employment.seeker_schemas import ProfileIn
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.existence import find_by_id_number

EMPLOYER_PERMISSION = "employment:employer"


def missing_seeker(field: str = "seeker_id") -> NotFoundError:
    return NotFoundError(field, "没有这个求职登记", "no such job seeker", "ལས་འཚོལ་མཁན་འདི་མེད།")


def not_in_registry() -> NotFoundError:
    return NotFoundError(
        "id_number",
        "人员库中没有该身份证号的人员：请先到户籍或社区登记身份",
        "no person in the registry has this ID number: register the identity first",
        "མི་སྣའི་ཐོ་ཁོངས་སུ་ཐོབ་ཐང་ལག་ཁྱེར་ཨང་འདིའི་མི་མེད།",
    )


def _param(name: str, day: dt.date, division: str = divisions.REGION_CODE) -> Any:
    return load().at(day, division)[f"employment.seeker.{name}"]


def reconfirm_days(day: dt.date, division: str = divisions.REGION_CODE) -> int:
    return int(_param("reconfirm_days", day, division))


def reconfirm_by(seeker: EmSeeker) -> dt.date:
    """The last day a re-confirmation keeps the record in the pool."""
    days = reconfirm_days(seeker.confirmed_on, seeker.division_code)
    return seeker.confirmed_on + dt.timedelta(days=days)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def loads(text: str | None) -> list[str]:
    """A list column's values."""
    value = json.loads(text or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


# --- finding -------------------------------------------------------------------------------


_OF_PERSON = select(EmSeeker).where(EmSeeker.person_id == bindparam("person_id"))


def seeker_of_person(session: Session, person_id: int) -> EmSeeker | None:
    """The person's seeker record, if they registered (no access check: a helper for services)."""
    return session.scalar(_OF_PERSON, {"person_id": person_id})


def visible_to_employers(query: Any) -> Any:
    """Restrict ``query`` (a select involving :class:`EmSeeker`) to the seekers employers may see:
    consent given and the record active (not lapsed or closed)."""
    return query.where(and_(EmSeeker.consent.is_(True), EmSeeker.state == "active"))


def is_recruiter(by: Principal) -> bool:
    """An employer's recruiter (``employment:employer`` without the caseworker's reads)."""
    return by.kind != "system" and by.can(EMPLOYER_PERMISSION) and not by.can("employment:read")


def visible_seekers(query: Any, by: Principal) -> Any:
    """Restrict ``query`` (a select involving :class:`EmSeeker`) to the records ``by`` sees."""
    if by.kind == "system":
        return query
    if by.kind == "citizen":
        return query.where(EmSeeker.person_id == (by.person_id or -1))
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(EmSeeker.id == -1)
    codes = by.covered_codes()
    if is_recruiter(by):  # whether they are bound to an employer is the caller's to check
        return visible_to_employers(query)
    if codes is not None:
        query = query.where(EmSeeker.division_code.in_(codes))
    return query


def get_seeker(
    session: Session, seeker_id: int, by: Principal, *, for_update: bool = False
) -> EmSeeker:
    """The record ``seeker_id`` as ``by`` may see it, or 404 (the same for another region's)."""
    if is_recruiter(by) and employers.employer_of(session, by.user_id) is None:
        raise missing_seeker()  # a recruiter bound to no employer sees nothing
    query = visible_seekers(select(EmSeeker).where(EmSeeker.id == seeker_id), by)
    if for_update:
        query = query.with_for_update()
    seeker: EmSeeker | None = session.scalar(query)
    if seeker is None:
        raise missing_seeker()
    return seeker


def find_by_id(session: Session, id_number: str, by: Principal) -> EmSeeker:
    """The seeker whose ID number this is (a desk's search), or 404."""
    number = ids.parse_resident_id(id_number, "id_number").number
    person = find_by_id_number(session, number)
    found = seeker_of_person(session, person.id) if person is not None else None
    if found is None:
        raise missing_seeker("id_number")
    try:
        return get_seeker(session, found.id, by)
    except NotFoundError:
        raise missing_seeker("id_number") from None  # another region's: as a missing one


# --- registration --------------------------------------------------------------------------


def update_profile(
    session: Session, seeker_id: int, data: ProfileIn, by: Principal, now: dt.datetime | None = None
) -> EmSeeker:
    """Change the fields ``data`` sets (validated all first: a refusal changes nothing)."""
    seeker = get_seeker(session, seeker_id, by, for_update=True)
    if is_recruiter(by):
        raise missing_seeker()  # a recruiter reads, never edits
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    if "education" in given:
        changes["education"] = checks.education(data.education)
    if "major" in given:
        changes["major"] = (data.major or "").strip() or None
    for name in ("skills", "certificates"):
        if name in given:
            changes[name] = json.dumps(
                checks.items(getattr(data, name) or [], name), ensure_ascii=False
            )
    if "occupations" in given:
        changes["occupations"] = json.dumps(checks.occupations(data.occupations or []))
    if "counties" in given:
        changes["counties"] = json.dumps(checks.counties(data.counties or []))
    if "languages" in given:
        changes["languages"] = json.dumps(checks.languages(data.languages or []))
    if "wage_min" in given:
        changes["wage_min"] = checks.wage(data.wage_min)
    if "available_from" in given:
        changes["available_from"] = data.available_from
    if "consent" in given and data.consent is not None and data.consent != seeker.consent:
        changes["consent"] = data.consent
        changes["consent_at"] = now or dt.datetime.now(dt.UTC)
    changed = {k: v for k, v in changes.items() if getattr(seeker, k) != v}
    if not changed:
        return seeker
    for key, value in changed.items():
        setattr(seeker, key, value)
    seeker.updated_at = now or dt.datetime.now(dt.UTC)
    detail: dict[str, Any] = {"fields": sorted(changed)}
    if "consent" in changed:
        detail["consent"] = changed["consent"]
    audit.record(
        session, by, "update_profile", "em_seeker", seeker.id, seeker.division_code, detail
    )
    session.flush()
    return seeker


# --- status, re-confirmation ---------------------------------------------------------------


def history(session: Session, seeker_id: int) -> list[EmSeekerStatus]:
    """The status history, oldest first (its last row is the current status)."""
    return list(
        session.scalars(
            select(EmSeekerStatus)
            .where(EmSeekerStatus.seeker_id == seeker_id)
            .order_by(EmSeekerStatus.from_day, EmSeekerStatus.id)
        )
    )


def set_status(
    session: Session,
    seeker_id: int,
    status: str,
    graduate_year: int | None,
    from_day: dt.date | None,
    by: Principal,
    today: dt.date | None = None,
) -> EmSeeker:
    """A new status from ``from_day`` (not before the last change, not after today)."""
    today = today or dt.date.today()
    from_day = from_day or today
    seeker = get_seeker(session, seeker_id, by, for_update=True)
    if is_recruiter(by):
        raise missing_seeker()
    if status not in STATUSES:
        raise invalid(
            "status",
            "status",
            "就业状态应为：失业、已就业、在校学生、毕业生",
            "status is one of " + ", ".join(STATUSES),
            "ལས་ཞུགས་གནས་སྟངས་ནོར་འདུག",
        )
    if status == "graduate":
        if graduate_year is None or not 1950 <= graduate_year <= today.year + 1:
            raise invalid(
                "graduate_year",
                "graduate_year",
                f"毕业生须填写毕业年份（1950–{today.year + 1}）",
                f"a graduate gives the year of graduation (1950–{today.year + 1})",
                "སློབ་མཐར་ཕྱིན་པའི་ལོ་འབྲི་དགོས།",
            )
    else:
        graduate_year = None
    if from_day > today:
        raise invalid(
            "from_day",
            "future",
            "状态变更日期不能晚于今天",
            "a status starts today at the latest",
            "ཚེས་གྲངས་དེ་རིང་ལས་འགྱངས་མི་ཆོག",
        )
    rows = history(session, seeker.id)
    if rows and from_day < rows[-1].from_day:
        raise invalid(
            "from_day",
            "before_last",
            f"状态变更日期不能早于上一次变更（{rows[-1].from_day.isoformat()}）",
            f"a status starts on or after the last change ({rows[-1].from_day.isoformat()})",
            "ཚེས་གྲངས་སྔོན་མའི་འགྱུར་བ་ལས་སྔ་མི་ཆོག",
        )
    if seeker.status == status and seeker.graduate_year == graduate_year:
        return seeker  # a retried request changes nothing
    seeker.status = status
    seeker.graduate_year = graduate_year
    seeker.updated_at = dt.datetime.now(dt.UTC)
    session.add(
        EmSeekerStatus(
            seeker_id=seeker.id,
            status=status,
            graduate_year=graduate_year,
            from_day=from_day,
            by=by.actor[:64],
        )
    )
    audit.record(
        session,
        by,
        "set_status",
        "em_seeker",
        seeker.id,
        seeker.division_code,
        {"status": status, "graduate_year": graduate_year, "from_day": from_day.isoformat()},
    )
    session.flush()
    return seeker


def confirm(
    session: Session, seeker_id: int, by: Principal, today: dt.date | None = None
) -> EmSeeker:
    """Re-confirmation of interest: the record stays (or comes back) in the pool from today."""
    today = today or dt.date.today()
    seeker = get_seeker(session, seeker_id, by, for_update=True)
    if is_recruiter(by):
        raise missing_seeker()
    if seeker.state == "closed":
        raise ConflictError(
            "seeker_id",
            "closed",
            "该求职登记已注销",
            "this job seeker's record is closed",
            "ལས་འཚོལ་ཐོ་འགོད་འདི་མེད་པར་བཟོས་ཟིན།",
        )
    if seeker.confirmed_on == today and seeker.state == "active":
        return seeker
    was = seeker.state
    seeker.confirmed_on = max(today, seeker.confirmed_on)
    seeker.state = "active"
    seeker.updated_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        by,
        "confirm",
        "em_seeker",
        seeker.id,
        seeker.division_code,
        {"was": was, "on": today.isoformat()},
    )
    session.flush()
    return seeker


def lapse_stale(session: Session, today: dt.date, by: Principal) -> int:
    """The nightly sweep: active records not re-confirmed within ``reconfirm_days`` lapse (out
    of the pool until re-confirmed). Answers how many lapsed."""
    days = reconfirm_days(today)
    cutoff = today - dt.timedelta(days=days)
    query = visible_seekers(
        select(EmSeeker).where(EmSeeker.state == "active", EmSeeker.confirmed_on < cutoff), by
    ).with_for_update()
    stale = list(session.scalars(query))
    for seeker in stale:
        seeker.state = "lapsed"
        seeker.updated_at = dt.datetime.now(dt.UTC)
    if stale:
        audit.record(
            session,
            by,
            "lapse",
            "em_seeker",
            None,
            by.region,
            {"count": len(stale), "cutoff": cutoff.isoformat(), "ids": [s.id for s in stale][:500]},
        )
    session.flush()
    return len(stale)


__all__ = [
    "age_on",
    "confirm",
    "find_by_id",
    "get_seeker",
    "history",
    "is_recruiter",
    "lapse_stale",
    "loads",
    "missing_seeker",
    "reconfirm_by",
    "seeker_of_person",
    "set_status",
    "update_profile",
    "visible_seekers",
    "visible_to_employers",
]
