"""Property-based calls to every operation in the OpenAPI spec, as a staff member: no 5xx.

schemathesis generates valid and invalid inputs from the spec; whatever it sends, the answer
must be a clear 4xx or a success, never a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from minsheng.auth import service
from minsheng.auth.permissions import PERMISSIONS, system
from minsheng.db import make_engine, make_sessionmaker, upgrade
from minsheng.demo.population import seed
from tests.conftest import make_app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "api.db"
    engine: Engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine, people=200, seed=9)
    with make_sessionmaker(engine)() as s:
        perms = sorted(PERMISSIONS["supervisor"])
        user = service.create_user(
            s, system("test"), "fuzz.supervisor", "correct-horse-1", "supervisor", "540000"
        )
        raw, _ = service.create_token(s, system("test"), user.id, "fuzz", perms)
        s.commit()
    yield make_app(engine), raw
    engine.dispose()


def test_no_server_errors(seeded: tuple[Any, str]) -> None:
    app, token = seeded
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for op in operations:
        # valid inputs and invalid ones (wrong types, out of range, missing fields)
        strategy = op.as_strategy(GenerationMode.POSITIVE) | op.as_strategy(GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(
            max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            app.state.limiter.reset()
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=(not_a_server_error,))

        run()
