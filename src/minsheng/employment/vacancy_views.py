"""How vacancies and hires are shown (API bodies, pages, CLI): one place for the fields, the
state labels and the places left. A person appears by name and masked ID only."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import money
from minsheng.employment import hires, occupations, vacancies
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.registry.models import Employer, Person


def employer_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Employer.id, Employer.name).where(Employer.id.in_(wanted)))
    return {i: n for i, n in rows.all()}


def occupation_name(code: str, lang: str = "zh") -> str:
    found = occupations.table().get(code)
    return found.name(lang) if found is not None else code


def vacancy_out(
    v: EmVacancy, employer: str | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    zh, bo, en = vacancies.STATE_LABELS[v.state]
    return {
        "id": v.id,
        "employer_id": v.employer_id,
        "employer": employer,
        "division_code": v.division_code,
        "title": v.title,
        "occupation": v.occupation,
        "occupation_name": occupation_name(v.occupation),
        "count": v.count,
        "filled": v.filled,
        "places_left": max(v.count - v.filled, 0),
        "wage_min": money.to_str(v.wage_min),
        "wage_max": money.to_str(v.wage_max),
        "education": v.education,
        "skills": json.loads(v.skills or "[]"),
        "languages": json.loads(v.languages or "[]"),
        "requirements": v.requirements,
        "closing_on": v.closing_on.isoformat(),
        "state": v.state,
        "state_label": {"zh": zh, "bo": bo, "en": en},
        "open": vacancies.is_open(v, today or dt.date.today()),
        "reasons": vacancies.refusal(v),
        "published_at": v.published_at.isoformat() if v.published_at else None,
    }


def vacancies_out(session: Session, rows: Iterable[EmVacancy]) -> list[dict[str, Any]]:
    rows = list(rows)
    names = employer_names(session, (v.employer_id for v in rows))
    return [vacancy_out(v, names.get(v.employer_id)) for v in rows]


def hire_out(
    h: EmHire, person: Person | None, employer: str | None, today: dt.date
) -> dict[str, Any]:
    zh, bo, en = hires.STATE_LABELS[h.state]
    return {
        "id": h.id,
        "employer_id": h.employer_id,
        "employer": employer,
        "vacancy_id": h.vacancy_id,
        "person_id": h.person_id,
        "name": person.name_zh if person else None,
        "id_masked": person.id_masked if person else None,
        "division_code": h.division_code,
        "occupation": h.occupation,
        "hired_on": h.hired_on.isoformat(),
        "file_by": h.file_by.isoformat(),
        "filed_on": h.filed_on.isoformat() if h.filed_on else None,
        "state": h.state,
        "state_label": {"zh": zh, "bo": bo, "en": en},
        "late": hires.is_late(h),
        "overdue": h.state == "due" and h.file_by < today,
    }


def hires_out(session: Session, rows: Iterable[EmHire], today: dt.date) -> list[dict[str, Any]]:
    rows = list(rows)
    people = (
        {
            p.id: p
            for p in session.scalars(
                select(Person).where(Person.id.in_({h.person_id for h in rows}))
            )
        }
        if rows
        else {}
    )
    names = employer_names(session, (h.employer_id for h in rows))
    return [hire_out(h, people.get(h.person_id), names.get(h.employer_id), today) for h in rows]
