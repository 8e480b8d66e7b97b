"""The route matrix's samples for the wage-protection routes: each area's block in its own
``tests/wages/<area>_samples.py`` (``COLLECTIONS``, ``REGION_FREE``, ``populate(s, w)``,
``samples(w)``), gathered here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.route_kit import Samples, World
from tests.wages import (
    attendance_samples,
    complaint_samples,
    deposit_samples,
    pay_samples,
    project_samples,
    warning_samples,
)

AREAS = (
    project_samples,
    attendance_samples,
    pay_samples,
    deposit_samples,
    complaint_samples,
    warning_samples,
)
COLLECTIONS: set[tuple[str, str]] = set().union(*(a.COLLECTIONS for a in AREAS))
REGION_FREE: set[tuple[str, str]] = set().union(*(a.REGION_FREE for a in AREAS))


def populate(s: Session, w: World) -> None:
    for area in AREAS:  # in order: projects first, the others build on them
        area.populate(s, w)


def samples(w: World) -> Samples:
    out: Samples = {}
    for area in AREAS:
        out.update(area.samples(w))
    return out
