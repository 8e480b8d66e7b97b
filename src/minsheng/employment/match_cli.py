"""``minsheng employment`` commands: precision matching (精准推介) and the full-text
search over vacancies and profiles.

- ``recommend --seeker ID`` — the seeker's recommended open vacancies with reasons;
- ``candidates --vacancy ID`` — the consenting seekers best fitting a vacancy;
- ``search-jobs Q`` — the public vacancy search;
- ``reindex`` — rebuild the search rows from the tables.
"""

from __future__ import annotations

import datetime as dt

import typer

from minsheng.clikit import friendly, print_json
from minsheng.foundation.principals import system

app = typer.Typer(no_args_is_help=True)
LIMIT = typer.Option(10, "--limit", min=1, max=100, help="how many")


def _today(raw: str | None) -> dt.date:
    from minsheng.core.errors import invalid

    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(
            "today", "date", "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", "ཚེས་གྲངས་ནོར།"
        ) from None


def _lines(m: object) -> list[str]:
    from minsheng.employment import match_views

    return [msg % params if params else msg for msg, params in match_views.explain(m.reasons)]  # type: ignore[attr-defined]


@app.command("recommend")
@friendly
def recommend(
    seeker: int = typer.Option(..., "--seeker", help="the seeker's id"),
    limit: int = LIMIT,
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD (default today)"),
) -> None:
    """A seeker's recommended open vacancies, best first, each with its score and reasons."""
    from minsheng.clikit import session
    from minsheng.employment import match_views, matching

    with session() as s:
        found = matching.jobs_for_seeker(
            s, seeker, limit=limit, today=_today(today), by=system("cli")
        )
        cards = match_views.vacancy_cards(s, [m.id for m in found])
        print_json(
            {
                "seeker_id": seeker,
                "matches": [
                    m.as_dict() | {"vacancy": cards.get(m.id), "why": _lines(m)} for m in found
                ],
            }
        )


@app.command("candidates")
@friendly
def candidates(
    vacancy: int = typer.Option(..., "--vacancy", help="the vacancy's id"), limit: int = LIMIT
) -> None:
    """The consenting, active seekers best fitting a vacancy (masked ID numbers only)."""
    from minsheng.clikit import session
    from minsheng.employment import match_views, matching

    with session() as s:
        found = matching.seekers_for_vacancy(s, vacancy, limit=limit, by=system("cli"))
        cards = match_views.seeker_cards(s, [m.id for m in found])
        print_json(
            {
                "vacancy_id": vacancy,
                "matches": [
                    m.as_dict() | {"seeker": cards.get(m.id), "why": _lines(m)} for m in found
                ],
            }
        )


@app.command("search-jobs")
@friendly
def search_jobs(
    q: str = typer.Argument("", help="words: a title, skill, employer…"),
    county: str | None = typer.Option(None, "--county"),
    limit: int = typer.Option(20, "--limit", min=1, max=50),
) -> None:
    """The public vacancy search."""
    from minsheng.clikit import session
    from minsheng.employment import search

    with session() as s:
        hits = search.search_vacancies(s, q[:64], county=county, limit=limit)
        print_json({"q": q, "results": [h.as_dict() for h in hits]})


@app.command("reindex")
@friendly
def reindex() -> None:
    """Rebuild the full-text search rows of every published vacancy and consenting seeker."""
    from minsheng.clikit import session
    from minsheng.employment import search

    with session() as s:
        print_json(search.reindex(s))
