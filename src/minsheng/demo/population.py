"""The demo's synthetic population of the 7 prefectures, written straight to the database.

``seed(engine, people=N, seed=S)`` is the shared generator (``minsheng.population``) through its
database sink: households, persons with valid resident IDs (some still carrying retired
division codes), employers with valid credit codes, medical facilities, scheme enrolment and
special statuses at rates near POLICY.md's (``population/assumptions.yaml``). The same seed
gives the same population; 100,000 people take seconds (numpy and bulk inserts in chunks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine

from minsheng.population import assumptions
from minsheng.population.database import Report as SeedReport
from minsheng.population.database import write

__all__ = ["SeedReport", "assumptions", "seed"]


def seed(
    engine: Engine,
    people: int = 2000,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    chunk: int = 20_000,
) -> SeedReport:
    """Generate ``people`` persons in households and write them. Refuses a non-empty registry."""
    return write(engine, people=people, seed=seed, today=today, progress=progress, chunk=chunk)
