"""Shared fixtures. Storage tests run on SQLite and, when configured, on PostgreSQL.

PostgreSQL: set ``MINSHENG_TEST_POSTGRES_URL`` (``.ci/run`` does). With
``MINSHENG_REQUIRE_POSTGRES=1`` a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

# Test keys, set before anything reads the environment (no key file is written by tests).
os.environ.setdefault("MINSHENG_DATA_KEYS", "test1:" + "A" * 43)
os.environ.setdefault("MINSHENG_HMAC_KEY", "B" * 43)
os.environ.setdefault("MINSHENG_OTP_SENDER", "memory")
# Everything the run logs also goes to this file, which is scanned for ID numbers at the end.
LOG_FILE = Path(os.environ.setdefault("MINSHENG_LOG_FILE", f"/tmp/minsheng-test-{os.getpid()}.log"))
LOG_FILE.write_text("")

from argon2 import PasswordHasher  # noqa: E402

from minsheng.auth import credentials as _credentials  # noqa: E402
from minsheng.config import normalise_url  # noqa: E402
from minsheng.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from minsheng.foundation.principals import Principal, system  # noqa: E402
from minsheng.models import Base  # noqa: E402

# Passwords and PINs are hashed at test strength. Argon2id at the library's recommended cost
# (64 MiB, 3 passes: ``auth/credentials.py``, kept in production) takes about 0.3 s a hash,
# and the suite makes thousands of accounts — a quarter of its time went to hashing. What the
# tests judge (a wrong password refused, a rehash, the throttle) holds at any cost; every module
# that bound the hasher by name gets the cheap one.
_SLOW_HASHER = _credentials.hasher
_credentials.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
for _module in list(__import__("sys").modules.values()):
    if getattr(_module, "hasher", None) is _SLOW_HASHER:
        _module.hasher = _credentials.hasher

# Property tests judge the rules, not the machine: a loaded 2-core runner (two xdist workers,
# a browser, PostgreSQL) must not fail one because drawing inputs or an example took long.
settings.register_profile(
    "minsheng", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("minsheng")

PG_URL = os.environ.get("MINSHENG_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("MINSHENG_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (and xdist worker), migrated."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("MINSHENG_REQUIRE_POSTGRES=1 but MINSHENG_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set MINSHENG_TEST_POSTGRES_URL)")
    admin_url = normalise_url(PG_URL)
    name = f"minsheng_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        if REQUIRE_PG:
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


# The tables a test may have written: those holding a row, and those whose sequence has been
# drawn from (a row added and deleted still moved it). Truncating only these — with their
# sequences restarted and their dependants cascaded — leaves the same empty database as
# truncating all hundred tables, in a tenth of the time (200 ms a PostgreSQL test before).
_DIRTY = """
SELECT t FROM ({rows}) AS written(t)
UNION
SELECT owner.relname FROM pg_sequences AS ps
JOIN pg_class AS seq ON seq.relname = ps.sequencename AND seq.relkind = 'S'
JOIN pg_namespace AS ns ON ns.oid = seq.relnamespace AND ns.nspname = ps.schemaname
JOIN pg_depend AS d ON d.objid = seq.oid AND d.deptype IN ('a', 'i')
JOIN pg_class AS owner ON owner.oid = d.refobjid
WHERE ps.schemaname = current_schema() AND ps.last_value IS NOT NULL
"""


def _truncate_all(engine: Engine) -> None:
    names = [t.name for t in Base.metadata.sorted_tables]
    rows = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    with engine.begin() as conn:
        dirty = sorted(str(t) for (t,) in conn.exec_driver_sql(_DIRTY.format(rows=rows)))
        if dirty:
            tables = ", ".join(f'"{t}"' for t in dirty)
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: SQLite (a copy of the template) or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "minsheng.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        eng = make_engine(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("pg_database")
        eng = make_engine(url)
        _truncate_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = make_sessionmaker(engine)
    with factory() as s:
        yield s
        s.rollback()


@pytest.fixture
def by() -> Principal:
    """The platform itself, for service tests that are not about permissions."""
    return system("test")


def make_app(engine: Engine) -> object:
    from minsheng.config import Settings
    from minsheng.web.app import create_app

    url = engine.url.render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-app-"))  # payroll files land here, not in ./
    settings = Settings(
        database_url=url, data_dir=data_dir, otp_sender="memory", keys=Settings.from_env().keys
    )
    return create_app(settings, engine=engine)


@pytest.fixture
def app(engine: Engine) -> object:
    return make_app(engine)


@pytest.fixture
def anon(app: object) -> Iterator[object]:
    """A client that has signed in as nobody."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:  # type: ignore[arg-type]
        yield c


