"""Pages of employment services, on the page kit: precision matching (精准推介) and the
full-text search over vacancies and profiles.

- ``/jobs`` — public vacancy search (no sign-in), by words and place, 20 a page.
- ``/me/jobs/recommendations`` — the signed-in citizen's recommended jobs with reasons.
- ``/employment/vacancies/{id}/candidates`` — staff: consenting seekers of their region;
  ``/employment/employer/vacancies/{id}/candidates`` — the vacancy's own employer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from minsheng.core import divisions
from minsheng.core.errors import NotFoundError
from minsheng.employment import match_views, matching, search
from minsheng.employment.match_api import limit_search, own_seeker
from minsheng.foundation.principals import Principal
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import permit, public
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


def _places(code: str) -> list[tuple[str, str]]:
    out = []
    for p in divisions.prefectures():
        out.append((p.code, match_views.place_name(p.code, code)))
        for c in divisions.counties(p.code):
            out.append((c.code, "— " + match_views.place_name(c.code, code)))
    return out


def _shown(found: list[matching.Match], cards: dict[int, dict[str, Any]]) -> list[Any]:
    return [
        {
            "id": m.id,
            "pct": round(m.score * 100),
            "card": cards[m.id],
            "lines": match_views.explain(m.reasons),
        }
        for m in found
        if m.id in cards
    ]


@router.get("/jobs", response_class=HTMLResponse)
def jobs(
    request: Request,
    q: str = Query("", max_length=64),
    county: str = Query("", max_length=6),
    page: int = Query(1, ge=1, le=50),
    by: Principal = Depends(public()),
) -> HTMLResponse:
    """Open vacancies for everyone, searched by words (title, skills, employer…) and place."""
    limit_search(request)
    q = q.strip()
    place = county if county.isdigit() and len(county) == 6 else None
    offset = (page - 1) * PER_PAGE
    with uow(request, immediate=False) as s:
        hits = search.search_vacancies(s, q, county=place, limit=PER_PAGE + 1, offset=offset)
        cards = match_views.vacancy_cards(s, [h.id for h in hits], lang(request))
    more = len(hits) > PER_PAGE
    params = {k: v for k, v in (("q", q), ("county", place or "")) if v}

    def href(n: int) -> str:
        return "/jobs?" + urlencode({**params, **({"page": n} if n > 1 else {})})

    return render(
        request,
        "employment/match/jobs.html",
        q=q,
        county=place or "",
        places=_places(lang(request)),
        hits=[
            {"vacancy": cards[h.id], "snippet": h.snippet} for h in hits[:PER_PAGE] if h.id in cards
        ],
        prev=href(page - 1) if page > 1 else None,
        next=href(page + 1) if more and page < 50 else None,
    )


@router.get("/me/jobs/recommendations", response_class=HTMLResponse)
def my_recommendations(
    request: Request, by: Principal = Depends(permit("self:jobs"))
) -> HTMLResponse:
    """The signed-in citizen's recommended jobs, each with why it was chosen."""
    request.state.private = True
    with uow(request) as s:
        try:
            seeker_id = own_seeker(s, by)
        except NotFoundError:
            return render(request, "employment/match/recommendations.html", registered=False)
        found = matching.jobs_for_seeker(s, seeker_id, limit=10, by=by)
        cards = match_views.vacancy_cards(s, [m.id for m in found], lang(request))
    return render(
        request,
        "employment/match/recommendations.html",
        registered=True,
        matches=_shown(found, cards),
    )


def _candidates(request: Request, vacancy_id: int, by: Principal) -> HTMLResponse:
    request.state.private = True
    with uow(request) as s:
        found = matching.seekers_for_vacancy(s, vacancy_id, limit=20, by=by)
        vacancy = match_views.vacancy_cards(s, [vacancy_id], lang(request))[vacancy_id]
        cards = match_views.seeker_cards(s, [m.id for m in found], lang(request))
    return render(
        request, "employment/match/candidates.html", vacancy=vacancy, matches=_shown(found, cards)
    )


@router.get("/employment/vacancies/{vacancy_id}/candidates", response_class=HTMLResponse)
def candidates(
    request: Request, vacancy_id: PathId, by: Principal = Depends(permit("employment:read"))
) -> HTMLResponse:
    """Staff: the consenting seekers of their region best fitting the vacancy."""
    return _candidates(request, vacancy_id, by)


@router.get("/employment/employer/vacancies/{vacancy_id}/candidates", response_class=HTMLResponse)
def employer_candidates(
    request: Request, vacancy_id: PathId, by: Principal = Depends(permit("employment:employer"))
) -> HTMLResponse:
    """The recruiter's own vacancy: the consenting seekers best fitting it."""
    return _candidates(request, vacancy_id, by)


__all__ = ["router"]
