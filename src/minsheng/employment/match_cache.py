"""The open vacancies held in memory as arrays, for recommending at speed.

Reading and decoding tens of thousands of vacancy rows for every recommendation costs
seconds; instead each process keeps one :class:`match_rules.Block` of the open vacancies per
database and day, rebuilt when the table's fingerprint (count, largest id, places filled, the
newest ``created_at`` / ``published_at``, the latest closing date) changes: the count and the
largest id are read on every call (a posting published, withdrawn or added is seen at once),
the rest once ``TTL`` seconds have passed. A recommendation pre-filters the block by the
seeker's major groups and prefectures (masks), scores it with numpy, and hands the best few
ids back; the caller then re-reads those rows from the database and scores them again, so
what is shown — the open state, the score, the reasons — is always current, and only the
choice of the few can lag an edit by at most ``TTL``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.employment import match_rules as rules
from minsheng.employment.vacancy_models import EmVacancy

TTL = 30.0  # seconds a block may be reused without its fingerprint matching being re-read
_LOCK = threading.Lock()


@dataclass
class _Entry:
    fingerprint: tuple[Any, ...]
    built: float
    block: rules.Block
    majors: Any
    prefectures: Any


_CACHE: dict[tuple[str, dt.date], _Entry] = {}


def _fingerprint(session: Session) -> tuple[Any, ...]:
    row = session.execute(
        select(
            func.count(),
            func.max(EmVacancy.id),
            func.sum(EmVacancy.filled),
            func.max(EmVacancy.created_at),
            func.max(EmVacancy.published_at),
            func.max(EmVacancy.closing_on),
        ).where(EmVacancy.state == "published")
    ).one()
    return tuple(str(v) for v in row)


def _quick(session: Session) -> tuple[Any, ...]:
    """The fingerprint's cheap part, read on every call: a posting published or withdrawn
    (the count) or added (the largest id) is seen at once."""
    row = session.execute(
        select(func.count(), func.max(EmVacancy.id)).where(EmVacancy.state == "published")
    ).one()
    return tuple(str(v) for v in row)


def _build(session: Session, today: dt.date) -> tuple[rules.Block, Any, Any]:
    from minsheng.employment.matching import VACANCY_COLUMNS, open_vacancies, vacancy_facts

    rows = session.execute(open_vacancies(select(*VACANCY_COLUMNS), today)).all()
    jobs = [vacancy_facts(r) for r in rows]
    b = rules.block([r.id for r in rows], jobs)
    majors = np.asarray([int(j.occupation[0]) for j in jobs], dtype=np.int64)
    prefs = np.asarray([int(j.county[:4]) for j in jobs], dtype=np.int64)
    return b, majors, prefs


def _entry(session: Session, today: dt.date) -> _Entry:
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), today)
    found = _CACHE.get(key)
    quick = _quick(session)
    fresh = found is not None and time.monotonic() - found.built < TTL
    if found is not None and fresh and found.fingerprint[:2] == quick:
        return found
    fp = _fingerprint(session)
    if found is not None and found.fingerprint == fp:
        found.built = time.monotonic()
        return found
    with _LOCK:
        b, majors, prefs = _build(session, today)
        entry = _Entry(fp, time.monotonic(), b, majors, prefs)
        for old in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[old]
        _CACHE[key] = entry
        return entry


def best_ids(
    session: Session, facts: rules.SeekerFacts, w: rules.Weights, today: dt.date, n: int
) -> list[int]:
    """The ids of the ``n`` open vacancies scoring best for ``facts`` (pre-filtered)."""
    e = _entry(session, today)
    if len(e.block.ids) == 0:
        return []
    keep = np.zeros(len(e.block.ids), dtype=bool)
    if facts.occupations:
        keep |= np.isin(e.majors, [int(o[0]) for o in facts.occupations])
    places = [int(p[:4]) for p in {facts.county, *facts.counties} if p]
    if places:
        keep |= np.isin(e.prefectures, places)
    if not keep.any():
        keep[:] = True
    sub = rules.take(e.block, np.flatnonzero(keep))
    scores = rules.score_block(facts, sub, w)
    return [int(sub.ids[i]) for i in rules.top(scores, sub.ids, n) if scores[i] >= w.min_score]


def forget() -> None:
    """Drop every held block (tests, or after a bulk change)."""
    _CACHE.clear()


__all__ = ["TTL", "best_ids", "forget"]
