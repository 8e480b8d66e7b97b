"""Route-matrix samples of monitoring and early warning (see tests/wages/route_samples.py): a
red warning on the Lhasa project (``w.ids["wg_warning"]``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.wages.warning_models import WgWarning
from tests.route_kit import Samples, World

COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/wages/warnings"),
    ("GET", "/api/wages/dashboard"),
    ("GET", "/wages/warnings"),
    ("GET", "/wages/dashboard"),
}
REGION_FREE: set[tuple[str, str]] = set()
MARKER = "拉萨测试工地"


def populate(s: Session, w: World) -> None:
    pid = w.ids["wg_project"]
    today = dt.date.today()
    row = WgWarning(
        project_id=pid,
        division_code="540102",
        cause="account_missing",
        open_key=f"p{pid}:account_missing",
        level="red",
        reasons='{"due_on": "2026-01-01", "step": "open", "opened_on": null}',
        state="new",
        raised_on=today,
        deadline=today + dt.timedelta(days=3),
    )
    s.add(row)
    s.flush()
    w.ids["wg_warning"] = row.id


def samples(w: World) -> Samples:
    wid = {"warning_id": w.ids["wg_warning"]}
    return {
        ("POST", "/api/wages/scan"): {"json": {"region": "540100"}},
        ("GET", "/api/wages/warnings"): {"marker": MARKER},
        ("GET", "/api/wages/warnings/{warning_id}"): {"path": wid},
        ("POST", "/api/wages/warnings/{warning_id}/steps"): {
            "path": wid,
            "json": {"action": "check"},
        },
        ("POST", "/api/wages/warnings/{warning_id}/assignee"): {
            "path": wid,
            "json": {"username": None},
        },
        ("GET", "/api/wages/dashboard"): {"marker": "540102"},
        ("GET", "/wages/warnings"): {"marker": MARKER},
        ("POST", "/wages/warnings/{warning_id}"): {
            "path": wid,
            "data": {"action": "check", "reason": ""},
        },
        ("GET", "/wages/dashboard"): {"marker": "城关区"},
    }
