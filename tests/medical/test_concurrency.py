"""200 concurrent settlements for one person, sent to a running server on 127.0.0.1.

Caps must hold exactly and retries with the same idempotency key must post once — on SQLite
(``BEGIN IMMEDIATE``) and on PostgreSQL (row lock on the person's yearly totals).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from minsheng.auth.tokens import create_token
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import PERMISSIONS, system
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn, StatusIn
from minsheng.registry.statuses import add_status
from tests.conftest import make_app

BY = system("test")
P = ids.make_resident_id("540102", dt.date(1966, 6, 16), 61)
DAY = dt.date.today()


@pytest.fixture
def served(engine: Engine) -> Iterator[tuple[str, str, int, Any]]:
    import uvicorn

    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=3), BY)
        p = registry.create_person(s, PersonIn(id_number=P, name_zh="并发", hukou="urban"), BY)
        add_enrolment(s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        add_status(s, p.id, StatusIn(kind="border", start_date=dt.date(2020, 1, 1)), BY)
        user = create_user(s, BY, "load.cashier", "correct-horse-1", "cashier", "540102")
        token, _ = create_token(s, BY, user.id, "load", sorted(PERMISSIONS["cashier"]))
        s.commit()
        person_id = p.id
    app = make_app(engine)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token, person_id, app
    server.should_exit = True
    thread.join(timeout=10)


def bill(amount: str) -> dict[str, Any]:
    return {
        "patient": {"id_number": P},
        "facility_code": "H54010200001",
        "visit": "inpatient",
        "service_date": DAY.isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": amount}],
    }


def test_two_hundred_at_once(served: tuple[str, str, int, Any], engine: Engine) -> None:
    url, token, person_id, app = served
    headers = {"Authorization": f"Bearer {token}"}
    jobs: list[tuple[dict[str, Any], dict[str, str]]] = []
    for i in range(200):
        jobs.append((bill(f"{20000 + i * 37}.{i % 100:02d}"), {}))
    for k in range(10):  # ten keys, each sent three times at once
        for _ in range(3):
            jobs.append((bill("50000.00"), {"Idempotency-Key": f"retry-{k}"}))

    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:

        def send(job: tuple[dict[str, Any], dict[str, str]]) -> httpx.Response:
            body, extra = job
            return client.post("/api/medical/settlements", json=body, headers=extra)

        with ThreadPoolExecutor(max_workers=16) as pool:
            responses = list(pool.map(send, jobs))
    codes = {r.status_code for r in responses}
    assert codes == {201}, [r.text for r in responses if r.status_code != 201][:3]
    retried = {}
    for (_, extra), r in zip(jobs, responses, strict=True):
        if extra:
            retried.setdefault(extra["Idempotency-Key"], set()).add(r.json()["id"])
    assert all(len(v) == 1 for v in retried.values())  # each key: one settlement
    writer = app.state.settle_writer  # group commit: sixteen at once shared transactions
    assert writer.items == 230 and writer.batches < writer.items

    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(Settlement).where(Settlement.person_id == person_id)).all()
        lg = s.get(LedgerYear, (person_id, DAY.year))
        assert lg is not None
        assert len(rows) == lg.settlements == 210
        assert s.scalar(select(func.count(Settlement.id))) == 210
        # the totals are exactly the sum of what was posted
        assert lg.ip_paid == sum(r.basic for r in rows)
        assert lg.ci_paid == sum(r.ci for r in rows)
        assert lg.as_paid == sum(r.assistance for r in rows)
        assert lg.ci_base == sum(r.ci_base for r in rows)
        # and every cap holds exactly (Lhasa: assistance 100,000; residents: basic 200,000, 大病 300,000)
        assert lg.ip_paid == 20_000_000
        assert lg.ci_paid == 30_000_000
        assert lg.as_paid == 10_000_000
        assert all(r.basic + r.ci + r.assistance + r.patient == r.total for r in rows)
