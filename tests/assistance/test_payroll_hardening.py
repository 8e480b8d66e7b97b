"""Payroll under hostile names, two doors, crashes and concurrency (issue 10, items 1–4, 15, 16).

- names carrying the bank file's separator, line breaks, backslashes or spreadsheet formulas
  never forge a line or a field (the independent reader in ``bankfile_reader.py`` parses every
  file back and checks count, total and digest), and the roll CSV neutralises formulas;
- a run started through the API is the same run as one started by the CLI: its transfer file is
  downloadable (audited, region-checked) for every recorded payment;
- the real CLI process is killed (SIGKILL) at every step of a run, on SQLite and PostgreSQL; after
  a re-run every payment is in exactly one issued file and no file without a committed run looks
  valid;
- concurrent runs over overlapping regions answer without a server error and pay nobody twice;
- payroll files are owner-only (0600 in a 0700 directory).

Hostile names are written straight into the database, bypassing input validation, because the
file writer must hold even when bad data got in some other way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from minsheng.assistance import payroll
from minsheng.assistance.models import Payment, PayrollRun
from minsheng.core import export, ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import HouseholdIn, PersonIn
from tests.assistance import bankfile_reader as reader
from tests.conftest import staff_client

BY = system("test")
ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "扎西|540102193501019999|99999900",  # the separator, with a forged ID and amount
    "卓玛\nD|2|x|伪造|540102193501010000|100000|forged",  # a line break and a forged line
    "次仁\r\nT|1|1|deadbeef",  # CRLF and a forged trailer
    "=cmd|' /C calc'!A0",  # a spreadsheet formula
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t格桑",
    "\r央金",
    "back\\slash\\u007C\\",  # a backslash and something that looks like an escape
    "线\u2028分\u2029隔\x85\x0b\x0c\x1c",  # other things some readers treat as line breaks
    "普通名字",
]


def _seed(engine: Engine) -> dict[int, str]:
    """Elderly people (the 高龄补贴 is due every month with no application) in Lhasa and
    Shigatse; each gets a hostile name written directly into the table. → person id: name."""
    names: dict[int, str] = {}
    with make_sessionmaker(engine)() as s:
        for i, name in enumerate(HOSTILE):
            county = "540102" if i % 3 else "540202"
            code = f"PH-{i}"
            registry.create_household(
                s, HouseholdIn(code=code, division_code=county, area="urban"), BY
            )
            p = registry.create_person(
                s,
                PersonIn(
                    id_number=ids.make_resident_id(county, dt.date(1935 - i, 1, 1), 100 + i),
                    name_zh=f"老人{i}",
                    hukou="urban",
                    household_code=code,
                    relationship="head",
                ),
                BY,
            )
            s.flush()
            s.execute(text("UPDATE persons SET name_zh = :n WHERE id = :i"), {"n": name, "i": p.id})
            names[p.id] = name
        s.commit()
    return names


def _env(engine: Engine, data_dir: Path, fault: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["MINSHENG_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["MINSHENG_DATA_DIR"] = str(data_dir)
    env.pop("MINSHENG_FAULT", None)
    if fault:
        env["MINSHENG_FAULT"] = fault
    return env


def _cli(
    engine: Engine, data_dir: Path, month: str, region: str, fault: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minsheng", "assistance", "payroll", month, "--region", region],
        env=_env(engine, data_dir, fault),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _in_process(engine: Engine, data_dir: Path, month: str, region: str) -> None:
    """The next run, as the CLI makes it, in this process."""
    payroll.issue(
        make_sessionmaker(engine), month, region, system("cli"), payroll.files_dir(data_dir)
    )


def _files(data_dir: Path) -> tuple[dict[str, reader.BankFile], list[str]]:
    """Every file in the payroll directory the independent reader accepts, and those it refuses."""
    good: dict[str, reader.BankFile] = {}
    refused: list[str] = []
    directory = data_dir / "payroll"
    for path in sorted(directory.iterdir()) if directory.exists() else []:
        if path.name.startswith("payroll-") and path.suffix == ".csv":
            continue  # the roll
        try:
            good[path.name] = reader.read(path)
        except reader.Refused:
            refused.append(path.name)
    return good, refused


def _check_files_agree_with_db(engine: Engine, data_dir: Path, *, settled: bool) -> None:
    """No valid-looking file without a committed run; with ``settled``, every payment in exactly
    one issued file, every run issued, and the files' records are the payments."""
    good, _ = _files(data_dir)
    with make_sessionmaker(engine)() as s:
        runs = {r.id: r for r in s.scalars(select(PayrollRun))}
        payments = list(s.scalars(select(Payment)))
        people = {p.id: p for p in s.scalars(select(Person))}
        for name, f in good.items():
            run = runs.get(f.run_id)
            assert run is not None, f"{name} looks valid but no run stands behind it"
            assert run.digest == f.digest, f"{name} is not the file its run vouches for"
            assert run.month == f.month and run.region == f.region
        if not settled:
            return
        assert {r.state for r in runs.values()} <= {"issued"}, "a run was left unfinished"
        seen: dict[str, int] = {}
        for f in good.values():
            assert runs[f.run_id].file_name is not None
            for rec in f.records:
                seen[rec.ref] = seen.get(rec.ref, 0) + 1
        by_key = {p.pay_key: p for p in payments}
        assert set(seen) == set(by_key), "payments missing from the files (or files paying more)"
        assert all(n == 1 for n in seen.values()), "a payment was issued in two files"
        for f in good.values():
            run = runs[f.run_id]
            assert run.new_payments == f.count and run.new_total == f.total
            for rec in f.records:
                p = by_key[rec.ref]
                assert p.run_id == f.run_id and p.amount == rec.amount
                assert rec.name == people[p.person_id].name_zh
                assert rec.id_number == people[p.person_id].id_number


