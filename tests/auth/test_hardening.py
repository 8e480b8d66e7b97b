"""Issue 10, items 11, 13, 14, 15 and the 500 of item 16: sign-in that tells nobody who exists
and cannot be turned against the admin, powers the admin cannot use to act as anyone, an audit
chain keyed outside the database and anchored off the machine, and the smaller holes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from minsheng.auth import service
from minsheng.auth.credentials import LOGIN_MAX_FAILURES
from minsheng.auth.models import ApiToken, OtpChallenge, User
from minsheng.auth.tokens import MAX_TOKEN_LIFETIME, TOKEN_LIFETIME, create_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.core.errors import ForbiddenError, MinshengError
from minsheng.db import make_engine, make_sessionmaker, unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.models import AuditEntry, AuditHead
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.webkit.guards import CSRF_COOKIE, public
from tests.conftest import make_app, staff_client

BY = system("test")
PASSWORD = "correct-horse-1"
P = ids.make_resident_id("540102", dt.date(1985, 3, 3), 21)
UNKNOWN = ids.make_resident_id("540102", dt.date(1999, 9, 9), 1)
runner = CliRunner()


def make_user(
    engine: Engine, username: str, role: str = "caseworker", region: str = "540100"
) -> int:
    with make_sessionmaker(engine)() as s:
        u = create_user(s, BY, username, PASSWORD, role, region)
        s.commit()
        return u.id


def make_person(engine: Engine, number: str = P) -> int:
    with make_sessionmaker(engine)() as s:
        person = registry.create_person(
            s, PersonIn(id_number=number, name_zh="次仁", hukou="rural"), BY
        )
        s.commit()
        return person.id


def csrf(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.get("/api/auth/csrf").json()["csrf_token"]}


def wrong_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# ----------------------------------------------------------------------------- item 11


def test_one_time_code_answers_unknown_and_known_alike(app: Any, engine: Engine) -> None:
    pid = make_person(engine)
    answers: dict[str, list[tuple[int, str]]] = {}
    for number in (P, UNKNOWN):
        c = TestClient(app)
        h = csrf(c)
        assert c.post("/api/auth/otp", json={"id_number": number}, headers=h).status_code == 202
        code = app.state.otp_sender.sent.get(pid, "123456")
        seen = []
        for _ in range(service.OTP_MAX_ATTEMPTS + 2):
            app.state.limiter.reset()
            r = c.post(
                "/api/auth/otp/verify",
                json={"id_number": number, "code": wrong_code(code)},
                headers=h,
            )
            seen.append((r.status_code, r.json()["error"]["rule"]))
        answers[number] = seen
    assert answers[P] == answers[UNKNOWN]
    assert answers[P][-1] == (429, "too_many_attempts")


def test_staff_sign_in_tells_nobody_who_exists_and_cannot_lock_out_the_admin(
    app: Any, engine: Engine
) -> None:
    make_user(engine, "admin.x", "admin", "540000")
    attacker = TestClient(app, client=("203.0.113.9", 4000))
    h = csrf(attacker)
    answers: dict[str, list[tuple[int, str]]] = {}
    for username in ("admin.x", "nobody.x"):
        seen = []
        for _ in range(LOGIN_MAX_FAILURES + 2):
            r = attacker.post(
                "/api/auth/login",
                json={"username": username, "password": "guess-guess-1"},
                headers=h,
            )
            seen.append((r.status_code, r.json()["error"]["rule"]))
        answers[username] = seen
    assert answers["admin.x"] == answers["nobody.x"]
    assert answers["admin.x"][-1] == (429, "throttled")
    assert 423 not in {code for code, _ in answers["admin.x"]}
    # the attacker's address is held back even with the right password ...
    r = attacker.post(
        "/api/auth/login", json={"username": "admin.x", "password": PASSWORD}, headers=h
    )
    assert r.status_code == 429
    # ... but the admin, from their own desk, signs in at once
    desk = TestClient(app, client=("198.51.100.7", 4000))
    r = desk.post(
        "/api/auth/login", json={"username": "admin.x", "password": PASSWORD}, headers=csrf(desk)
    )
    assert r.status_code == 200 and r.json()["role"] == "admin"


def test_a_success_clears_the_failures_of_that_address(app: Any, engine: Engine) -> None:
    make_user(engine, "lhasa.cw")
    c = TestClient(app)
    h = csrf(c)
    for _ in range(LOGIN_MAX_FAILURES - 1):
        c.post(
            "/api/auth/login", json={"username": "lhasa.cw", "password": "wrong-wrong-1"}, headers=h
        )
    r = c.post("/api/auth/login", json={"username": "lhasa.cw", "password": PASSWORD}, headers=h)
    assert r.status_code == 200
    h = csrf(c)
    for _ in range(LOGIN_MAX_FAILURES - 1):
        r = c.post(
            "/api/auth/login", json={"username": "lhasa.cw", "password": "wrong-wrong-1"}, headers=h
        )
        assert r.status_code == 401


def test_one_time_code_tries_are_atomic(engine: Engine) -> None:
    """200 concurrent wrong guesses at one code: at most OTP_MAX_ATTEMPTS are evaluated."""
    make_person(engine)
    factory = make_sessionmaker(engine)
    with factory() as s:
        sender = __import__("minsheng.auth.otp", fromlist=["MemorySender"]).MemorySender()
        service.send_code(s, P, sender)
        s.commit()
        code = next(iter(sender.sent.values()))
    start = threading.Barrier(20)

    def guess(i: int) -> str:
        if i < 20:
            start.wait()
        try:
            with unit_of_work(factory) as s:
                service.verify_code(s, P, wrong_code(code))
        except MinshengError as err:
            return err.rule
        return "signed-in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        rules = list(pool.map(guess, range(200)))
    evaluated = rules.count("bad_code")
    assert set(rules) <= {"bad_code", "too_many_attempts"}
    assert evaluated <= service.OTP_MAX_ATTEMPTS, evaluated
    assert evaluated == service.OTP_MAX_ATTEMPTS
    with factory() as s:
        assert s.scalar(sa.select(OtpChallenge.attempts)) == service.OTP_MAX_ATTEMPTS


# ----------------------------------------------------------------------------- item 13


def test_the_admin_cannot_mint_a_person_data_token_for_another_user(
    app: Any, engine: Engine
) -> None:
    cashier = make_user(engine, "lhasa.cashier", "cashier", "540102")
    admin: Any = staff_client(app, engine, "admin", "540000", "admin.a")
    r = admin.post(f"/api/users/{cashier}/tokens", json={"name": "x", "scopes": ["registry:read"]})
    assert r.status_code == 403 and r.json()["error"]["rule"] == "token_for_another"
    # a token without personal data (an analyst's counts) may be minted for another user
    analyst = make_user(engine, "analyst.1", "analyst", "540000")
    r = admin.post(
        f"/api/users/{analyst}/tokens", json={"name": "x", "scopes": ["aggregates:read"]}
    )
    assert r.status_code == 201


def test_personal_data_roles_need_a_second_admin(app: Any, engine: Engine) -> None:
    a: Any = staff_client(app, engine, "admin", "540000", "admin.a")
    b: Any = staff_client(app, engine, "admin", "540000", "admin.b")
    body = {
        "username": "new.sup",
        "password": PASSWORD,
        "role": "supervisor",
        "region_code": "540000",
    }
    r = a.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["active"] is False and made["pending_grant_id"]
    grant = made["pending_grant_id"]
    # not yet: the new account cannot sign in, and its maker cannot approve it
    c = TestClient(app)
    r = c.post(
        "/api/auth/login", json={"username": "new.sup", "password": PASSWORD}, headers=csrf(c)
    )
    assert r.status_code == 401
    r = a.post(f"/api/users/grants/{grant}/approve")
    assert r.status_code == 403 and r.json()["error"]["rule"] == "same_admin"
    listed = b.get("/api/users/grants").json()
    assert [g["id"] for g in listed] == [grant] and listed[0]["role"] == "supervisor"
    r = b.post(f"/api/users/grants/{grant}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = b.post(f"/api/users/grants/{grant}/approve")
    assert r.status_code == 409
    r = c.post(
        "/api/auth/login", json={"username": "new.sup", "password": PASSWORD}, headers=csrf(c)
    )
    assert r.status_code == 200 and r.json()["role"] == "supervisor"
    with make_sessionmaker(engine)() as s:
        actions = s.execute(sa.text("SELECT action, resource FROM audit_log")).all()
    assert ("request", "role_grant") in actions and ("approve", "role_grant") in actions
    # an account without personal data needs no second admin
    r = a.post("/api/users", json=body | {"username": "new.analyst", "role": "analyst"})
    assert r.json()["active"] is True and r.json()["pending_grant_id"] is None


def test_a_rejected_grant_leaves_the_account_closed(app: Any, engine: Engine) -> None:
    a: Any = staff_client(app, engine, "admin", "540000", "admin.a")
    b: Any = staff_client(app, engine, "admin", "540000", "admin.b")
    body = {"username": "cw.x", "password": PASSWORD, "role": "caseworker", "region_code": "540100"}
    grant = a.post("/api/users", json=body).json()["pending_grant_id"]
    r = b.post(f"/api/users/grants/{grant}/reject")
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    c = TestClient(app)
    r = c.post("/api/auth/login", json={"username": "cw.x", "password": PASSWORD}, headers=csrf(c))
    assert r.status_code == 401


def test_service_accounts_get_tokens_after_approval_and_cannot_sign_in(
    app: Any, engine: Engine
) -> None:
    a: Any = staff_client(app, engine, "admin", "540000", "admin.a")
    b: Any = staff_client(app, engine, "admin", "540000", "admin.b")
    body = {
        "username": "his.lhasa",
        "role": "cashier",
        "region_code": "540102",
        "service_account": True,
    }
    made = a.post("/api/users", json=body).json()
    r = a.post(f"/api/users/{made['id']}/tokens", json={"name": "HIS", "scopes": ["registry:read"]})
    assert r.status_code == 403  # not active until a second admin approves
    b.post(f"/api/users/grants/{made['pending_grant_id']}/approve")
    r = a.post(f"/api/users/{made['id']}/tokens", json={"name": "HIS", "scopes": ["registry:read"]})
    assert r.status_code == 201
    his = TestClient(app)
    his.headers["Authorization"] = f"Bearer {r.json()['token']}"
    assert his.get("/api/persons").status_code == 200


def test_tokens_expire_by_default(engine: Engine) -> None:
    uid = make_user(engine, "lhasa.cw")
    with make_sessionmaker(engine)() as s:
        _, token = create_token(s, BY, uid, "HIS", ["registry:read"])
        s.commit()
        expires = token.expires_at
    assert expires is not None
    left = expires.replace(tzinfo=expires.tzinfo or dt.UTC) - dt.datetime.now(dt.UTC)
    assert abs(left - TOKEN_LIFETIME) < dt.timedelta(minutes=1)
    with make_sessionmaker(engine)() as s:
        _, short = create_token(s, BY, uid, "HIS", ["registry:read"], lifetime=dt.timedelta(days=7))
        assert short.expires_at is not None
        far = dt.datetime.now(dt.UTC) + MAX_TOKEN_LIFETIME + dt.timedelta(days=1)
        with pytest.raises(MinshengError) as err:
            create_token(s, BY, uid, "HIS", ["registry:read"], expires_at=far)
        assert err.value.rule == "token_lifetime"


def test_token_lifetime_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    from minsheng.config import Settings

    monkeypatch.setenv("MINSHENG_TOKEN_DAYS", "30")
    assert Settings.from_env().token_days == 30


def test_service_layer_refuses_tokens_for_another_user(engine: Engine) -> None:
    cashier = make_user(engine, "lhasa.cashier", "cashier", "540102")
    admin = make_user(engine, "admin.a", "admin", "540000")
    with make_sessionmaker(engine)() as s:
        user = s.get(User, admin)
        assert user is not None
        by = service.staff_principal(user)
        with pytest.raises(ForbiddenError):
            create_token(s, by, cashier, "x", ["medical:settle"])


# ----------------------------------------------------------------------------- item 14


def _write(session: Session, n: int) -> None:
    for i in range(n):
        audit.record(session, BY, "update", "person", i, "540102", {"fields": ["phone"]})
    session.commit()


def _unkeyed(prev: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(
        [prev, *[fields[k] for k in audit.FIELDS]], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rewrite_from(session: Session, first: int, hasher: Any) -> None:
    """What an attacker with database access does: change entry ``first`` and rehash every
    entry after it and the head row."""
    rows = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = audit.GENESIS
    for e in rows:
        if e.id == first:
            e.actor = "user:99"
        if e.id >= first:
            fields = {k: getattr(e, k) for k in audit.FIELDS}
            e.prev_hash, e.hash = prev, hasher(prev, fields)
        prev = e.hash
    session.execute(sa.update(AuditHead).values(last_hash=prev))
    session.commit()


def test_a_rewrite_without_the_key_is_detected(session: Session) -> None:
    _write(session, 5)
    assert audit.verify(session).ok
    _rewrite_from(session, 3, _unkeyed)
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 3


def test_an_anchor_catches_a_rewrite_by_someone_holding_the_key(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minsheng.cli import app as cli

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    factory = make_sessionmaker(engine)
    with factory() as s:
        _write(s, 5)
    anchors = tmp_path / "anchors.jsonl"
    r = runner.invoke(cli, ["audit", "anchor", "--out", str(anchors)])
    assert r.exit_code == 0, r.output
    line = json.loads(anchors.read_text().splitlines()[-1])
    assert line["count"] == 5 and len(line["hash"]) == 64 and line["at"]
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    assert runner.invoke(cli, ["audit", "verify", "--anchor", str(anchors)]).exit_code == 0
    with factory() as s:
        _write(s, 2)  # the log grows after the anchor: still fine
        _rewrite_from(s, 2, audit.entry_hash)  # the key holder rewrites history
        assert audit.verify(s).ok  # the chain alone cannot tell ...
    r = runner.invoke(cli, ["audit", "verify", "--anchor", str(anchors)])
    assert r.exit_code == 1 and "anchor" in r.stdout  # ... the anchor can
    # a log cut below the anchor is caught too
    with factory() as s:
        s.execute(sa.delete(AuditEntry).where(AuditEntry.id > 3))
        s.execute(sa.update(AuditHead).values(seq=3, last_hash=s.get(AuditEntry, 3).hash))  # type: ignore[union-attr]
        s.commit()
    r = runner.invoke(cli, ["audit", "verify", "--anchor", str(anchors)])
    assert r.exit_code == 1 and "shorter" in r.stdout


def test_a_forgery_passed_off_as_old_unkeyed_entries_is_caught(session: Session) -> None:
    """Without the key, an attacker rewrites the whole chain as unkeyed SHA-256 entries marked
    as written before migration 0007, with a forged detail (found by probing). Since the
    migration keys the old chain itself, no unkeyed entry is ever legitimate: verify fails at
    the first one, and there is no command that would key (launder) it."""
    _write(session, 4)
    _rewrite_from(session, 2, _unkeyed)
    session.execute(sa.update(AuditEntry).values(alg=audit.LEGACY))
    _rewrite_from_clean(session)
    v = audit.verify(session)
    assert not v.ok and v.at_entry == 1 and "not keyed" in (v.problem or "")
    assert not hasattr(audit, "rekey")
    from minsheng.cli import app as cli

    r = runner.invoke(cli, ["audit", "rekey"])
    assert r.exit_code != 0


def _rewrite_from_clean(session: Session) -> None:
    rows = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = audit.GENESIS
    for e in rows:
        e.prev_hash, e.hash = prev, _unkeyed(prev, {k: getattr(e, k) for k in audit.FIELDS})
        prev = e.hash
    session.execute(sa.update(AuditHead).values(last_hash=prev))
    session.commit()


def test_key_legacy_refuses_a_broken_old_chain() -> None:
    rows, prev = [], audit.GENESIS
    for i in (1, 2, 3):
        fields = {k: None for k in audit.FIELDS} | {"id": i, "actor": "system:cli", "detail": "{}"}
        digest = _unkeyed(prev, fields)
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    keyed = audit.key_legacy(rows, b"k" * 32)
    assert keyed is not None and [r[0] for r in keyed] == [1, 2, 3]
    rows[1]["actor"] = "user:99"  # edited before the upgrade
    assert audit.key_legacy(rows, b"k" * 32) is None


# ----------------------------------------------------------------------------- item 15


def test_csrf_tokens_are_bound_to_the_session(app: Any, engine: Engine) -> None:
    make_user(engine, "lhasa.cw")
    make_user(engine, "lhasa.cw2")
    c = TestClient(app)
    h = csrf(c)
    r = c.post("/api/auth/login", json={"username": "lhasa.cw", "password": PASSWORD}, headers=h)
    mine = r.json()["csrf_token"]
    body = {"id_number": P, "name_zh": "次仁", "hukou": "rural"}
    # a cookie planted by someone else (double submit with a value of their choosing) fails
    c.cookies.set(CSRF_COOKIE, "planted-value")
    r = c.post("/api/persons", json=body, headers={"X-CSRF-Token": "planted-value"})
    assert r.status_code == 403 and r.json()["error"]["rule"] == "csrf"
    # another session's token fails
    other = TestClient(app)
    hh = csrf(other)
    theirs = other.post(
        "/api/auth/login", json={"username": "lhasa.cw2", "password": PASSWORD}, headers=hh
    ).json()["csrf_token"]
    assert theirs != mine
    r = c.post("/api/persons", json=body, headers={"X-CSRF-Token": theirs})
    assert r.status_code == 403
    r = c.post("/api/persons", json=body, headers={"X-CSRF-Token": mine})
    assert r.status_code == 201


def test_cross_origin_cookie_requests_are_refused(app: Any, engine: Engine) -> None:
    make_user(engine, "lhasa.cw")
    c = TestClient(app)
    h = csrf(c)
    token = c.post(
        "/api/auth/login", json={"username": "lhasa.cw", "password": PASSWORD}, headers=h
    ).json()["csrf_token"]
    body = {"id_number": P, "name_zh": "次仁", "hukou": "rural"}
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        r = c.post("/api/persons", json=body, headers={"X-CSRF-Token": token, **header})
        assert r.status_code == 403 and r.json()["error"]["rule"] == "origin", header
    r = c.post(
        "/api/persons", json=body, headers={"X-CSRF-Token": token, "Origin": "http://testserver"}
    )
    assert r.status_code == 201


def test_the_sqlite_file_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "minsheng.db"
        eng = make_engine(f"sqlite:///{path}")
        with eng.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            for suffix in ("", "-wal", "-shm"):
                f = Path(str(path) + suffix)
                if f.exists():
                    assert stat.S_IMODE(f.stat().st_mode) == 0o600, suffix
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        eng.dispose()
    finally:
        os.umask(old)


def test_the_data_folder_and_key_file_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minsheng.config import load_keys

    monkeypatch.delenv("MINSHENG_DATA_KEYS")
    monkeypatch.delenv("MINSHENG_HMAC_KEY")
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    load_keys(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "keys.json").stat().st_mode) == 0o600


def _audited_ip(engine: Engine) -> str | None:
    with make_sessionmaker(engine)() as s:
        return s.scalar(sa.select(AuditEntry.ip).where(AuditEntry.action == "login_failed"))


def test_forwarded_for_is_ignored_unless_from_a_configured_proxy(engine: Engine) -> None:
    make_user(engine, "lhasa.cw")
    app = make_app(engine)
    c = TestClient(app, client=("10.0.0.5", 1234))  # type: ignore[arg-type]
    h = csrf(c) | {"X-Forwarded-For": "9.9.9.9"}
    c.post("/api/auth/login", json={"username": "lhasa.cw", "password": "wrong-wrong-1"}, headers=h)
    assert _audited_ip(engine) == "10.0.0.5"


def test_forwarded_for_is_honoured_from_a_configured_proxy(engine: Engine) -> None:
    from dataclasses import replace

    from minsheng.web.app import create_app

    make_user(engine, "lhasa.cw")
    base: Any = make_app(engine)
    settings = replace(base.state.settings, trusted_proxies=("10.0.0.0/24",))
    app = create_app(settings, engine=engine)
    c = TestClient(app, client=("10.0.0.5", 1234))
    h = csrf(c) | {"X-Forwarded-For": "1.1.1.1, 9.9.9.9, 10.0.0.7"}
    c.post("/api/auth/login", json={"username": "lhasa.cw", "password": "wrong-wrong-1"}, headers=h)
    assert _audited_ip(engine) == "9.9.9.9"  # the first address no trusted proxy added


def test_serve_does_not_let_uvicorn_trust_forwarded_headers(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    import uvicorn

    from minsheng.cli import app as cli

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    r = runner.invoke(cli, ["serve"])
    assert r.exit_code == 0, r.output
    assert seen.get("proxy_headers") is False


def test_openapi_declares_the_error_answers(app: Any) -> None:
    doc = TestClient(app).get("/openapi.json").json()
    paths = doc["paths"]
    assert {"401", "403"} <= set(paths["/api/persons"]["get"]["responses"])
    assert {"401", "403", "409", "413", "422"} <= set(paths["/api/users"]["post"]["responses"])
    assert {"401", "403", "422", "429"} <= set(paths["/api/auth/login"]["post"]["responses"])
    assert {"429"} <= set(paths["/api/auth/otp"]["post"]["responses"])
    assert {"401", "429"} <= set(paths["/api/auth/otp/verify"]["post"]["responses"])
    assert "401" not in paths["/api/divisions"]["get"]["responses"]  # public
    err = paths["/api/persons"]["get"]["responses"]["403"]["content"]["application/json"]
    assert err["schema"]["$ref"].endswith("/ErrorAnswer")


# ----------------------------------------------------------------------------- item 16 (500)


def test_a_server_error_is_json_and_closes_the_connection(app: FastAPI) -> None:
    @app.get("/api/test-boom")
    def boom(by: Any = __import__("fastapi").Depends(public())) -> None:
        raise RuntimeError("boom")

    c = TestClient(app, raise_server_exceptions=False)
    r = c.get("/api/test-boom")
    assert r.status_code == 500
    assert r.headers.get("connection") == "close"
    assert r.json()["error"]["rule"] == "internal"


def test_demo_accounts_are_still_made(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from minsheng.cli import app as cli

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    r = runner.invoke(cli, ["demo", "users", "--if-missing"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["demo", "users", "--if-missing"])
    assert r.exit_code == 0 and '"created": []' in r.stdout
    with make_sessionmaker(engine)() as s:
        rows = s.execute(sa.text("SELECT username, active FROM users")).all()
    assert len(rows) == 7 and all(active for _, active in rows)


OLD_AUDIT = sa.table("audit_log", *(sa.column(c) for c in (*audit.FIELDS, "prev_hash", "hash")))
OLD_HEAD = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("last_hash"))


def test_migration_0007_keeps_old_tokens_and_keys_the_old_chain(engine: Engine) -> None:
    """Data written before 0007: tokens without expiry get one; the old unkeyed audit chain
    is checked and keyed by the upgrade itself, and later entries chain on from it."""
    from minsheng.db import downgrade, upgrade

    downgrade(engine, "0006")
    try:
        _write_before_0007(engine)
    finally:
        upgrade(engine)  # the PostgreSQL database is shared by the session: always come back
    with make_sessionmaker(engine)() as s:
        expires = s.scalar(sa.select(ApiToken.expires_at))
        assert expires is not None
        assert s.scalars(sa.select(AuditEntry.alg)).all() == [audit.ALG] * 3
        assert audit.verify(s).ok
        audit.record(s, BY, "update", "user", 1, "540100")  # a keyed entry after the old ones
        s.commit()
        v = audit.verify(s)
        assert v.ok and v.entries == 4


def _write_before_0007(engine: Engine) -> None:
    prev = audit.GENESIS
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, username, display_name, role, region_code, "
                "password_hash, active, failed_logins) "
                "VALUES (1, 'old.cw', 'old', 'caseworker', '540100', 'x', :t, 0)"
            ),
            {"t": True},
        )
        conn.execute(
            sa.text(
                "INSERT INTO api_tokens (id, name, token_hash, prefix, user_id, scopes, "
                "created_at) VALUES (1, 'old', :h, 'msk_', 1, 'registry:read', :at)"
            ),
            {"h": "0" * 64, "at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
        )
        for i in (1, 2, 3):
            fields = {k: None for k in audit.FIELDS} | {
                "id": i,
                "at": f"2025-01-0{i}T00:00:00.000000Z",
                "actor": "system:cli",
                "action": "create",
                "resource": "user",
                "detail": "{}",
            }
            digest = _unkeyed(prev, fields)
            conn.execute(sa.insert(OLD_AUDIT).values(**fields, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(sa.insert(OLD_HEAD).values(id=1, seq=3, last_hash=prev))
