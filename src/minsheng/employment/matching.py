"""Precision matching (精准推介): jobs for a seeker, seekers for a vacancy, with reasons.

Reads ``em_seekers`` and ``em_vacancies`` directly and scores with :mod:`match_rules` under the
parameters of ``employment.match`` on the day. Only open vacancies are offered (published, not
past their closing date, places left); only consenting, active seekers are offered to employers.

A seeker's candidates are those in the major groups they want or in the prefectures of the
counties they chose (or their own), scored at once with numpy over the open vacancies held in
memory (:mod:`match_cache`); the best few are re-read and scored afresh, so what is shown is
current. ``among`` (a fair's vacancies) reads those rows directly, at most ``candidate_pool``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from minsheng import policy
from minsheng.auth import employers
from minsheng.core.errors import NotFoundError
from minsheng.employment import match_rules as rules
from minsheng.employment.seeker_models import EmSeeker
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal


@dataclass(frozen=True)
class Match:
    """One recommendation: the other side's id, its score in [0, 1] and why."""

    id: int
    score: float
    reasons: rules.Reasons

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "score": round(self.score, 4), "reasons": self.reasons.as_dict()}


def _list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value if isinstance(v, (str, int))] if isinstance(value, list) else []


def weights(day: dt.date, division_code: str | None = None) -> tuple[rules.Weights, int]:
    node = policy.load().at(day, division_code).employment.match
    return rules.Weights.from_node(node), int(node.candidate_pool)


def seeker_facts(s: EmSeeker) -> rules.SeekerFacts:
    return rules.SeekerFacts(
        county=s.division_code,
        occupations=tuple(_list(s.occupations)),
        counties=tuple(_list(s.counties)),
        wage_min=s.wage_min,
        skills=rules.normalise(_list(s.skills) + _list(s.certificates)),
        languages=rules.normalise(_list(s.languages)),
        education=s.education,
    )


VACANCY_COLUMNS = (
    EmVacancy.id,
    EmVacancy.division_code,
    EmVacancy.occupation,
    EmVacancy.wage_min,
    EmVacancy.wage_max,
    EmVacancy.skills,
    EmVacancy.languages,
    EmVacancy.education,
)


def vacancy_facts(row: Any) -> rules.VacancyFacts:
    return _facts(
        row.division_code,
        row.occupation,
        row.wage_min,
        row.wage_max,
        row.skills,
        row.languages,
        row.education,
    )


@functools.lru_cache(maxsize=65536)
def _facts(
    county: str,
    occupation: str,
    wage_min: int,
    wage_max: int,
    skills: str | None,
    languages: str | None,
    education: str | None,
) -> rules.VacancyFacts:
    """A vacancy's facts from its stored columns (the same columns, the same facts: a fair's
    vacancies are scored for every visitor, their JSON parsed once)."""
    return rules.VacancyFacts(
        county=county,
        occupation=occupation,
        wage_min=wage_min,
        wage_max=wage_max,
        skills=rules.normalise(_list(skills)),
        languages=rules.normalise(_list(languages)),
        education=education,
    )


def open_vacancies(query: Any, today: dt.date) -> Any:
    return query.where(
        EmVacancy.state == "published",
        EmVacancy.closing_on >= today,
        EmVacancy.filled < EmVacancy.count,
    )


def missing_seeker() -> NotFoundError:
    return NotFoundError("seeker_id", "没有这个求职登记", "no such job seeker", "ལས་འཚོལ་མཁན་འདི་མེད།")


def missing_vacancy() -> NotFoundError:
    return NotFoundError("vacancy_id", "没有这个岗位", "no such vacancy", "ལས་གནས་འདི་མེད།")


def rank_jobs(
    facts: rules.SeekerFacts, rows: Sequence[Any], w: rules.Weights, limit: int
) -> list[Match]:
    """Score ``rows`` (vacancy rows with :data:`VACANCY_COLUMNS`) for ``facts``, best first."""
    if not rows:
        return []
    jobs = [vacancy_facts(r) for r in rows]
    b = rules.block([r.id for r in rows], jobs)
    scores = rules.score_block(facts, b, w)
    keep = scores >= w.min_score
    idx = [i for i in rules.top(scores * keep, b.ids, limit) if keep[i]]
    out = []
    for i in idx:
        value, reasons = rules.score(facts, jobs[i], w)
        out.append(Match(int(rows[i].id), value, reasons))
    return out