# ------------------------------------------------------------------ the file formats themselves


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
            st.integers(min_value=1, max_value=10**15),
        ),
        max_size=8,
    )
)
def test_any_field_round_trips_and_never_becomes_a_line(rows: list[tuple[str, int]]) -> None:
    transfers = [
        export.Transfer(ref=f"k{i}|\n", name=n, id_number=n[::-1], amount=a, memo=n + "|memo")
        for i, (n, a) in enumerate(rows)
    ]
    data, digest = export.bank_file("540100", "2026-05", 7, transfers)
    lines = data.split(b"\n")
    assert len(lines) == len(rows) + 3 and lines[-1] == b""  # header, records, trailer, ""
    assert all(line.count(b"|") == 6 for line in lines[1:-2])
    f = reader.parse(data)
    assert f.digest == digest and f.count == len(rows) and f.total == sum(a for _, a in rows)
    assert [(r.name, r.id_number, r.memo, r.ref) for r in f.records] == [
        (t.name, t.id_number, t.memo, t.ref) for t in transfers
    ]


def test_the_reader_refuses_what_is_not_a_whole_valid_file(tmp_path: Path) -> None:
    transfers = [export.Transfer("k1", "扎西", "540102193501010012", 10000, "m")]
    data, _ = export.bank_file("540100", "2026-05", 3, transfers)
    reader.parse(data)
    for bad in (
        data[:-1],  # torn: no final line feed
        data[: data.rindex(b"T|")],  # no trailer
        data.replace(b"|10000|", b"|10001|"),  # an amount changed
        data.replace(b"\n", b"\r\n"),
        data + b"D|2|k2|x|y|1|m\n",  # something after the trailer
    ):
        with pytest.raises(reader.Refused):
            reader.parse(bad)
    tmp = tmp_path / ".bank-2026-05-540100-run3.txt.abc.tmp"
    tmp.write_bytes(data)
    with pytest.raises(reader.Refused):
        reader.read(tmp)  # a temporary name never passes, whatever it holds
    (tmp_path / "bank-2026-05-540100-run3.txt").write_bytes(data)
    assert reader.read(tmp_path / "bank-2026-05-540100-run3.txt").count == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_start_a_formula_are_neutralised(start: str) -> None:
    out = export.csv_text(["name", "n"], [[start + "1+1", 5], ["ok", -5]])
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows == [["name", "n"], ["'" + start + "1+1", "5"], ["ok", "-5"]]
    assert out.endswith("\r\n") and out.count("\r\n") == 3


# ------------------------------------------------------------------ through the real CLI


def test_hostile_names_forge_nothing_in_the_cli_files(engine: Engine, tmp_path: Path) -> None:
    names = _seed(engine)
    r = _cli(engine, tmp_path, "2026-05", "540000")
    assert r.returncode == 0, r.stderr
    good, refused = _files(tmp_path)
    assert not refused and len(good) == 1
    (f,) = good.values()
    assert f.count == len(HOSTILE) and sorted(x.name for x in f.records) == sorted(names.values())
    raw = (tmp_path / "payroll" / next(iter(good))).read_bytes()
    assert raw.count(b"\n") == len(HOSTILE) + 2  # a naive line parser sees the same count
    _check_files_agree_with_db(engine, tmp_path, settled=True)
    # the roll: one row per payment, formulas neutralised, nothing split
    roll = tmp_path / "payroll" / "payroll-2026-05-540000.csv"
    rows = list(csv.DictReader(io.StringIO(roll.read_bytes().decode("utf-8-sig"), newline="")))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert row["name"][0] not in "=+-@\t\r", row["name"]
    assert {row["name"] for row in rows} == {
        ("'" + n if n[0] in "=+-@\t\r" else n) for n in names.values()
    }
    # owner-only (item 15)
    directory = tmp_path / "payroll"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


STEPS = ["prepare", "prepared", "temp_written", "renamed", "issued"]


