"""What matching and search show: a vacancy's card, a candidate's card (masked ID only) and
a match's reasons as lines of text (msgids translated where they are shown)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import divisions, money
from minsheng.employment import occupations
from minsheng.employment.match_rules import Reasons
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.registry.models import Employer, Person

Cards = dict[int, dict[str, Any]]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


OCCUPATION = {
    "same": N_("Same occupation"),
    "middle": N_("Same occupation group"),
    "major": N_("Same broad occupation group"),
    "none": N_("Another occupation"),
}
DISTANCE = {
    "same_county": N_("In a wanted county"),
    "same_prefecture": N_("In the same prefecture"),
    "elsewhere": N_("Elsewhere in the region"),
}
WAGE = {"fits": N_("Pays what is expected"), "below": N_("Pays less than expected")}
EDUCATION = {"fits": N_("Education meets the minimum"), "below": N_("Education below the minimum")}
SKILLS_HAD = N_("Skills matched: %(skills)s")
SKILLS_MISSING = N_("Skills missing: %(skills)s")
LANGUAGES_MISSING = N_("Languages asked for: %(languages)s")


def explain(r: Reasons) -> list[tuple[str, dict[str, str]]]:
    """The reasons as (msgid, parameters) lines, the strongest first."""
    out: list[tuple[str, dict[str, str]]] = [(OCCUPATION[r.occupation], {})]
    if r.skills_matched:
        out.append((SKILLS_HAD, {"skills": "、".join(r.skills_matched)}))
    if r.skills_missing:
        out.append((SKILLS_MISSING, {"skills": "、".join(r.skills_missing)}))
    out.append((DISTANCE[r.distance], {}))
    if r.wage in WAGE:
        out.append((WAGE[r.wage], {}))
    if r.languages_missing:
        out.append((LANGUAGES_MISSING, {"languages": "、".join(r.languages_missing)}))
    if r.education in EDUCATION:
        out.append((EDUCATION[r.education], {}))
    return out


def place_name(code: str, lang: str = "zh") -> str:
    try:
        d = divisions.get(code)
    except Exception:
        return code
    return {"bo": d.name_bo, "en": d.name_en}.get(lang) or d.name_zh


def occupation_name(code: str, lang: str = "zh") -> str:
    table = occupations.table()
    probe = code
    while probe and probe not in table:
        probe = probe.rsplit("-", 1)[0] if "-" in probe else ""
    return table[probe].name(lang) if probe else code


def _list(value: str | None) -> list[str]:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(v) for v in data] if isinstance(data, list) else []


def vacancy_cards(session: Session, ids: Sequence[int], lang: str = "zh") -> Cards:
    """Public facts of the vacancies ``ids`` (title, employer, place, wage, closing date)."""
    if not ids:
        return {}
    rows = session.execute(
        select(EmVacancy, Employer.name)
        .join(Employer, Employer.id == EmVacancy.employer_id)
        .where(EmVacancy.id.in_(list(ids)))
    ).all()
    return {
        v.id: {
            "id": v.id,
            "title": v.title,
            "employer": name,
            "county": v.division_code,
            "county_name": place_name(v.division_code, lang),
            "occupation": v.occupation,
            "occupation_name": occupation_name(v.occupation, lang),
            "wage_min": money.to_str(v.wage_min),
            "wage_max": money.to_str(v.wage_max),
            "places": v.count - v.filled,
            "skills": _list(v.skills),
            "closing_on": v.closing_on.isoformat(),
        }
        for v, name in rows
    }


def seeker_cards(session: Session, ids: Sequence[int], lang: str = "zh") -> Cards:
    """What an employer or caseworker sees of consenting candidates: name, masked ID,
    education, skills, place."""
    if not ids:
        return {}
    rows = session.execute(
        select(EmSeeker, Person.name_zh, Person.id_masked)
        .join(Person, Person.id == EmSeeker.person_id)
        .where(EmSeeker.id.in_(list(ids)))
    ).all()
    return {
        s.id: {
            "id": s.id,
            "name": name,
            "id_masked": masked,
            "education": s.education,
            "skills": _list(s.skills) + _list(s.certificates),
            "county": s.division_code,
            "county_name": place_name(s.division_code, lang),
        }
        for s, name, masked in rows
    }


__all__ = [
    "DISTANCE",
    "OCCUPATION",
    "explain",
    "occupation_name",
    "place_name",
    "seeker_cards",
    "vacancy_cards",
]
