"""What the job seekers' API, pages and CLI show of a record: the person as the registry holds
them (name, masked ID number — never the number —, sex, age, county), the profile, the status and
its history, the state and the day to re-confirm by; and the caseworker's search (name, masked ID,
county), paged in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from minsheng.core import divisions, money
from minsheng.employment import occupations
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.seekers import age_on, history, loads, reconfirm_by, visible_seekers
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person

PER_PAGE = 25  # rows a list page shows: an engineering bound


def N_(message: str) -> str:
    """Mark a msgid for the catalogues (translated where it is shown)."""
    return message


STATUS_LABELS = {
    "unemployed": N_("Unemployed"),
    "employed": N_("Employed"),
    "student": N_("Student"),
    "graduate": N_("Graduate"),
}
STATE_LABELS = {
    "active": N_("Active"),
    "lapsed": N_("Lapsed: re-confirm to return to the pool"),
    "closed": N_("Closed"),
}
EDUCATION_LABELS = {
    "none": N_("No schooling"),
    "primary": N_("Primary school"),
    "junior": N_("Junior middle school"),
    "senior": N_("Senior middle school"),
    "vocational": N_("Vocational school"),
    "college": N_("College (dazhuan)"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree"),
    "doctor": N_("Doctorate"),
}
LANGUAGE_NAMES = {"bo": "བོད་སྐད། 藏语", "zh": "汉语 རྒྱ་སྐད།", "en": "English"}


def county_name(code: str, lang: str = "zh") -> str:
    try:
        return divisions.get(code).name(lang)
    except Exception:
        return code


def occupation_name(code: str, lang: str = "zh") -> str:
    found = occupations.table().get(code)
    return f"{code} {found.name(lang)}" if found else code


def seeker_out(
    session: Session,
    seeker: EmSeeker,
    *,
    full: bool = False,
    lang: str = "zh",
    today: dt.date | None = None,
    person: Person | None = None,
) -> dict[str, Any]:
    """A record as the API answers it (``full``: with the status history; ``person``: the
    registry's row when the caller has it already, as a list joined to it does)."""
    today = today or dt.date.today()
    person = person or session.get(Person, seeker.person_id)
    assert person is not None
    due = reconfirm_by(seeker)
    out: dict[str, Any] = {
        "id": seeker.id,
        "person_id": seeker.person_id,
        "name": person.name_zh,
        "name_bo": person.name_bo,
        "id_masked": person.id_masked,
        "sex": person.sex,
        "age": age_on(person.birth_date, today),
        "division_code": seeker.division_code,
        "county": county_name(seeker.division_code, lang),
        "education": seeker.education,
        "major": seeker.major,
        "skills": loads(seeker.skills),
        "certificates": loads(seeker.certificates),
        "occupations": loads(seeker.occupations),
        "wage_min": money.to_str(seeker.wage_min) if seeker.wage_min is not None else None,
        "counties": loads(seeker.counties),
        "languages": loads(seeker.languages),
        "available_from": seeker.available_from.isoformat() if seeker.available_from else None,
        "consent": seeker.consent,
        "consent_at": seeker.consent_at.isoformat() if seeker.consent_at else None,
        "status": seeker.status,
        "graduate_year": seeker.graduate_year,
        "state": seeker.state,
        "confirmed_on": seeker.confirmed_on.isoformat(),
        "reconfirm_by": due.isoformat(),
        "reconfirm_due": seeker.state == "active" and today >= due - dt.timedelta(days=14),
    }
    if full:
        out["history"] = [
            {
                "status": r.status,
                "graduate_year": r.graduate_year,
                "from_day": r.from_day.isoformat(),
                "by": r.by,
            }
            for r in history(session, seeker.id)
        ]
    return out


def seeker_query(by: Principal, q: str | None = None, county: str | None = None) -> Any:
    """The seekers ``by`` sees joined to their person, newest first, narrowed by words of the
    name (Chinese or Tibetan) or the masked ID number (e.g. its last four), and by county."""
    query = visible_seekers(
        select(EmSeeker, Person).join(Person, Person.id == EmSeeker.person_id), by
    ).order_by(EmSeeker.id.desc())
    for word in (q or "").split():
        like = f"%{word}%"
        query = query.where(
            or_(Person.name_zh.like(like), Person.name_bo.like(like), Person.id_masked.like(like))
        )
    if county:
        query = query.where(EmSeeker.division_code == county)
    return query


def page_of(
    session: Session,
    by: Principal,
    q: str | None,
    county: str | None,
    raw_page: str | int | None,
    per_page: int = PER_PAGE,
) -> tuple[list[tuple[EmSeeker, Person]], int, int, int]:
    """One page of :func:`seeker_query`, counted and sliced in the database: (rows, page number
    clamped into range, pages, total). A page that is not a whole number is the first."""
    query = seeker_query(by, q, county)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    text = str(raw_page or "").strip()[:12]
    wanted = int(text) if text.isascii() and text.isdigit() else 1
    number = min(max(wanted, 1), pages)
    rows = session.execute(query.offset((number - 1) * per_page).limit(per_page)).all()
    return [(r[0], r[1]) for r in rows], number, pages, total


__all__ = [
    "EDUCATION_LABELS",
    "LANGUAGE_NAMES",
    "PER_PAGE",
    "STATE_LABELS",
    "STATUS_LABELS",
    "county_name",
    "occupation_name",
    "page_of",
    "seeker_out",
    "seeker_query",
]
