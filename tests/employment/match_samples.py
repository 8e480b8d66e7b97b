"""The route matrix's samples for employment's match routes (see tests/route_kit.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.route_kit import Samples, World

COLLECTIONS: set[tuple[str, str]] = set()
REGION_FREE: set[tuple[str, str]] = set()


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside and outside the sample region."""


def samples(w: World) -> Samples:
    return {}
