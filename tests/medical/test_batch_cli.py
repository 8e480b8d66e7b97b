"""``minsheng medical settle --batch FILE``: JSON lines in, one result a line out, batches in
their own transactions; killed (SIGKILL) inside a batch and between batches, the rerun settles
every bill exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import system
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn

ROOT = Path(__file__).resolve().parents[2]
BY = system("test")
YEAR = dt.date.today().year
DAY = dt.date(YEAR, 1, 2) if dt.date.today() >= dt.date(YEAR, 1, 2) else dt.date(YEAR, 1, 1)
P = ids.make_resident_id("540102", dt.date(1970, 7, 7), 31)
Q = ids.make_resident_id("540102", dt.date(1985, 2, 3), 12)


def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        people = {}
        for name, number in (("p", P), ("q", Q)):
            person = registry.create_person(
                s, PersonIn(id_number=number, name_zh=name, hukou="urban"), BY
            )
            add_enrolment(
                s, person.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
            )
            people[name] = person.id
        s.commit()
        return people


def line(key: str, number: str, amount: str) -> str:
    bill = {
        "patient": {"id_number": number},
        "facility_code": "H54010200001",
        "visit": "inpatient",
        "service_date": DAY.isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": amount}],
    }
    return json.dumps({"idempotency_key": key, "bill": bill}, ensure_ascii=False)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minsheng", "medical", "settle", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def stored(engine: Engine) -> list[Any]:
    with make_sessionmaker(engine)() as s:
        return list(s.execute(select(Settlement.idempotency_key, Settlement.id)).all())


def test_killed_mid_file_every_bill_is_settled_once(engine: Engine, tmp_path: Path) -> None:
    people = world(engine)
    good = [(f"k{i}", P if i % 2 else Q, f"{2000 + 300 * i}.00") for i in range(9)]
    rows = [line(*g) for g in good]
    rows.insert(4, "{not json")
    rows.insert(6, "")  # blank lines are skipped
    rows.insert(8, json.dumps({"bill": {}}))  # no key
    source = tmp_path / "bills.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = dict(os.environ)
    env["MINSHENG_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    env["MINSHENG_BATCH_MAX"] = "3"  # 11 bills and bad lines: four batches

    inside = cli({**env, "MINSHENG_FAULT": "settle-batch:before_commit:2"}, "--batch", str(source))
    assert inside.returncode == -signal.SIGKILL, inside.stderr
    assert len(stored(engine)) == 3  # the first batch: committed; the second: left nothing
    between = cli({**env, "MINSHENG_FAULT": "settle-batch:after_commit:3"}, "--batch", str(source))
    assert between.returncode == -signal.SIGKILL, between.stderr
    assert 3 < len(stored(engine)) < len(good)

    out = tmp_path / "results.jsonl"
    done = cli(env, "--batch", str(source), "--out", str(out))
    assert done.returncode == 1, done.stderr  # two lines were refused
    results = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == len(rows) - 1  # every line but the blank one
    refused = [r for r in results if r["status"] != 201]
    assert [(r["line"], r["error"]["rule"]) for r in refused] == [(5, "json"), (9, "key_required")]
    assert all(r["error"]["zh"] and r["error"]["bo"] and r["error"]["en"] for r in refused)
    keys = stored(engine)
    assert sorted(k for k, _ in keys) == sorted(f"system:cli:{k}" for k, _, _ in good)
    by_key = dict(keys)
    settled = [r["settlement"] for r in results if r["status"] == 201]
    assert [s["id"] for s in settled] == [by_key[f"system:cli:{k}"] for k, _, _ in good]

    again = cli(env, "--batch", str(source))  # the whole file once more: nothing new
    assert again.returncode == 1
    assert sorted(stored(engine)) == sorted(keys)
    with make_sessionmaker(engine)() as s:
        for name in ("p", "q"):
            lg = s.get(LedgerYear, (people[name], YEAR))
            posted = s.scalar(
                select(func.count(Settlement.id)).where(Settlement.person_id == people[name])
            )
            assert lg is not None and lg.settlements == lg.admissions == posted
        audited = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "settle"))
        assert audited == len(good)  # one audit entry a settlement, none doubled


def test_a_batch_takes_no_single_bill_options(engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "b.jsonl"
    source.write_text(line("a", P, "10.00") + "\n", encoding="utf-8")
    env = dict(os.environ)
    env["MINSHENG_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    r = cli(env, "--batch", str(source), "--preview")
    assert r.returncode != 0 and "batch_alone" in r.stdout + r.stderr
    assert stored(engine) == []
