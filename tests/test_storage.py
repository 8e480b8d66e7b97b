"""Migrations: the schema Alembic builds is the schema the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from minsheng.db import (
    alembic_config,
    current_revision,
    downgrade,
    table_names,
    upgrade,
)
from minsheng.employment.match_models import FTS_TABLES
from minsheng.models import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


UNMODELLED = frozenset(FTS_TABLES)  # SQLite's FTS5 tables, made by migration 0027, not models


def _modelled(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name in UNMODELLED)


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    assert current_revision(engine) == HEAD
    downgrade(engine, "base")
    assert [t for t in table_names(engine) if t != "alembic_version"] == []
    upgrade(engine)
    assert {"persons", "households", "enrolments"} <= set(table_names(engine))


def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _other_writer_blocked(engine: Engine, mode: str) -> bool:
    """Hold a transaction begun in ``mode`` and ask whether another writer is locked out."""
    import sqlite3

    path = engine.url.database
    assert path
    with engine.connect().execution_options(sqlite_begin=mode) as first:
        first.begin()
        first.exec_driver_sql("SELECT 1")
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        finally:
            other.close()
            first.rollback()


def test_sqlite_begin_immediate_takes_the_write_lock(engine: Engine) -> None:
    """A unit of work can take SQLite's write lock up front (the ledger of issue 4 relies on it)."""
    if engine.dialect.name != "sqlite":
        return
    assert not _other_writer_blocked(engine, "DEFERRED")
    assert _other_writer_blocked(engine, "IMMEDIATE")
