"""The route matrix's samples for employment's gig routes (see tests/route_kit.py).

Lhasa (城关区 540102) gigs: the marker gig of the world's Lhasa employer (its recruiter
``employer.540100`` bound to it, here or by the vacancy samples) with the Lhasa resident P1's
application; an office-posted gig with P1's application; gigs of their own for the apply, close
and take-down samples (so that those steps leave the marker gig open). Applying is open to every
worker of any county (REGION_FREE); the public listing reads no region's personal data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.auth.models import User
from minsheng.employment import gig_applications as apps
from minsheng.employment import gigs
from minsheng.foundation.principals import PERMISSIONS, Principal
from tests.route_kit import BY, INSIDE, Samples, World

MARKER = "拉萨零工测试岗位"
COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/api/employment/gigs"),
    ("GET", "/api/employment/employer/gigs"),
    ("GET", "/api/me/gigs"),
    ("GET", "/employment/gigs"),
    ("GET", "/employment/employer/gigs"),
    ("GET", "/me/gigs"),
}
REGION_FREE: set[tuple[str, str]] = {
    ("POST", "/api/me/gigs/{gig_id}/apply"),
    ("POST", "/me/gigs/{gig_id}/apply"),
}


def _gig(title: str, poster: str = "", slots: int = 50) -> gigs.GigIn:
    today = dt.date.today()
    return gigs.GigIn(
        title=title,
        occupation="6",
        day_pay="220",
        county="540102",
        address="城关区林廓北路",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        slots=slots,
        requirements="能吃苦",
        poster_name=poster,
    )


def populate(s: Session, w: World) -> None:
    user = s.scalar(select(User).where(User.username == f"employer.{INSIDE}"))
    assert user is not None
    if employers.employer_of(s, user.id) is None:
        employers.bind(s, user.id, w.ids["employer"], BY)
    recruiter = Principal(
        kind="staff",
        name=user.username,
        role="employer",
        region=INSIDE,
        permissions=PERMISSIONS["employer"],
        user_id=user.id,
    )
    p1 = Principal(
        kind="citizen",
        name="p1",
        role="citizen",
        permissions=PERMISSIONS["citizen"],
        person_id=w.ids["person"],
    )
    today = dt.date.today()
    marker = gigs.post(s, _gig(MARKER), recruiter, today)
    office = gigs.post(s, _gig("拉萨个人雇主零工", "次仁"), BY, today)
    w.ids.update(
        gig=marker.id,
        gig_office=office.id,
        gig_apply=gigs.post(s, _gig("零工报名测试岗位"), recruiter, today).id,
        gig_close=gigs.post(s, _gig("零工截止测试岗位"), recruiter, today).id,
        gig_office_close=gigs.post(s, _gig("零工截止测试（个人）", "达瓦"), BY, today).id,
        gig_take_down=gigs.post(s, _gig("零工下架测试岗位"), recruiter, today).id,
        gig_application=apps.apply(s, marker.id, p1, today).id,
        gig_office_application=apps.apply(s, office.id, p1, today).id,
    )


def samples(w: World) -> Samples:
    def g(key: str) -> dict[str, object]:
        return {"path": {"gig_id": w.ids[key]}}

    def a(key: str) -> dict[str, object]:
        return {"path": {"application_id": w.ids[key]}}

    today = dt.date.today().isoformat()
    body = {
        "title": "临时装卸工",
        "occupation": "6",
        "day_pay": "200",
        "county": "540102",
        "address": "城关区金珠西路",
        "starts_on": today,
        "slots": 2,
    }
    office_body = {**body, "poster_name": "扎西"}
    return {
        ("GET", "/api/employment/gigs"): {"marker": MARKER},
        ("POST", "/api/employment/gigs"): {"json": office_body},
        ("GET", "/api/employment/gigs/{gig_id}"): g("gig"),
        ("POST", "/api/employment/gigs/{gig_id}/close"): g("gig_office_close"),
        ("POST", "/api/employment/gigs/{gig_id}/take-down"): {
            **g("gig_take_down"),
            "json": {"reason": "岗位信息不实"},
        },
        ("POST", "/api/employment/gig-applications/{application_id}/steps"): {
            **a("gig_office_application"),
            "json": {"action": "accept"},
        },
        ("GET", "/api/employment/employer/gigs"): {"marker": MARKER},
        ("POST", "/api/employment/employer/gigs"): {"json": body},
        ("GET", "/api/employment/employer/gigs/{gig_id}"): g("gig"),
        ("POST", "/api/employment/employer/gigs/{gig_id}/close"): g("gig_close"),
        ("POST", "/api/employment/employer/gig-applications/{application_id}/steps"): {
            **a("gig_application"),
            "json": {"action": "accept"},
        },
        ("GET", "/api/me/gigs"): {"marker": MARKER},
        ("POST", "/api/me/gigs/{gig_id}/apply"): g("gig_apply"),
        ("POST", "/api/me/gig-applications/{application_id}/steps"): {
            **a("gig_application"),
            "json": {"action": "check_in"},
        },
        ("GET", "/api/jobs/gigs"): {},
        # the pages
        ("GET", "/employment/gigs"): {"marker": MARKER},
        ("POST", "/employment/gigs"): {"data": office_body},
        ("GET", "/employment/gigs/{gig_id}"): g("gig"),
        ("POST", "/employment/gigs/{gig_id}/close"): g("gig_office_close"),
        ("POST", "/employment/gigs/{gig_id}/take-down"): {
            **g("gig_take_down"),
            "data": {"reason": "岗位信息不实"},
        },
        ("POST", "/employment/gig-applications/{application_id}/steps"): {
            **a("gig_office_application"),
            "data": {"action": "accept"},
        },
        ("GET", "/employment/employer/gigs"): {"marker": MARKER},
        ("POST", "/employment/employer/gigs"): {"data": body},
        ("GET", "/employment/employer/gigs/{gig_id}"): g("gig"),
        ("POST", "/employment/employer/gigs/{gig_id}/close"): g("gig_close"),
        ("POST", "/employment/employer/gig-applications/{application_id}/steps"): {
            **a("gig_application"),
            "data": {"action": "accept"},
        },
        ("GET", "/me/gigs"): {"marker": MARKER},
        ("POST", "/me/gigs/{gig_id}/apply"): g("gig_apply"),
        ("POST", "/me/gig-applications/{application_id}/steps"): {
            **a("gig_application"),
            "data": {"action": "check_in"},
        },
        ("GET", "/jobs/gigs"): {},
    }
