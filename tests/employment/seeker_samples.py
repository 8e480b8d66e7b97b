"""The route matrix's samples for employment's seeker routes (see tests/route_kit.py).

The matrix's Lhasa resident (P1, the citizen "inside") is a registered job seeker with consent
and a profile (``w.ids["em_seeker"]``), for the other employment areas to build on; the Shigatse
resident (P2, the citizen "outside") is not registered until the citizen's own PUT runs.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_schemas import ProfileIn
from tests.route_kit import BY, P1_ID, Samples, World

MARKER = "测试拉萨人"  # P1's name: a Lhasa seeker must not show outside
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/seekers"),
    ("GET", "/employment/seekers"),
    ("GET", "/api/me/jobs/seeker"),  # the citizen's own
    ("GET", "/me/jobs"),
}
REGION_FREE: set[tuple[str, str]] = {  # the citizen acts on their own record, wherever they live
    ("PUT", "/api/me/jobs/seeker"),
    ("POST", "/api/me/jobs/seeker/confirm"),
    ("POST", "/me/jobs/profile"),
    ("POST", "/me/jobs/confirm"),
}


def populate(s: Session, w: World) -> None:
    """Records this area's routes act on, inside and outside the sample region."""
    seeker = seeker_filing.register_by_id(s, P1_ID, BY)
    seekers.update_profile(
        s,
        seeker.id,
        ProfileIn(
            education="senior",
            skills=["电工", "驾驶"],
            occupations=["6-29", "4-02"],
            wage_min="4000",
            counties=["540102", "540103"],
            languages=["bo", "zh"],
            consent=True,
        ),
        BY,
    )
    w.ids["em_seeker"] = seeker.id


def samples(w: World) -> Samples:
    one = {"seeker_id": w.ids["em_seeker"]}
    return {
        ("GET", "/api/employment/seekers"): {"marker": MARKER},
        ("POST", "/api/employment/seekers"): {"json": {"id_number": P1_ID}},
        ("POST", "/api/employment/seekers/find"): {"json": {"id_number": P1_ID}},
        ("GET", "/api/employment/seekers/{seeker_id}"): {"path": one},
        ("PATCH", "/api/employment/seekers/{seeker_id}"): {
            "path": one,
            "json": {"major": "电气自动化"},
        },
        ("POST", "/api/employment/seekers/{seeker_id}/status"): {
            "path": one,
            "json": {"status": "unemployed"},
        },
        ("POST", "/api/employment/seekers/{seeker_id}/confirm"): {"path": one},
        ("GET", "/api/me/jobs/seeker"): {},
        ("PUT", "/api/me/jobs/seeker"): {"json": {"languages": ["bo", "zh"]}},
        ("POST", "/api/me/jobs/seeker/confirm"): {},
        ("GET", "/employment/seekers"): {"marker": MARKER},
        ("POST", "/employment/seekers/find"): {"data": {"id_number": P1_ID}},
        ("POST", "/employment/seekers"): {"data": {"id_number": P1_ID}},
        ("GET", "/employment/seekers/{seeker_id}"): {"path": one},
        ("POST", "/employment/seekers/{seeker_id}/profile"): {
            "path": one,
            "data": {"major": "电气自动化", "occupation_1": "6-29", "consent": "on"},
        },
        ("POST", "/employment/seekers/{seeker_id}/status"): {
            "path": one,
            "data": {"status": "unemployed"},
        },
        ("POST", "/employment/seekers/{seeker_id}/confirm"): {"path": one},
        ("GET", "/me/jobs"): {},
        ("POST", "/me/jobs/profile"): {"data": {"lang_bo": "on", "consent": "on"}},
        ("POST", "/me/jobs/confirm"): {},
    }
