"""``minsheng wages projects file|list|show`` as an operator types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from minsheng.wages.models import WgProject
from tests.wages.project_kit import project_in

runner = CliRunner()


def test_file_list_show(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    body = tmp_path / "project.json"
    body.write_text(json.dumps(project_in().model_dump(mode="json"), ensure_ascii=False), "utf-8")
    r = runner.invoke(app, ["wages", "projects", "file", str(body)])
    assert r.exit_code == 0, r.output
    filed = json.loads(r.stdout)
    assert filed["code"].startswith("XM540102") and len(filed["firms"]) == 3
    r = runner.invoke(app, ["wages", "projects", "list", "--county", "540102"])
    assert [p["id"] for p in json.loads(r.stdout)] == [filed["id"]]
    r = runner.invoke(app, ["wages", "projects", "show", str(filed["id"])])
    assert json.loads(r.stdout)["schedule"][0]["due_on"] == "2026-04-01"
    r = runner.invoke(app, ["wages", "projects", "show", "999999"])
    assert r.exit_code == 1 and "not_found" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(project_in(contract_value="0").model_dump(mode="json"), ensure_ascii=False),
        "utf-8",
    )
    r = runner.invoke(app, ["wages", "projects", "file", str(bad)])
    assert r.exit_code == 1 and "contract_value" in r.output
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgProject)) == 1
