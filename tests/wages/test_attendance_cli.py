"""``minsheng wages attendance import FILE --project ID`` and ``month`` (issue 13 point 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.db import make_sessionmaker
from tests.wages.attendance_world import site


def test_import_and_month_from_the_command_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with make_sessionmaker(engine)() as s:
        st = site(s)
        s.commit()
    w, serial = st.workers[0], st.device.serial
    f = tmp_path / "att.csv"
    f.write_text(
        "device_serial,event_id,worker_id,at,kind\n"
        f"{serial},c1,{w},2026-11-03T08:00:00+08:00,in\n"
        f"{serial},c2,{w},2026-11-03T18:00:00+08:00,out\n"
        f"{serial},c3,{w},2026-11-03T19:00:00,sideways\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.csv"
    runner = CliRunner()
    args = ["wages", "attendance", "import", str(f), "--project", str(st.project_id)]
    r = runner.invoke(app, [*args, "--results", str(out)])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert (report["accepted"], report["refused"]) == (2, 1)
    assert report["refused_rows"][0]["rule"] == "kind" and report["refused_rows"][0]["line"] == 4
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert out.read_bytes().startswith(b"\xef\xbb\xbfline,")
    again = json.loads(runner.invoke(app, args).output)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    month = runner.invoke(
        app, ["wages", "attendance", "month", "2026-11", "--project", str(st.project_id)]
    )
    assert month.exit_code == 0, month.output
    assert json.loads(month.output)[0]["hours"] == 10.0
    missing = runner.invoke(app, ["wages", "attendance", "month", "2026-11", "--project", "999999"])
    assert missing.exit_code == 1
