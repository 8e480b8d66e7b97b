"""The route matrix's samples for the analyst's bench and its saved scenarios."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tests.route_kit import BY, Samples, World

COLLECTIONS = {("GET", "/analysis")}

# Routes that touch no regional record (the synthetic population of policy analysis holds no
# one's data, and a saved scenario is data about policy): every allowed caller, wherever their
# region, gets the same answer.
REGION_FREE = {
    ("POST", "/analysis"),
    ("POST", "/analysis/scenarios"),
    ("GET", "/analysis/scenarios"),
    ("GET", "/analysis/scenarios/{scenario_id}"),
    ("GET", "/analysis/scenarios/{scenario_id}/results.csv"),
    ("GET", "/analysis/compare"),
}


def _result() -> dict[str, Any]:
    """The smallest report a scenario page shows (no population is run in the matrix)."""
    return {
        "as_of": "2026-06-30",
        "population": {"people": 0, "households": 0, "seed": 1},
        "programmes": [],
        "by_prefecture": {},
        "deciles": [],
        "poverty": {},
        "total": {"baseline": 0, "reform": 0, "change": 0},
        "winners": {"households": 0, "gain": 0},
        "losers": {"households": 0, "loss": 0},
        "seconds": 0,
        "workers": 1,
    }


def populate(s: Session, w: World) -> None:
    from minsheng.sim import scenarios

    for key in ("scenario", "scenario2"):
        w.ids[key] = scenarios.save(
            s, BY, name=key, start=dt.date(2026, 1, 1), cells={}, reform={"overlays": []},
            result=_result(),
        ).id  # fmt: skip


def samples(w: World) -> Samples:
    one = {"scenario_id": w.ids["scenario"]}
    return {
        ("GET", "/analysis"): {},
        ("POST", "/analysis"): {"data": {"start": "not-a-date"}},  # refused before any run
        ("POST", "/analysis/scenarios"): {"data": {"start": "not-a-date", "name": "x"}},
        ("GET", "/analysis/scenarios"): {},
        ("GET", "/analysis/scenarios/{scenario_id}"): {"path": one},
        ("GET", "/analysis/scenarios/{scenario_id}/results.csv"): {"path": one},
        ("GET", "/analysis/compare"): {},  # no scenarios chosen: 422 naming ids
    }
