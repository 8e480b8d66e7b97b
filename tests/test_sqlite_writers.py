"""SQLite's writers across processes queue on a lock file beside the database
(``minsheng.db.unit_of_work``): a writer waits while another process holds it and goes in when
it is given back — rather than sleeping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from sqlalchemy import text

from minsheng.db import make_engine, make_sessionmaker, unit_of_work


def test_a_writer_waits_for_another_process_holding_the_lock_file(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    factory = make_sessionmaker(engine)
    # another process's writer: a lock on its own open of the file (flock is per open file)
    other = os.open(tmp_path / "w.db-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    done = threading.Event()

    def write() -> None:
        with unit_of_work(factory) as s:
            s.execute(text("INSERT INTO t VALUES (1)"))
        done.set()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        assert not done.wait(0.5), "the writer went in while another process held the lock"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        os.close(other)  # given back: the writer goes in
    assert done.wait(30)
    writer.join(5)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    # and the lock is free again after the writer's commit
    again = os.open(tmp_path / "w.db-writer.lock", os.O_RDWR)
    try:
        fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(again)
    engine.dispose()
