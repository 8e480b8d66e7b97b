"""Route-matrix samples of the complaints area: a Lhasa (城关区 540102) project of its own and a
named complaint by the matrix's Lhasa resident (P1, the citizen "inside") routed to it.

Taking a complaint (any office) and reading a complaint's state or the region's board (every
office) touch no region's personal data: they answer alike inside and outside (REGION_FREE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.foundation.principals import PERMISSIONS, Principal
from minsheng.wages import complaint_filing as filing
from minsheng.wages.models import WgProject
from tests.route_kit import Samples, World

MARKER = "拉萨欠薪投诉测试工地"  # the project's name: in the Lhasa lists only
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/wages/complaints"),
    ("GET", "/api/wages/complaints/kpis"),
    ("GET", "/api/me/wages/complaints"),
    ("GET", "/wages/complaints"),
    ("GET", "/wages/complaints/kpis"),
    ("GET", "/me/wages/complaints"),
}
REGION_FREE: set[tuple[str, str]] = {
    ("POST", "/api/wages/complaints"),
    ("GET", "/api/wages/complaints/board"),
    ("GET", "/api/wages/complaints/{complaint_id}/state"),
    ("GET", "/wages/complaints/board"),
}


def populate(s: Session, w: World) -> None:
    project = WgProject(
        code="XM-WG-COMPLAINT-1",
        name=MARKER,
        division_code="540102",
        contract_value=100_000_000,
        contract_signed_on=dt.date(2025, 1, 1),
        start_date=dt.date(2025, 2, 1),
        state="active",
    )
    s.add(project)
    s.flush()
    me = Principal(
        kind="citizen",
        name="p1",
        role="citizen",
        permissions=PERMISSIONS["citizen"],
        person_id=w.ids["person"],
    )
    data = filing.ComplaintIn(facts="三个月工资未发", project_id=project.id, amount_claimed="9000")
    c = filing.file_complaint(s, data, me, dt.date.today()).complaint
    w.ids.update(wg_complaint_project=project.id, wg_complaint=c.id)


def samples(w: World) -> Samples:
    cid = w.ids["wg_complaint"]

    def body() -> dict[str, object]:  # a typed project: the marker stays the stored one's
        return {
            "facts": "工资拖欠两个月",
            "project_text": "某工地",
            "county": "540102",
            "lang": "bo",
        }

    one = {"path": {"complaint_id": cid}}
    return {
        ("GET", "/api/wages/report/projects"): {},
        ("POST", "/api/wages/report"): {"json": body},
        ("POST", "/api/wages/report/follow-up"): {"json": {"code": "AAAAA-AAAAA", "pin": "1"}},
        ("GET", "/api/me/wages/complaints"): {"marker": MARKER},
        ("GET", "/api/me/wages/complaints/{complaint_id}"): one,
        ("POST", "/api/wages/complaints"): {"json": lambda: {**body(), "worker_name": "扎西"}},
        ("GET", "/api/wages/complaints"): {"marker": MARKER},
        ("GET", "/api/wages/complaints/board"): {},
        ("GET", "/api/wages/complaints/kpis"): {},
        ("GET", "/api/wages/complaints/{complaint_id}"): one,
        ("GET", "/api/wages/complaints/{complaint_id}/state"): one,
        ("POST", "/api/wages/complaints/{complaint_id}/steps"): {
            **one,
            "json": {"action": "accept"},
        },
        # the pages
        ("GET", "/wages/report"): {},
        ("POST", "/wages/report"): {"data": body},
        ("GET", "/wages/report/follow-up"): {},
        ("POST", "/wages/report/follow-up"): {"data": {"code": "AAAAA-AAAAA", "pin": "1"}},
        ("GET", "/me/wages/complaints"): {"marker": MARKER},
        ("GET", "/me/wages/complaints/{complaint_id}"): one,
        ("GET", "/wages/complaints"): {"marker": MARKER},
        ("GET", "/wages/complaints/kpis"): {},
        ("GET", "/wages/complaints/board"): {},
        ("GET", "/wages/complaints/{complaint_id}"): one,
        ("POST", "/wages/complaints/{complaint_id}/steps"): {**one, "data": {"action": "refuse"}},
    }
