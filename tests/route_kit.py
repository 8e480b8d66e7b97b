"""What the route matrix (``tests/auth/test_route_matrix.py``) shares with each package's
``tests/<package>/route_samples.py``: the world of records every sample points at.

A package's ``route_samples`` module has ``samples(w) -> {(method, path): sample}`` (one
request per route it mounts) and may have ``populate(session, w)`` (its own records, stored
into ``w.ids``), ``COLLECTIONS`` (routes answering 200 with a filtered list; ``marker`` is a
text of a Lhasa record that must not leak outside) and ``REGION_FREE`` (routes that touch no
regional record). A sample names ``path`` (the path parameters), ``json`` / ``data`` /
``files`` (the body; a callable gives a fresh one per call) and ``marker``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minsheng.core import ids
from minsheng.foundation.principals import system

Samples = dict[tuple[str, str], dict[str, Any]]

BY = system("test")
INSIDE, OUTSIDE = "540100", "540200"  # Lhasa holds every record below; Shigatse does not
P1_ID = ids.make_resident_id("540102", dt.date(1980, 5, 5), 11)
P2_ID = ids.make_resident_id("540202", dt.date(1981, 6, 6), 12)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "role@region" → bearer token
    citizen_cookies: dict[str, str] = field(default_factory=dict)
    grants: list[int] = field(default_factory=list)
    counter: Any = field(default_factory=lambda: iter(range(100, 10_000)))

    def new_id(self) -> str:
        """A fresh Lhasa resident ID number."""
        return ids.make_resident_id("540102", dt.date(1990, 1, 1), next(self.counter) % 1000)

    def n(self) -> int:
        return next(self.counter)


def lhasa_bill() -> dict[str, Any]:
    return {
        "patient": {"id_number": P1_ID},
        "facility_code": "H54010200077",
        "visit": "outpatient",
        "service_date": dt.date.today().isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": "100.00"}],
    }