def test_killed_at_every_step_every_payment_is_in_exactly_one_issued_file(
    engine: Engine, tmp_path: Path
) -> None:
    _seed(engine)
    for i, step in enumerate(STEPS):
        month = f"2026-{i + 1:02d}"
        r = _cli(engine, tmp_path, month, "540100", fault=f"payroll:{step}")
        assert r.returncode == -signal.SIGKILL, (step, r.returncode, r.stderr)
        # whatever the moment of death: no valid-looking file without a committed run
        _check_files_agree_with_db(engine, tmp_path, settled=False)
        if i % 2:  # another, wider run commits in between (the way 133 of 133 were paid twice)
            _in_process(engine, tmp_path, month, "540000")
        if i == len(STEPS) - 1:  # the re-run: the real CLI once, the same use case in-process
            again = _cli(engine, tmp_path, month, "540100")  # otherwise (each process costs ~5 s)
            assert again.returncode == 0, again.stderr
        else:
            _in_process(engine, tmp_path, month, "540100")
        _check_files_agree_with_db(engine, tmp_path, settled=True)
    good, refused = _files(tmp_path)
    months = {f.month for f in good.values()}
    assert months == {f"2026-{i + 1:02d}" for i in range(len(STEPS))}
    assert not [n for n in refused if not n.startswith(".")], refused


# ------------------------------------------------------------------ through the API


def _app(engine: Engine, data_dir: Path) -> Any:
    from minsheng.config import Settings
    from minsheng.web.app import create_app

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=data_dir,
        otp_sender="memory",
        keys=Settings.from_env().keys,
    )
    return create_app(settings, engine=engine)


def test_an_api_run_is_the_same_run_and_its_file_is_downloadable(
    engine: Engine, tmp_path: Path
) -> None:
    names = _seed(engine)
    app = _app(engine, tmp_path)
    sup = staff_client(app, engine, "supervisor", "540100")
    r = sup.post("/api/assistance/payroll", json={"month": "2026-04", "region": "540100"})  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text
    body = r.json()
    lhasa = sum(1 for i in range(len(HOSTILE)) if i % 3)
    assert body["new_payments"] == lhasa and body["state"] == "issued"
    run_id = body["run_id"]
    r = sup.get(f"/api/assistance/payroll/{run_id}/bank-file")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    f = reader.parse(r.content)
    assert f.run_id == run_id and f.count == lhasa and f.digest == body["digest"]
    assert {x.name for x in f.records} <= set(names.values())
    # deleted after handover, as the docs advise: rendered again, the same bytes, owner-only
    stored = tmp_path / "payroll" / body["bank_file"]
    stored.unlink()
    again = sup.get(f"/api/assistance/payroll/{run_id}/bank-file")  # type: ignore[attr-defined]
    assert again.status_code == 200 and again.content == r.content
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    roll = sup.get(f"/api/assistance/payroll/{run_id}/roll")  # type: ignore[attr-defined]
    assert roll.status_code == 200 and roll.headers["content-type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(roll.content.decode("utf-8-sig"))))) == lhasa + 1
    with make_sessionmaker(engine)() as s:
        audited = s.scalars(
            select(AuditEntry.action).where(AuditEntry.resource == "assistance_bank_file")
        ).all()
        assert audited == ["download", "download"]
    # a Shigatse supervisor finds no such run (as for a missing one); a caseworker may not take it
    sz = staff_client(app, engine, "supervisor", "540200")
    assert sz.get(f"/api/assistance/payroll/{run_id}/bank-file").status_code == 404  # type: ignore[attr-defined]
    cw = staff_client(app, engine, "caseworker", "540100")
    assert cw.get(f"/api/assistance/payroll/{run_id}/bank-file").status_code == 403  # type: ignore[attr-defined]
    # the CLI, later, finds them paid and writes no second file; every payment is in one file
    cli = _cli(engine, tmp_path, "2026-04", "540100")
    assert cli.returncode == 0, cli.stderr
    _check_files_agree_with_db(engine, tmp_path, settled=True)
    good, _ = _files(tmp_path)
    assert len(good) == 1


def test_concurrent_overlapping_runs_never_500_and_pay_once(engine: Engine, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    _seed(engine)
    app = _app(engine, tmp_path)
    scopes = ["540000", "540000", "540100", "540100", "540200", "540000"]
    regions = ["540000", "540100", "540100", "540102", "540200", "540000"]
    clients = []
    for i, scope in enumerate(scopes):
        c = staff_client(app, engine, "supervisor", scope, f"sup{i}")
        quiet = TestClient(app, raise_server_exceptions=False)  # a 500 is an answer here
        quiet.headers["Authorization"] = c.headers["Authorization"]  # type: ignore[attr-defined]
        clients.append(quiet)
    codes: list[int] = []
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    for month in months:
        barrier = threading.Barrier(len(clients))

        def go(c: Any, region: str, month: str = month, barrier: Any = barrier) -> None:
            barrier.wait()
            r = c.post("/api/assistance/payroll", json={"month": month, "region": region})
            codes.append(r.status_code)

        threads = [threading.Thread(target=go, args=x) for x in zip(clients, regions, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(codes) == len(clients) * len(months)
    assert all(c in (200, 409) for c in codes), codes
    _check_files_agree_with_db(engine, tmp_path, settled=True)
    with make_sessionmaker(engine)() as s:
        assert len(s.scalars(select(Payment.pay_key)).all()) == len(HOSTILE) * len(months)
