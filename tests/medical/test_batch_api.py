"""``POST /api/medical/settlements/batch``: per-bill results, per-bill errors in three
languages, the batch's size limit, and a retried batch settling nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.medical.models import LedgerYear, Settlement
from tests.conftest import make_app, staff_client
from tests.medical.test_batch_cli import P, Q
from tests.medical.test_batch_cli import world as cli_world

BY = system("test")
YEAR = dt.date.today().year
DAY = dt.date(YEAR, 1, 2) if dt.date.today() >= dt.date(YEAR, 1, 2) else dt.date(YEAR, 1, 1)
URL = "/api/medical/settlements/batch"


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    return cli_world(engine)  # the same two patients as the CLI's batches


@pytest.fixture
def cashier(app: Any, engine: Engine) -> Any:
    c = staff_client(app, engine, "cashier", "540102", "batch.cashier")
    with c:
        yield c


def bill(number: str = P, amount: str = "3000.00", **kw: Any) -> dict[str, Any]:
    return {
        "patient": {"id_number": number},
        "facility_code": "H54010200001",
        "visit": "inpatient",
        "service_date": DAY.isoformat(),
        "lines": [{"code": "A1", "category": "甲", "unit_price": amount}],
        **kw,
    }


def count(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count(Settlement.id))) or 0)


def test_each_bill_answers_in_its_slot(cashier: Any, world: dict[str, int], engine: Engine) -> None:
    body = {
        "bills": [
            {"idempotency_key": "b1", "bill": bill()},
            {"idempotency_key": "b2", "bill": bill(amount="-5")},  # a bad line
            {"idempotency_key": "b3", "bill": {"patient": {}}},  # not a bill at all
            {"bill": bill(Q)},  # no key: required in a batch
            "nonsense",
            {"idempotency_key": "b6", "bill": bill(Q, "800.00")},
            {"idempotency_key": "b1", "bill": bill(amount="9.00")},  # b1 again, another bill
        ]
    }
    r = cashier.post(URL, json=body)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["index"] for x in results] == list(range(7))
    assert [x["status"] for x in results] == [201, 422, 422, 422, 422, 201, 409]
    assert results[0]["settlement"]["person_id"] == world["p"]
    assert results[5]["settlement"]["person_id"] == world["q"]
    bad_line = results[1]["error"]
    assert bad_line["field"].startswith("bill.lines") or bad_line["field"].startswith("lines")
    assert all(bad_line[lang] for lang in ("zh", "bo", "en"))
    assert results[2]["error"]["field"].startswith("bill.")
    assert results[3]["error"]["field"] == "idempotency_key"
    assert results[3]["error"]["rule"] == "key_required"
    assert results[4]["error"]["rule"] == "batch_element"
    assert results[6]["error"]["rule"] == "key_reused"
    assert all(x["error"]["bo"] for x in results if x.get("error"))
    assert count(engine) == 2


def test_a_retried_batch_settles_nothing_twice(
    cashier: Any, world: dict[str, int], engine: Engine
) -> None:
    body = {
        "bills": [
            {"idempotency_key": f"r{i}", "bill": bill(amount=f"{100 + i}.00")} for i in range(5)
        ]
    }
    first = cashier.post(URL, json=body).json()["results"]
    again = cashier.post(URL, json=body).json()["results"]
    assert [x["settlement"]["id"] for x in first] == [x["settlement"]["id"] for x in again]
    assert count(engine) == 5
    with make_sessionmaker(engine)() as s:
        lg = s.get(LedgerYear, (world["p"], YEAR))
        assert lg is not None and lg.settlements == 5 and lg.admissions == 5


def test_an_empty_or_oversized_batch_is_refused_whole(
    cashier: Any, world: dict[str, int], engine: Engine
) -> None:
    r = cashier.post(URL, json={"bills": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "bills"
    message = r.json()["error"]["message"]
    assert message["zh"] and message["bo"] and message["en"]
    app: Any = make_app(engine)
    app.state.settings = type(app.state.settings)(**{**app.state.settings.__dict__, "batch_max": 3})
    small = staff_client(app, engine, "cashier", "540102", "batch.small")
    with small:  # type: ignore[attr-defined]
        r = small.post(  # type: ignore[attr-defined]
            URL, json={"bills": [{"idempotency_key": f"o{i}", "bill": bill()} for i in range(4)]}
        )
    assert r.status_code == 422 and r.json()["error"]["rule"] == "batch_size"
    assert count(engine) == 0


def test_a_batch_needs_the_permission_to_settle(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    auditor = staff_client(app, engine, "auditor", "540000", "batch.auditor")
    with auditor:  # type: ignore[attr-defined]
        r = auditor.post(URL, json={"bills": [{"idempotency_key": "x", "bill": bill()}]})  # type: ignore[attr-defined]
    assert r.status_code == 403
    assert count(engine) == 0
