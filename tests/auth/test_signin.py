"""Sign-in, sessions, CSRF, lock-out, rate limits, tokens and one-time codes — over HTTP."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from minsheng.auth import service
from minsheng.auth.credentials import LOGIN_MAX_FAILURES
from minsheng.auth.models import LoginSession
from minsheng.auth.tokens import create_token, revoke_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.webkit.guards import CSRF_COOKIE, SESSION_COOKIE

BY = system("test")
PASSWORD = "correct-horse-1"
P = ids.make_resident_id("540102", dt.date(1985, 3, 3), 21)


def make_user(
    engine: Engine, username: str = "lhasa.cw", role: str = "caseworker", region: str = "540100"
) -> int:
    with make_sessionmaker(engine)() as s:
        u = create_user(s, BY, username, PASSWORD, role, region)
        s.commit()
        return u.id


def csrf(c: TestClient) -> str:
    token = c.get("/api/auth/csrf").json()["csrf_token"]
    assert c.cookies.get(CSRF_COOKIE) == token
    return str(token)


def login(c: TestClient, username: str = "lhasa.cw", password: str = PASSWORD) -> Any:
    return c.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": csrf(c)},
    )


def test_password_sign_in_sets_a_safe_session_cookie(anon: TestClient, engine: Engine) -> None:
    make_user(engine)
    r = login(anon)
    assert r.status_code == 200 and r.json()["role"] == "caseworker"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert anon.get("/api/auth/me").json()["kind"] == "staff"
    assert anon.get("/api/persons").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(anon: TestClient, engine: Engine) -> None:
    make_user(engine)
    a = login(anon, password="wrong-password")
    b = login(anon, username="nobody")
    assert a.status_code == b.status_code == 401
    assert a.json()["error"]["message"] == b.json()["error"]["message"]
    # the same work on both paths: one audit entry each (so one answers no slower), and the
    # unknown one names no account and stores no typed name
    with make_sessionmaker(engine)() as s:
        rows = s.execute(
            sa.text("SELECT actor, record_id FROM audit_log WHERE action = 'login_failed'")
        ).all()
    assert len(rows) == 2 and {r[1] for r in rows} - {None} != set()  # the known one
    assert None in {r[1] for r in rows}  # the unknown one names no account
    assert all("nobody" not in str(r[0]) for r in rows)


def test_repeated_failures_throttle_the_address_not_the_account(
    anon: TestClient, engine: Engine
) -> None:
    make_user(engine)
    for _ in range(LOGIN_MAX_FAILURES):
        assert login(anon, password="wrong-password").status_code == 401
    r = login(anon)  # from this address, even the right password waits
    assert r.status_code == 429 and r.json()["error"]["rule"] == "throttled"
    with make_sessionmaker(engine)() as s:
        actions = s.execute(sa.text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
        active = s.execute(sa.text("SELECT active FROM users")).scalar()
    assert actions.count("login_failed") == LOGIN_MAX_FAILURES and active
    other = TestClient(anon.app, client=("192.0.2.1", 1))
    assert login(other).status_code == 200  # the account itself was never locked


def test_sign_in_is_rate_limited_per_address(anon: TestClient, engine: Engine) -> None:
    limit, _ = __import__("minsheng.webkit.guards", fromlist=["LIMITS"]).LIMITS["login_ip"]
    codes = [
        login(anon, username=f"someone{i}", password="x" * 12).status_code for i in range(limit + 2)
    ]
    assert codes[:limit] == [401] * limit
    assert codes[-1] == 429


def test_csrf_is_required_for_cookie_requests(anon: TestClient, engine: Engine) -> None:
    make_user(engine)
    assert login(anon).status_code == 200
    body = {"id_number": P, "name_zh": "次仁", "hukou": "rural"}
    r = anon.post("/api/persons", json=body)  # no token
    assert r.status_code == 403 and r.json()["error"]["rule"] == "csrf"
    r = anon.post("/api/persons", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    token = anon.cookies.get(CSRF_COOKIE)
    r = anon.post("/api/persons", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201


def test_csrf_on_plain_forms(anon: TestClient) -> None:
    page = anon.get("/tools/id-check").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert anon.post("/tools/id-check", data={"value": P}).status_code == 403
    r = anon.post("/tools/id-check", data={"value": P, "csrf_token": token})
    assert r.status_code == 200 and "540102" in r.text


def test_expired_revoked_and_forged_sessions_are_nobody(anon: TestClient, engine: Engine) -> None:
    make_user(engine)
    assert login(anon).status_code == 200
    good = anon.cookies.get(SESSION_COOKIE)
    with make_sessionmaker(engine)() as s:
        s.execute(
            sa.update(LoginSession).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
        )
        s.commit()
    assert anon.get("/api/persons").status_code == 401
    assert anon.get("/api/auth/me").json()["kind"] == "anonymous"
    other = TestClient(anon.app)
    other.cookies.set(SESSION_COOKIE, good[:-4] + "AAAA")  # forged
    assert other.get("/api/persons").status_code == 401
    # sign out revokes
    fresh = TestClient(anon.app)
    assert login(fresh).status_code == 200
    token = fresh.cookies.get(CSRF_COOKIE)
    cookie = fresh.cookies.get(SESSION_COOKIE)
    assert fresh.post("/api/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    replay = TestClient(anon.app)
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/api/persons").status_code == 401


def test_pages_redirect_to_sign_in_and_back(anon: TestClient, engine: Engine) -> None:
    make_user(engine)
    r = anon.get("/me", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/citizen/login")
    r = anon.get("/me/medical", follow_redirects=False)
    assert r.headers["location"].startswith("/citizen/login")
    r = anon.get("/medical/cashier", follow_redirects=False)  # staff pages: the staff sign-in
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/medical/cashier"
    page = anon.get("/login?next=/tools/id-check").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = anon.post(
        "/login",
        data={
            "username": "lhasa.cw",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    # a refused ``next`` leads to the caseworker's desk, as ``/`` does (issue 15)
    assert r.status_code == 303 and r.headers["location"] == "/assistance"
    r = anon.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/assistance"
    desk = anon.get("/").text
    assert "lhasa.cw" in desk and "经办人员" in desk


def test_tokens_scopes_and_revocation(engine: Engine, app: Any) -> None:
    uid = make_user(engine)
    with make_sessionmaker(engine)() as s:
        raw, token = create_token(s, BY, uid, "HIS", ["registry:read"])
        s.commit()
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {raw}"
    assert c.get("/api/persons").status_code == 200
    r = c.post("/api/persons", json={"id_number": P, "name_zh": "x", "hukou": "rural"})
    assert r.status_code == 403 and "registry:write" in r.json()["error"]["message"]["en"]
    c.headers["Authorization"] = "Bearer msk_forged"
    assert c.get("/api/persons").status_code == 401
    with app.state.sessionmaker() as s:  # revoked through this worker: refused at once
        revoke_token(s, BY, token.id)
        s.commit()
    c.headers["Authorization"] = f"Bearer {raw}"
    assert c.get("/api/persons").status_code == 401


def test_token_scopes_cannot_exceed_the_role(engine: Engine) -> None:
    import pytest

    from minsheng.core.errors import ForbiddenError

    uid = make_user(engine, "cashier.1", "cashier", "540102")
    with make_sessionmaker(engine)() as s, pytest.raises(ForbiddenError) as err:
        create_token(s, BY, uid, "x", ["registry:write"])
    assert err.value.rule == "scope_beyond_role"


def test_citizen_one_time_code(anon: TestClient, engine: Engine, app: Any) -> None:
    with make_sessionmaker(engine)() as s:
        person = registry.create_person(
            s, PersonIn(id_number=P, name_zh="次仁", hukou="rural", phone="13908901234"), BY
        )
        s.commit()
        pid = person.id
    token = csrf(anon)
    h = {"X-CSRF-Token": token}
    unknown = ids.make_resident_id("540102", dt.date(1999, 9, 9), 1)
    assert (
        anon.post("/api/auth/otp", json={"id_number": unknown}, headers=h).status_code == 202
    )  # same answer
    assert anon.post("/api/auth/otp", json={"id_number": P}, headers=h).status_code == 202
    code = app.state.otp_sender.sent[pid]
    wrong = "000000" if code != "000000" else "111111"
    r = anon.post("/api/auth/otp/verify", json={"id_number": P, "code": wrong}, headers=h)
    assert r.status_code == 401
    r = anon.post("/api/auth/otp/verify", json={"id_number": P, "code": code}, headers=h)
    assert r.status_code == 200 and r.json()["kind"] == "citizen"
    mine = anon.get("/api/me/household").json()
    assert mine["members"][0]["id_number"] == P
    assert anon.get("/api/persons").status_code == 403  # a citizen sees only their own household
    # the code works once
    r = anon.post(
        "/api/auth/otp/verify",
        json={"id_number": P, "code": code},
        headers={"X-CSRF-Token": anon.cookies.get(CSRF_COOKIE)},
    )
    assert r.status_code == 401


def test_one_time_code_attempts_are_capped(anon: TestClient, engine: Engine, app: Any) -> None:
    with make_sessionmaker(engine)() as s:
        person = registry.create_person(s, PersonIn(id_number=P, name_zh="次仁", hukou="rural"), BY)
        s.commit()
        pid = person.id
    h = {"X-CSRF-Token": csrf(anon)}
    anon.post("/api/auth/otp", json={"id_number": P}, headers=h)
    code = app.state.otp_sender.sent[pid]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(service.OTP_MAX_ATTEMPTS):
        anon.post("/api/auth/otp/verify", json={"id_number": P, "code": wrong}, headers=h)
    r = anon.post("/api/auth/otp/verify", json={"id_number": P, "code": code}, headers=h)
    assert r.status_code == 429 and r.json()["error"]["rule"] == "too_many_attempts"


def test_sending_codes_is_rate_limited(anon: TestClient) -> None:
    h = {"X-CSRF-Token": csrf(anon)}
    codes = [
        anon.post("/api/auth/otp", json={"id_number": P}, headers=h).status_code for _ in range(5)
    ]
    assert codes[:3] == [202, 202, 202] and codes[-1] == 429


def test_admin_creates_staff_only_in_their_region(engine: Engine, app: Any) -> None:
    from tests.conftest import staff_client

    admin = staff_client(app, engine, "admin", "540100")
    r = admin.post(
        "/api/users",
        json={
            "username": "nyemo.cashier",
            "password": PASSWORD,
            "role": "cashier",
            "region_code": "540123",
        },
    )  # type: ignore[attr-defined]
    assert r.status_code == 201
    r = admin.post(
        "/api/users",
        json={
            "username": "x.cashier",
            "password": PASSWORD,
            "role": "cashier",
            "region_code": "540202",
        },
    )  # type: ignore[attr-defined]
    assert r.status_code == 403
    r = admin.post(
        "/api/users",
        json={
            "username": "short.pw",
            "password": "short",
            "role": "cashier",
            "region_code": "540123",
        },
    )  # type: ignore[attr-defined]
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = admin.post(
        "/api/users",
        json={"username": "root", "password": PASSWORD, "role": "citizen", "region_code": "540123"},
    )  # type: ignore[attr-defined]
    assert r.status_code == 422 and r.json()["error"]["rule"] == "role_unknown"
