"""Nothing lost, nothing doubled on kill -9 (issue 17): a real server process settling bills of
forty patients from sixteen connections is killed with SIGKILL mid-flight, started again, and
every bill is sent again with its Idempotency-Key. Each key is then one settlement; every answer
the HIS had received before the kill is the settlement that stands; each person's running
totals are the sum of their settlements; the audit chain verifies and holds one entry per
settlement — on SQLite and on PostgreSQL, through the group-committed path."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation import audit
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import PERMISSIONS, system
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn

BY = system("test")
DAY = dt.date.today()
PEOPLE = [ids.make_resident_id("540102", dt.date(1960 + i % 40, 1 + i % 12, 1), 300 + i) for i in range(40)]  # fmt: skip
BILLS = 320


def _world(engine: Engine) -> str:
    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=3), BY)
        for i, number in enumerate(PEOPLE):
            p = registry.create_person(
                s, PersonIn(id_number=number, name_zh=f"断电{i}", hukou="urban"), BY
            )
            add_enrolment(
                s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
            )
        user = create_user(s, BY, "kill.cashier", "correct-horse-1", "cashier", "540102")
        token, _ = create_token(s, BY, user.id, "kill", sorted(PERMISSIONS["cashier"]))
        s.commit()
    return token


def _start(engine: Engine, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "MINSHENG_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MINSHENG_DATA_DIR": str(data_dir),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "minsheng.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _bill(i: int) -> dict[str, Any]:
    return {
        "patient": {"id_number": PEOPLE[i % len(PEOPLE)]},
        "facility_code": "H54010200001",
        "visit": "inpatient" if i % 3 == 0 else "outpatient",
        "service_date": DAY.isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": f"{800 + 37 * i}.{i % 100:02d}"}],
    }


def test_killed_mid_flight_every_bill_settles_once(engine: Engine, tmp_path: Path) -> None:
    token = _world(engine)
    headers = {"Authorization": f"Bearer {token}"}
    server, base = _start(engine, tmp_path)
    answered: dict[int, int] = {}  # bill → the settlement id the HIS was told
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            r = httpx.post(
                base + "/api/medical/settlements",
                json=_bill(i),
                headers={**headers, "Idempotency-Key": f"kill-{i}"},
                timeout=30,
            )
        except httpx.HTTPError:
            return  # in flight when the server died: the HIS will retry
        if r.status_code == 201:
            with lock:
                answered[i] = r.json()["id"]

    killer_ready = threading.Event()

    def kill_after_some() -> None:
        while len(answered) < BILLS // 4:
            time.sleep(0.005)
        killer_ready.set()
        server.send_signal(signal.SIGKILL)

    killer = threading.Thread(target=kill_after_some, daemon=True)
    killer.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(send, range(BILLS)))
    finally:
        server.kill()
        server.wait(10)
    killer.join(5)
    assert killer_ready.is_set() and server.returncode == -signal.SIGKILL
    before = dict(answered)
    assert BILLS // 4 <= len(before) < BILLS  # killed with bills still to come

    server, base = _start(engine, tmp_path)  # the HIS sends every bill again, same keys
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            again = {}
            for i in range(BILLS):
                r = client.post(
                    "/api/medical/settlements",
                    json=_bill(i),
                    headers={"Idempotency-Key": f"kill-{i}"},
                )
                assert r.status_code == 201, r.text
                again[i] = r.json()["id"]
    finally:
        server.terminate()
        server.wait(10)
    assert all(again[i] == sid for i, sid in before.items())  # what was told stands
    assert len(set(again.values())) == BILLS  # one settlement a bill

    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count(Settlement.id))) == BILLS
        for lg in s.scalars(select(LedgerYear)).all():
            rows = s.scalars(
                select(Settlement).where(
                    Settlement.person_id == lg.person_id, Settlement.year == lg.year
                )
            ).all()
            assert lg.settlements == len(rows)
            assert lg.ip_paid + lg.op_paid == sum(r.basic for r in rows)
            assert lg.ci_paid == sum(r.ci for r in rows)
            assert lg.as_paid == sum(r.assistance for r in rows)
        settled = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "settle"))
        assert settled == BILLS  # one audit entry a settlement, none for a lost attempt
        verdict = audit.verify(s)
        assert verdict.ok, verdict
