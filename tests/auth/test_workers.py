"""Several worker processes (``minsheng serve --workers N``): what one worker counts or ends holds
in every other one. Each "worker" here is an app of its own — its own engine, sessionmaker,
request limiter and memory of callers — over one database, as two processes would be; the
second worker's clock is moved by hand instead of sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from minsheng.auth.callers import CHECK_EVERY, Callers
from minsheng.auth.models import AuthThrottle
from minsheng.auth.tokens import create_token, revoke_token
from minsheng.core import ids
from minsheng.db import make_engine, make_sessionmaker
from minsheng.foundation.principals import ANONYMOUS
from minsheng.webkit.guards import LIMITS
from tests.auth.test_signin import BY, csrf, login, make_user
from tests.conftest import make_app

P = ids.make_resident_id("540102", dt.date(1985, 3, 3), 21)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def workers(engine: Engine) -> Iterator[tuple[Any, Any]]:
    """Two apps over one database, each with its own engine (its own connections)."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield make_app(engine), make_app(other)
    other.dispose()


def test_the_sign_in_limit_per_address_holds_in_total_across_workers(
    workers: tuple[Any, Any],
) -> None:
    a, b = TestClient(workers[0]), TestClient(workers[1])
    n, _ = LIMITS["login_ip"]
    codes = [login(a if i % 2 else b, f"someone{i}", "x" * 12).status_code for i in range(n + 2)]
    # per process, each worker would have let n through: 2n in all
    assert codes[:n] == [401] * n and codes[n:] == [429, 429]


def test_the_code_sending_limit_per_id_holds_in_total_across_workers(
    workers: tuple[Any, Any], engine: Engine
) -> None:
    a, b = TestClient(workers[0]), TestClient(workers[1])
    ha, hb = {"X-CSRF-Token": csrf(a)}, {"X-CSRF-Token": csrf(b)}
    codes = [
        (a if i % 2 else b).post(
            "/api/auth/otp", json={"id_number": P}, headers=ha if i % 2 else hb
        )
        for i in range(5)
    ]
    assert [r.status_code for r in codes] == [202, 202, 202, 429, 429]
    assert codes[-1].json()["error"]["rule"] == "rate_limited"
    with make_sessionmaker(engine)() as s:  # counted under hashed keys, no ID hash in clear
        keys = s.scalars(select(AuthThrottle.key)).all()
    assert keys and all(k.startswith("rate:") and len(k) == 64 for k in keys)


def test_resetting_the_request_limits_keeps_the_sign_in_failures(
    workers: tuple[Any, Any], engine: Engine
) -> None:
    make_user(engine)
    a = TestClient(workers[0])
    assert login(a, password="wrong-horse-1").status_code == 401
    workers[1].state.limiter.reset()
    with make_sessionmaker(engine)() as s:
        keys = s.scalars(select(AuthThrottle.key)).all()
    assert len(keys) == 1 and not keys[0].startswith("rate:")  # the (username, address) pair


def test_a_token_revoked_in_one_worker_is_refused_by_the_other_within_the_bound(
    workers: tuple[Any, Any], engine: Engine
) -> None:
    uid = make_user(engine)
    with make_sessionmaker(engine)() as s:
        raw, token = create_token(s, BY, uid, "HIS", ["registry:read"])
        s.commit()
    clock = Clock()
    workers[1].state.callers.clock = clock
    a, b = TestClient(workers[0]), TestClient(workers[1])
    for c in (a, b):
        c.headers["Authorization"] = f"Bearer {raw}"
        assert c.get("/api/persons").status_code == 200  # each remembers the caller
    with workers[0].state.sessionmaker() as s:  # revoked through worker A
        revoke_token(s, BY, token.id)
        s.commit()
    assert a.get("/api/persons").status_code == 401  # at once in the worker that revoked
    clock.now += CHECK_EVERY / 2
    assert b.get("/api/persons").status_code == 200  # B still trusts its memory: the bound
    clock.now += CHECK_EVERY / 2
    assert b.get("/api/persons").status_code == 401  # past it, B has read the moved count
    assert b.get("/api/auth/me").status_code == 401


def test_a_session_signed_out_in_one_worker_is_nobody_in_the_other_within_the_bound(
    workers: tuple[Any, Any], engine: Engine
) -> None:
    make_user(engine)
    clock = Clock()
    workers[1].state.callers.clock = clock
    a, b = TestClient(workers[0]), TestClient(workers[1])
    assert login(a).status_code == 200
    b.cookies.update(a.cookies)  # the same browser, its next request sent to worker B
    assert b.get("/api/auth/me").json()["kind"] == "staff"
    assert a.post("/api/auth/logout", headers={"X-CSRF-Token": csrf(a)}).status_code == 204
    clock.now += CHECK_EVERY * 0.9
    assert b.get("/api/auth/me").json()["kind"] == "staff"  # within the bound
    clock.now += CHECK_EVERY * 0.1
    assert b.get("/api/auth/me").json()["kind"] == "anonymous"
    assert b.get("/api/persons").status_code == 401


def test_a_caller_resolved_before_a_newer_count_is_not_served() -> None:
    """Two resolves race: one read the count before a revocation, the other after it. The
    first one's caller, remembered last, is not served; its older count changes nothing."""
    clock = Clock()
    callers = Callers(clock)
    callers.observe(8, clock.now)  # the later read saw the revocation (count 8)
    callers.observe(7, clock.now - 0.01)  # the earlier, slower read: older, ignored
    callers.remember("token", "raw", ANONYMOUS, 7)  # resolved before the revocation
    assert callers.remembered("token", "raw", None) is None
    callers.remember("token", "raw", ANONYMOUS, 8)
    assert callers.remembered("token", "raw", None) is not None
    clock.now += CHECK_EVERY
    assert callers.remembered("token", "raw", None) is None  # due a read of the count


def test_a_change_rolled_back_moves_nothing(workers: tuple[Any, Any], engine: Engine) -> None:
    uid = make_user(engine)
    with make_sessionmaker(engine)() as s:
        raw, token = create_token(s, BY, uid, "HIS", ["registry:read"])
        s.commit()
    a = TestClient(workers[0])
    a.headers["Authorization"] = f"Bearer {raw}"
    assert a.get("/api/persons").status_code == 200
    callers = workers[0].state.callers
    with workers[0].state.sessionmaker() as s:
        revoke_token(s, BY, token.id)
        s.rollback()
        assert len(callers) == 1  # nothing was forgotten: nothing changed
        s.execute(select(1))
        s.commit()  # the same session's next commit is not taken for the change undone
    assert len(callers) == 1 and a.get("/api/persons").status_code == 200
