"""Storage: SQLAlchemy 2 engines, sessions and Alembic migrations.

SQLite (WAL) by default, PostgreSQL with ``MINSHENG_DATABASE_URL``. On SQLite, SQLAlchemy
emits ``BEGIN`` itself (the driver's implicit transactions are off), so a unit of work may ask
for ``BEGIN IMMEDIATE`` with ``connection.execution_options(sqlite_begin="IMMEDIATE")`` — the
SQLite counterpart of a row lock.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from minsheng.core.errors import ConflictError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


M = TypeVar("M", bound=Base)


def insert_new(
    session: Session, model: type[M], values: dict[str, Any], unique: list[str]
) -> M | None:
    """``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING *`` on SQLite and PostgreSQL: the
    row just inserted (in the session, as if loaded), or None when a row with that unique key
    exists — a concurrent writer's, committed first (PostgreSQL waits for it). One statement,
    no savepoint and no unit of work: flush events do not fire for it (a listener that must
    see the row is told by the caller)."""
    stmt = _insert_new(model, tuple(unique), session.get_bind().dialect.name == "postgresql")
    return session.scalars(stmt, values).first()


@functools.cache
def lost_race(field: str) -> ConflictError:
    """The refusal when :func:`insert_new` found a row taken by a concurrent request that this
    transaction cannot see yet (PostgreSQL, READ COMMITTED): 409 ``retry`` naming ``field`` —
    the client's retry finds it."""
    return ConflictError(field, "retry", "请重试", "please try again", "ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།")


def _insert_new(model: type[Base], unique: tuple[str, ...], pg: bool) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    stmt = (postgresql.insert if pg else sqlite.insert)(model)
    return stmt.on_conflict_do_nothing(index_elements=list(unique)).returning(model)


def is_sqlite(url_or_engine: str | Engine | Connection) -> bool:
    if isinstance(url_or_engine, str):
        return url_or_engine.startswith("sqlite")
    return url_or_engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGIN."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_file(Path(path))
        kwargs.setdefault("hide_parameters", True)  # no ID number in an error message or log
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("hide_parameters", True)
    return create_engine(url, **kwargs)


def _private_file(path: Path) -> None:
    """The database file owner-only (0600) in an owner-only folder (0700), before SQLite opens
    it: SQLite gives its -wal and -shm files the database file's mode."""
    from minsheng.config import private_dir

    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(f, 0o600)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], immediate: bool = True) -> Iterator[Session]:
    """A session whose work commits together on success and rolls back whole on any error.

    On SQLite, ``immediate`` takes the write lock when the transaction begins (``BEGIN
    IMMEDIATE``), so a transaction that reads and then writes (nearly all do: the audit log) can
    never fail half-way because another writer committed in between. PostgreSQL needs no such
    option: its writers lock the rows they change.
    """
    session = factory()
    bind = session.get_bind()
    lock, held = None, None
    if immediate and bind.dialect.name == "sqlite":
        # Writers of one process queue here, in order, instead of in SQLite's busy handler,
        # which sleeps and retries (up to 100 ms a time) and so makes latency explode under load;
        # the writers of several processes (``serve --workers N``) then queue on a file lock
        # beside the database, which the kernel hands over at once (and drops if a process dies).
        lock = _sqlite_writer_lock(bind)
        lock.acquire()
        try:
            held = _file_lock(bind)
        except BaseException:
            lock.release()
            raise
    try:
        if lock is not None:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        after = getattr(exc, "after_rollback", None)
        if after:  # what a refusal itself must leave behind (MinshengError.after_rollback)
            for work in after:
                work(session)
            session.commit()
        raise
    finally:
        session.close()
        if held is not None:
            os.close(held)  # closing the descriptor gives the file lock back
        if lock is not None:
            lock.release()


_writer_locks: dict[str, threading.Lock] = {}


def _file_lock(engine: Engine | Connection) -> int | None:
    """The cross-process writer lock of a SQLite file, taken: an exclusive ``flock`` on
    ``<database>-writer.lock``, held by the descriptor answered (closing it gives the lock back;
    so does the death of the process). In-memory databases and systems without ``fcntl`` have
    none (None): the busy handler alone."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    path = engine.engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _sqlite_writer_lock(engine: Engine | Connection) -> threading.Lock:
    key = str(engine.engine.url)
    lock = _writer_locks.get(key)
    if lock is None:
        lock = _writer_locks.setdefault(key, threading.Lock())
    return lock


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("minsheng") / "migrations"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with Alembic."""
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
