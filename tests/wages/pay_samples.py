"""Route-matrix samples of this wage-protection area (see tests/wages/route_samples.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.route_kit import Samples, World

COLLECTIONS: set[tuple[str, str]] = set()
REGION_FREE: set[tuple[str, str]] = set()


def populate(s: Session, w: World) -> None:
    return None


def samples(w: World) -> Samples:
    return {}
