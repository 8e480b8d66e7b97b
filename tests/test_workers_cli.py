"""``minsheng serve --workers N``: the workers reach uvicorn; on SQLite the command says that the
processes' writes queue on its one writer (allowed: correct, the writer lock is a file lock
between processes — ``tests/test_sqlite_writers.py`` — but it does not scale writes)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

runner = CliRunner()


def test_serve_passes_its_workers_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    import uvicorn

    from minsheng.cli import app as cli

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    r = runner.invoke(cli, ["serve", "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert seen["workers"] == 2 and seen["factory"] is True
    sqlite_note = "SQLite has one writer" in r.output
    assert sqlite_note == (engine.dialect.name == "sqlite")
    if sqlite_note:  # in the three languages
        assert "SQLite 只有一个写入者" in r.output and "SQLite ལ་འབྲི་མཁན་གཅིག" in r.output
    refused = runner.invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code != 0 and "workers" in refused.output