def staff_client(
    app: object, engine: Engine, role: str, region: str, username: str | None = None
) -> object:
    """A client acting as a staff user of ``role`` in ``region`` through a bearer token."""
    from fastapi.testclient import TestClient

    from minsheng.auth.tokens import create_token
    from minsheng.auth.users import create_user
    from minsheng.foundation.principals import PERMISSIONS

    name = username or f"{role}.{region}"
    with make_sessionmaker(engine)() as s:
        user = create_user(s, system("test"), name, "correct-horse-1", role, region)
        raw, _ = create_token(s, system("test"), user.id, "test", sorted(PERMISSIONS[role]))
        s.commit()
    c = TestClient(app)  # type: ignore[arg-type]
    c.headers["Authorization"] = f"Bearer {raw}"
    return c


@pytest.fixture
def client(app: object, engine: Engine) -> Iterator[object]:
    """A caseworker for the whole region (registry tests that are not about scopes)."""
    c = staff_client(app, engine, "caseworker", "540000", "region.caseworker")
    with c:  # type: ignore[attr-defined]
        yield c


@pytest.fixture(scope="session", autouse=True)
def _one_event_loop_for_clients() -> Iterator[None]:
    """A ``TestClient`` used without ``with`` starts a thread and an event loop for every
    request (Starlette's ``_portal_factory``): a third of the route matrix's time. Such clients
    share one loop for the session instead, as a server's requests do; a client entered with
    ``with`` keeps its own."""
    import anyio.from_thread
    from starlette.testclient import TestClient

    original = TestClient._portal_factory

    with anyio.from_thread.start_blocking_portal() as portal:

        @contextlib.contextmanager
        def shared(self: TestClient) -> Iterator[Any]:
            yield self.portal if self.portal is not None else portal

        TestClient._portal_factory = shared  # type: ignore[method-assign]
        try:
            yield
        finally:
            TestClient._portal_factory = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_region_pack_leaks() -> Iterator[None]:
    """A test that sets ``MINSHENG_REGION_PACKS`` (``--region-pack`` does, for the process) must
    leave it as it found it: a pack left behind is applied again by every later ``load()`` (the
    analyst's bench and the microsimulation failed in the full run, never alone)."""
    before = os.environ.get("MINSHENG_REGION_PACKS")
    yield
    after = os.environ.get("MINSHENG_REGION_PACKS")
    if after != before:
        os.environ.pop("MINSHENG_REGION_PACKS", None)
        if before is not None:
            os.environ["MINSHENG_REGION_PACKS"] = before
        from minsheng.policy.parameters import load

        load.cache_clear()
        pytest.fail(f"the test left MINSHENG_REGION_PACKS={after!r} (it was {before!r})")


def pytest_sessionstart(session: pytest.Session) -> None:
    from minsheng import logs

    logs.configure()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if anything it logged carries a full resident ID number."""
    from minsheng.core import ids
    from minsheng.logs import ID_LIKE

    if not LOG_FILE.exists():
        return
    text = LOG_FILE.read_text(encoding="utf-8", errors="replace")
    leaks = set()
    for m in ID_LIKE.finditer(text):
        try:
            ids.parse_resident_id(m.group(1))
            leaks.add(m.group(1)[:4] + "…")
        except Exception:  # not a valid ID: a timestamp, a hash — fine
            continue
    lines = text.count("\n")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"log scan: {lines} log lines checked, {len(leaks)} full ID numbers found"
        )
    if leaks:
        session.exitstatus = 1
        if reporter is not None:
            reporter.write_line(
                f"log scan FAILED: full ID numbers were logged ({sorted(leaks)})", red=True
            )
