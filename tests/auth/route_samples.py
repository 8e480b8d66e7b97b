"""The route matrix's samples for the sign-in, user, token, audit and citizen routes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.auth import admin_samples
from tests.route_kit import P1_ID, Samples, World

COLLECTIONS = {
    ("GET", "/api/users"),
    ("GET", "/api/users/grants"),
    ("GET", "/api/audit"),
    ("GET", "/api/audit/verify"),
    ("GET", "/api/stats/registry"),
    ("GET", "/api/me/household"),
    ("GET", "/me"),
}
COLLECTIONS |= admin_samples.COLLECTIONS
REGION_FREE = set(admin_samples.REGION_FREE)


def populate(s: Session, w: World) -> None:
    admin_samples.populate(s, w)


def samples(w: World) -> Samples:
    return {**_own(w), **admin_samples.samples(w)}


def _own(w: World) -> Samples:
    grant_ids = iter(w.grants)
    return {
        ("GET", "/favicon.ico"): {},  # the app's own (web/app.py), sampled with the sign-in pages
        ("GET", "/login"): {},
        ("POST", "/login"): {"data": {"username": "nobody", "password": "wrong-password"}},
        ("POST", "/logout"): {},
        ("GET", "/citizen/login"): {},
        ("POST", "/citizen/login"): {"data": {"id_number": P1_ID}},
        ("POST", "/citizen/verify"): {"data": {"id_number": P1_ID, "code": "000000"}},
        ("GET", "/me"): {},
        ("GET", "/api/auth/csrf"): {},
        ("GET", "/api/auth/me"): {},
        ("POST", "/api/auth/login"): {"json": {"username": "nobody", "password": "wrong-password"}},
        ("POST", "/api/auth/logout"): {},
        ("POST", "/api/auth/otp"): {"json": {"id_number": P1_ID}},
        ("POST", "/api/auth/otp/verify"): {"json": {"id_number": P1_ID, "code": "000000"}},
        ("POST", "/api/users"): {
            "json": lambda: {
                "username": f"u{w.n()}",
                "password": "correct-horse-1",
                "role": "cashier",
                "region_code": "540102",
            }
        },
        ("GET", "/api/users"): {"marker": "540100"},
        ("POST", "/api/users/{user_id}/tokens"): {
            "path": {"user_id": w.ids["user"]},
            "json": {"name": "t", "scopes": ["registry:read"]},
        },
        ("DELETE", "/api/tokens/{token_id}"): {"path": {"token_id": w.ids["token"]}},
        ("GET", "/api/users/grants"): {"marker": "540102"},
        ("POST", "/api/users/grants/{grant_id}/approve"): {
            "path": lambda: {"grant_id": next(grant_ids)}
        },
        ("POST", "/api/users/grants/{grant_id}/reject"): {
            "path": lambda: {"grant_id": next(grant_ids)}
        },
        ("GET", "/api/audit"): {"marker": '"region":"5401'},
        ("GET", "/api/audit/verify"): {"marker": None},
        ("GET", "/api/stats/registry"): {"marker": "540100"},
        ("GET", "/api/me/household"): {},
    }
