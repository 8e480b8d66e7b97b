"""JSON API of employment services: precision matching (精准推介) and the full-text
search over vacancies and profiles.

- ``GET /api/jobs/search`` — public: open vacancies matching ``q`` (bounded parameters, rate
  limited per address), with snippets.
- ``GET /api/employment/seekers/{id}/recommendations`` — staff (``employment:read``): a
  seeker of their region's recommended jobs with reasons.
- ``GET /api/me/jobs/recommendations`` — the signed-in citizen's own (``self:jobs``).
- ``GET /api/employment/vacancies/{id}/candidates`` — staff: consenting seekers of their
  region for a vacancy of their region; ``GET /api/employment/employer/vacancies/{id}/
  candidates`` — an employer's recruiter, for its own vacancy only.
- ``GET /api/employment/profiles/search`` — staff / recruiters: consenting seekers' profiles.

A record outside what the caller sees answers 404, as a missing one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from minsheng.employment import match_views, matching, search
from minsheng.employment.seeker_models import EmSeeker
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import client_ip, permit, public

router = APIRouter(prefix="/api", tags=["employment 就业服务"])

# (requests, seconds) per address on the public search — a security setting, not policy
SEARCH_LIMIT = (60, 60.0)
County = Query(None, pattern=r"^\d{6}$", description="a county or prefecture code")
Occupation = Query(None, pattern=r"^[1-8](-\d{2}){0,3}$", description="an occupation code")
Limit = Query(10, ge=1, le=50)


def limit_search(request: Request) -> None:
    n, window = SEARCH_LIMIT
    request.app.state.limiter.hit(f"em_search_ip:{client_ip(request) or '-'}", n, window)


def _matches(found: list[matching.Match], cards: dict[int, dict[str, Any]]) -> list[Any]:
    return [m.as_dict() | {"card": cards.get(m.id)} for m in found]


@router.get("/jobs/search")
def jobs_search(
    request: Request,
    q: str = Query("", max_length=64),
    county: str | None = County,
    occupation: str | None = Occupation,
    limit: int = Query(20, ge=1, le=50),
    offset: int = Query(0, ge=0, le=1000),
    by: Principal = Depends(public()),
) -> dict[str, Any]:
    """Open vacancies matching ``q`` (all its words), best first; no ``q``: the newest."""
    limit_search(request)
    with uow(request, immediate=False) as s:
        hits = search.search_vacancies(
            s, q, county=county, occupation=occupation, limit=limit, offset=offset
        )
        cards = match_views.vacancy_cards(s, [h.id for h in hits], lang(request))
    return {
        "q": q,
        "offset": offset,
        "results": [h.as_dict() | {"vacancy": cards.get(h.id)} for h in hits],
    }


@router.get("/employment/seekers/{seeker_id}/recommendations")
def seeker_recommendations(
    request: Request,
    seeker_id: PathId,
    limit: int = Limit,
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """The seeker's recommended open vacancies with each one's score and reasons."""
    with uow(request) as s:
        found = matching.jobs_for_seeker(s, seeker_id, limit=limit, by=by)
        cards = match_views.vacancy_cards(s, [m.id for m in found], lang(request))
        return {"seeker_id": seeker_id, "matches": _matches(found, cards)}


def own_seeker(s: Any, by: Principal) -> int:
    sid = s.scalar(select(EmSeeker.id).where(EmSeeker.person_id == by.person_id))
    if sid is None or by.person_id is None:
        raise matching.missing_seeker()
    return int(sid)


@router.get("/me/jobs/recommendations")
def my_recommendations(
    request: Request, limit: int = Limit, by: Principal = Depends(permit("self:jobs"))
) -> dict[str, Any]:
    """The signed-in citizen's recommended vacancies (404 until they register as a seeker)."""
    request.state.private = True
    with uow(request) as s:
        found = matching.jobs_for_seeker(s, own_seeker(s, by), limit=limit, by=by)
        cards = match_views.vacancy_cards(s, [m.id for m in found], lang(request))
        return {"matches": _matches(found, cards)}


def _candidates(request: Request, vacancy_id: int, limit: int, by: Principal) -> dict[str, Any]:
    with uow(request) as s:
        found = matching.seekers_for_vacancy(s, vacancy_id, limit=limit, by=by)
        cards = match_views.seeker_cards(s, [m.id for m in found], lang(request))
        return {"vacancy_id": vacancy_id, "matches": _matches(found, cards)}


@router.get("/employment/vacancies/{vacancy_id}/candidates")
def candidates(
    request: Request,
    vacancy_id: PathId,
    limit: int = Limit,
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """Consenting, active seekers of the caller's region best fitting the vacancy."""
    request.state.private = True
    return _candidates(request, vacancy_id, limit, by)


@router.get("/employment/employer/vacancies/{vacancy_id}/candidates")
def employer_candidates(
    request: Request,
    vacancy_id: PathId,
    limit: int = Limit,
    by: Principal = Depends(permit("employment:employer")),
) -> dict[str, Any]:
    """For the recruiter's own vacancy: consenting, active seekers best fitting it."""
    request.state.private = True
    return _candidates(request, vacancy_id, limit, by)


def _profiles(request: Request, q: str, county: str | None, by: Principal) -> dict[str, Any]:
    with uow(request) as s:
        hits = search.search_seekers(s, q, by=by, county=county, limit=20)
        cards = match_views.seeker_cards(s, [h.id for h in hits], lang(request))
        if hits:
            audit.record(s, by, "search", "em_seeker", None, None, {"n": len(hits)})
        return {"results": [h.as_dict() | {"seeker": cards.get(h.id)} for h in hits]}


@router.get("/employment/profiles/search")
def profiles_search(
    request: Request,
    q: str = Query("", max_length=64),
    county: str | None = County,
    by: Principal = Depends(permit("employment:read")),
) -> dict[str, Any]:
    """Consenting, active seekers of the caller's region whose profile matches ``q``."""
    request.state.private = True
    return _profiles(request, q, county, by)


__all__ = ["SEARCH_LIMIT", "limit_search", "own_seeker", "router"]
