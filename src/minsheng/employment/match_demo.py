"""Demo data of precision matching and search: nothing of its own to invent — the demo's
seekers and vacancies (seeded by the seeker and vacancy areas) are indexed for the full-text
search, so ``/jobs`` and the recommendations work from the first start. Run it after those
areas' seeds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.employment import search
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal


def seed_match(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Index every published vacancy and consenting, active seeker; the counts indexed."""
    counts = search.reindex(session)
    audit.record(session, by, "reindex", "em_search_docs", None, None, dict(counts))
    return {"em_search_vacancies": counts["vacancies"], "em_search_seekers": counts["seekers"]}


__all__ = ["seed_match"]