def jobs_for_seeker(
    session: Session,
    seeker_id: int,
    *,
    limit: int = 10,
    among: Iterable[int] | None = None,
    today: dt.date | None = None,
    by: Principal | None = None,
) -> list[Match]:
    """The open vacancies best fitting the seeker, best first (``among``: only those ids, e.g. a
    fair's vacancies). With ``by`` the seeker must lie in the caller's region (else 404)."""
    today = today or dt.date.today()
    seeker = session.get(EmSeeker, seeker_id)
    if seeker is None or (by is not None and not _sees_seeker(by, seeker)):
        raise missing_seeker()
    facts = seeker_facts(seeker)
    w, pool = weights(today, seeker.division_code)
    query = open_vacancies(select(*VACANCY_COLUMNS), today)
    if among is not None:
        ids = sorted({int(i) for i in among})
        query = query.where(EmVacancy.id.in_(ids)) if ids else query.where(false())
    else:  # the best few from the held arrays, re-read and scored afresh below
        from minsheng.employment import match_cache

        best = match_cache.best_ids(session, facts, w, today, max(0, min(limit, 100)) * 3 + 10)
        query = query.where(EmVacancy.id.in_(best)) if best else query.where(false())
    rows = session.execute(query.order_by(EmVacancy.id.desc()).limit(pool)).all()
    found = rank_jobs(facts, rows, w, max(0, min(limit, 100)))
    if by is not None:
        audit.record(session, by, "recommend", "em_seeker", seeker.id, None, {"n": len(found)})
    return found


def _sees_seeker(by: Principal, seeker: EmSeeker) -> bool:
    if by.kind == "system":
        return True
    if by.kind == "citizen":
        return by.person_id is not None and by.person_id == seeker.person_id
    return by.can("employment:read") and by.covers(seeker.division_code)


def _sees_vacancy(session: Session, by: Principal, v: EmVacancy) -> bool:
    if by.kind == "system":
        return True
    if by.can("employment:employer"):  # inside its region, and its own employer's
        own = employers.employer_of(session, by.user_id)
        return by.covers(v.division_code) and own is not None and own == v.employer_id
    return by.can("employment:read") and by.covers(v.division_code)


def seekers_for_vacancy(
    session: Session,
    vacancy_id: int,
    *,
    limit: int = 10,
    by: Principal,
    today: dt.date | None = None,
) -> list[Match]:
    """The consenting, active seekers best fitting the vacancy, best first. Staff see the
    vacancies and seekers of their region; an employer's recruiter only its own vacancies (and
    any consenting seeker). Audited (the list names people)."""
    today = today or dt.date.today()
    v = session.get(EmVacancy, vacancy_id)
    if v is None or not _sees_vacancy(session, by, v):
        raise missing_vacancy()
    job = vacancy_facts(v)
    w, pool = weights(today, v.division_code)
    query = select(EmSeeker).where(EmSeeker.consent.is_(True), EmSeeker.state == "active")
    if by.kind != "system" and not by.can("employment:employer"):
        codes = by.covered_codes()
        if codes is not None:
            query = query.where(EmSeeker.division_code.in_(codes))
    query = query.where(
        or_(
            EmSeeker.occupations.like(f'%"{v.occupation[:1]}%'),
            EmSeeker.division_code.like(f"{v.division_code[:4]}%"),
            EmSeeker.counties.like(f"%{v.division_code}%"),
        )
    )
    scored = []
    for s in session.scalars(query.order_by(EmSeeker.id).limit(pool)):
        value, reasons = rules.score(seeker_facts(s), job, w)
        if value >= w.min_score:
            scored.append(Match(s.id, value, reasons))
    scored.sort(key=lambda m: (-m.score, m.id))
    found = scored[: max(0, min(limit, 100))]
    audit.record(
        session, by, "candidates", "em_vacancy", v.id, None, {"seekers": [m.id for m in found]}
    )
    return found


__all__ = [
    "VACANCY_COLUMNS",
    "Match",
    "jobs_for_seeker",
    "missing_seeker",
    "missing_vacancy",
    "open_vacancies",
    "rank_jobs",
    "seeker_facts",
    "seekers_for_vacancy",
    "vacancy_facts",
    "weights",
]
