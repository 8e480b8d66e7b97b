"""The analyst's bench generates its population once, whichever worker process asks first: the
others wait on ``population.lock`` and read what it wrote (``sim/pages.py: ensure_population``)."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from pathlib import Path
from typing import Any

from minsheng.sim import population
from minsheng.sim.pages import ensure_population


def test_a_worker_waits_for_the_population_another_worker_is_generating(tmp_path: Path) -> None:
    directory = tmp_path / "sim" / "population"
    directory.parent.mkdir(parents=True)
    # another worker process generating: its lock on its own open of the file (flock is per open)
    other = os.open(directory.parent / "population.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    done = threading.Event()
    found: dict[str, Any] = {}

    def ensure() -> None:
        found.update(ensure_population(directory, people=2_000))
        done.set()

    waiter = threading.Thread(target=ensure, daemon=True)
    waiter.start()
    try:
        assert not done.wait(0.5), "the second worker generated while the first held the lock"
        assert not (directory / "meta.json").exists()
        written = population.write(directory, 2_000, seed=1, year=dt.date.today().year)
        stamp = (directory / "meta.json").stat().st_mtime_ns
    finally:
        os.close(other)  # the first worker is done: the second goes in
    assert done.wait(60)
    waiter.join(5)
    assert found == written  # it read the first worker's population…
    assert (directory / "meta.json").stat().st_mtime_ns == stamp  # …and wrote none of its own
