"""The route matrix's samples for the administrator's and the auditor's pages (gathered by
``route_samples``). Every record they point at is in Lhasa (城关区, 540102)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.auth.models import RoleGrant
from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.foundation import audit
from minsheng.foundation.principals import system
from tests.route_kit import BY, Samples, World

COLLECTIONS: set[tuple[str, str]] = {
    ("GET", "/admin/users"),
    ("GET", "/admin/grants"),
    ("GET", "/admin/tokens"),
    ("GET", "/audit"),
    ("GET", "/audit/verify"),  # the whole chain's verdict, the same for every auditor
}
REGION_FREE: set[tuple[str, str]] = set()
MARKER = "adm.sample"  # a Lhasa account's name no one outside Lhasa may see


def _grant(s: Session, username: str) -> int:
    """A pending grant asked for by no admin of the matrix (so any admin may decide it)."""
    u = create_user(s, BY, username, "correct-horse-1", "cashier", "540102")
    u.active = False
    g = RoleGrant(
        user_id=u.id,
        role="cashier",
        region_code="540102",
        state="pending",
        requested_by=system("matrix").actor,
        requested_by_user=None,
        requested_at=dt.datetime.now(dt.UTC),
    )
    s.add(g)
    s.flush()
    return g.id


def populate(s: Session, w: World) -> None:
    sample = create_user(s, BY, MARKER, "correct-horse-1", "analyst", "540102")
    off = create_user(s, BY, "adm.off", "correct-horse-1", "caseworker", "540102")
    off.active = False
    svc = create_user(
        s, BY, "adm.svc", "correct-horse-1", "cashier", "540102", service_account=True
    )
    _, token = create_token(s, BY, svc.id, "adm.marker", ["registry:read"])
    audit.record(s, BY, "sample", "matrix", "adm-1", "540102", {"note": "adm-marker"})
    w.ids.update(
        adm_user=sample.id,
        adm_off=off.id,
        adm_svc=svc.id,
        adm_token=token.id,
        adm_approve=_grant(s, "adm.approve"),
        adm_reject=_grant(s, "adm.reject"),
    )
    _grant(s, "adm.waiting")  # never decided: the grants list's marker


def samples(w: World) -> Samples:
    def new_user() -> dict[str, str]:
        return {
            "username": f"adm.new{w.n()}",
            "role": "analyst",
            "region_code": "540102",
            "password": "correct-horse-1",
        }

    user = {"user_id": w.ids["adm_user"]}
    return {
        ("GET", "/admin/users"): {"marker": MARKER},
        ("POST", "/admin/users"): {"data": new_user},
        ("GET", "/admin/users/{user_id}"): {"path": user},
        ("POST", "/admin/users/{user_id}/disable"): {"path": user},
        ("POST", "/admin/users/{user_id}/enable"): {"path": {"user_id": w.ids["adm_off"]}},
        ("POST", "/admin/users/{user_id}/role"): {
            "path": user,
            "data": {"role": "analyst", "region_code": "540100"},
        },
        ("POST", "/admin/users/{user_id}/password"): {
            "path": user,
            "data": {"password": "another-horse-2"},
        },
        ("POST", "/admin/users/{user_id}/tokens"): {
            "path": {"user_id": w.ids["adm_svc"]},
            "data": {"name": "matrix", "scope:registry:read": "on"},
        },
        ("POST", "/admin/tokens/{token_id}/revoke"): {"path": {"token_id": w.ids["adm_token"]}},
        ("GET", "/admin/tokens"): {"marker": "adm.svc"},
        ("GET", "/admin/grants"): {"marker": "adm.waiting"},
        ("POST", "/admin/grants/{grant_id}/approve"): {"path": {"grant_id": w.ids["adm_approve"]}},
        ("POST", "/admin/grants/{grant_id}/reject"): {"path": {"grant_id": w.ids["adm_reject"]}},
        ("GET", "/audit"): {"marker": "adm-marker"},
        ("GET", "/audit/verify"): {},
    }
