"""The cycle collector's threshold (``config.tune_gc``): what the server's processes and the
command line run with, from ``MINSHENG_GC_THRESHOLD`` — bounded, and a bad value refused."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from minsheng import config


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_default_and_a_chosen_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINSHENG_GC_THRESHOLD", raising=False)
    assert config.tune_gc() == config.GC_THRESHOLD
    assert gc.get_threshold() == (config.GC_THRESHOLD, config.GC_OLDER, config.GC_OLDER)
    monkeypatch.setenv("MINSHENG_GC_THRESHOLD", "700")  # CPython's own young threshold
    assert config.tune_gc() == 700 and gc.get_threshold()[0] == 700


@pytest.mark.parametrize("bad", ["0", "-5", "ten", "1000001", "1e4", ""])
def test_a_bad_threshold_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    before = gc.get_threshold()
    monkeypatch.setenv("MINSHENG_GC_THRESHOLD", bad)
    with pytest.raises(config.ConfigError, match="MINSHENG_GC_THRESHOLD"):
        config.tune_gc()
    assert gc.get_threshold() == before


def test_the_command_line_runs_with_it_and_refuses_a_bad_one() -> None:
    env = {**os.environ, "MINSHENG_GC_THRESHOLD": "twelve"}
    r = subprocess.run(
        [sys.executable, "-m", "minsheng", "id", "check", "11010519491231002X"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and "MINSHENG_GC_THRESHOLD" in r.stderr
    probe = "import gc, minsheng.cli as c, sys; sys.argv=['minsheng','--help']\n"
    probe += "try:\n    c.main()\nexcept SystemExit:\n    pass\nprint(gc.get_threshold()[0])"
    env["MINSHENG_GC_THRESHOLD"] = "12345"
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "12345", out.stderr
