"""The route matrix's samples for the analyst's page."""

from __future__ import annotations

from tests.route_kit import Samples, World

COLLECTIONS = {("GET", "/analysis")}

# Routes that touch no regional record (the synthetic population of policy analysis holds no
# one's data): every allowed caller gets the same answer, wherever their region.
REGION_FREE = {("POST", "/analysis")}


def samples(w: World) -> Samples:
    return {
        ("GET", "/analysis"): {},
        ("POST", "/analysis"): {"data": {"start": "not-a-date"}},  # refused before any run
    }
