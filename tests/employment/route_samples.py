"""The route matrix's samples for the employment routes: each area's block in its own
``tests/employment/<area>_samples.py`` (``COLLECTIONS``, ``REGION_FREE``, ``populate(s, w)``,
``samples(w)``), gathered here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.employment import (
    fair_samples,
    gig_samples,
    help_samples,
    match_samples,
    seeker_samples,
    training_samples,
    vacancy_samples,
)
from tests.route_kit import Samples, World

AREAS = (
    seeker_samples,
    vacancy_samples,
    match_samples,
    fair_samples,
    gig_samples,
    training_samples,
    help_samples,
)
COLLECTIONS: set[tuple[str, str]] = set().union(*(a.COLLECTIONS for a in AREAS))
REGION_FREE: set[tuple[str, str]] = set().union(*(a.REGION_FREE for a in AREAS))


def populate(s: Session, w: World) -> None:
    for area in AREAS:  # in order: seekers and vacancies first, the others build on them
        area.populate(s, w)


def samples(w: World) -> Samples:
    out: Samples = {}
    for area in AREAS:
        out.update(area.samples(w))
    return out
