"""Generated requests to every operation in the OpenAPI document: never a server error.

schemathesis generates valid and invalid inputs from the spec (wrong types, values out of range,
missing fields, strings of every script and control character). Whatever it sends, as whoever it
sends it, on SQLite and on PostgreSQL, the answer must be a success or a clear 4xx.

Callers: nobody (anonymous), a region-wide supervisor's bearer token (the widest role that reads
people), a county caseworker's token, and a citizen signed in with a one-time code (session cookie
plus the CSRF token, as the citizen's pages send it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine, select

from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.db import make_engine, make_sessionmaker, upgrade
from minsheng.demo.population import seed
from minsheng.foundation.principals import PERMISSIONS, system
from minsheng.registry.models import Person
from tests.conftest import _truncate_all, make_app

# Examples per operation and caller (more with MINSHENG_FUZZ_EXAMPLES=50 for a deep run): the
# operations grow with every programme, and CI's budget is 20 minutes.
EXAMPLES = int(os.environ.get("MINSHENG_FUZZ_EXAMPLES", "6"))
CALLERS = ["anonymous", "supervisor", "caseworker", "citizen"]
# Anonymous calls meet the database only through public routes, which the signed-in callers
# reach too: anonymous runs on SQLite alone; so does the caseworker, whose routes are the
# supervisor's inside a smaller region (the supervisor runs on both databases).
CASES = [
    pytest.param(db, caller, id=f"{db}-{caller}")
    for db in ("sqlite", "postgresql")
    for caller in CALLERS
    if not (db == "postgresql" and caller in ("anonymous", "caseworker"))
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("generated") / "api.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
        _truncate_all(engine)
    seed(engine, people=200, seed=9)
    yield engine
    engine.dispose()


def _token(engine: Engine, role: str, region: str) -> str:
    with make_sessionmaker(engine)() as s:
        user = create_user(
            s, system("test"), f"fuzz.{role}.{region}", "correct-horse-1", role, region
        )
        raw, _ = create_token(s, system("test"), user.id, "fuzz", sorted(PERMISSIONS[role]))
        s.commit()
    return raw


def _citizen(app: Any, engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """Sign a demo person in through the real one-time-code flow; their cookies and headers."""
    with make_sessionmaker(engine)() as s:
        person = s.scalars(select(Person).order_by(Person.id).limit(1)).one()
        id_number, pid = person.id_number, person.id
    with TestClient(app) as c:
        token = c.get("/api/auth/csrf").cookies.get("ms_csrf") or c.cookies.get("ms_csrf")
        h = {"X-CSRF-Token": token or "", "Origin": "http://testserver"}
        assert c.post("/api/auth/otp", json={"id_number": id_number}, headers=h).status_code == 202
        code = app.state.otp_sender.sent[pid]
        token = c.cookies.get("ms_csrf") or token
        h["X-CSRF-Token"] = token or ""
        r = c.post("/api/auth/otp/verify", json={"id_number": id_number, "code": code}, headers=h)
        assert r.status_code == 200, r.text
        cookies = {k: v for k, v in c.cookies.items()}
    return cookies, {"X-CSRF-Token": cookies.get("ms_csrf", ""), "Origin": "http://testserver"}


@pytest.mark.slow
@pytest.mark.parametrize(("seeded_engine", "caller"), CASES, indirect=["seeded_engine"])
def test_no_server_errors(seeded_engine: Engine, caller: str) -> None:
    app: Any = make_app(seeded_engine)
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    if caller == "supervisor":
        headers["Authorization"] = f"Bearer {_token(seeded_engine, 'supervisor', '540000')}"
    elif caller == "caseworker":
        headers["Authorization"] = f"Bearer {_token(seeded_engine, 'caseworker', '540102')}"
    elif caller == "citizen":
        with TestClient(app):  # run the app's start-up so its state (OTP sender) exists
            cookies, headers = _citizen(app, seeded_engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    for op in operations:
        strategy = op.as_strategy(GenerationMode.POSITIVE) | op.as_strategy(GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            app.state.limiter.reset()
            response = case.call(headers=dict(headers), cookies=dict(cookies))
            case.validate_response(response, checks=(not_a_server_error,))

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:400]}")
    assert not failures, "\n".join(failures)
