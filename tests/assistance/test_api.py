"""The assistance API over HTTP: bad input names the field in both languages and changes nothing;
a case moves through its actions; the supervisor's scan and payroll; region scopes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.assistance.models import Income
from minsheng.db import make_sessionmaker
from tests.conftest import staff_client


def _month(n: int) -> str:
    today = dt.date.today().replace(day=1)
    m = today.year * 12 + today.month - 1 - n
    return f"{m // 12}-{m % 12 + 1:02d}"


def test_incomes_case_and_payroll_over_http(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    cw = staff_client(app, engine, "caseworker", "540100")
    h = world["household"]
    bad = {
        "items": [{"person_id": world["head"], "month": _month(1), "kind": "wage", "amount": "-3"}]
    }
    r = cw.post(f"/api/assistance/households/{h}/incomes", json=bad)  # type: ignore[attr-defined]
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["field"] == "items[0].amount" and body["message"]["zh"] and body["message"]["en"]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Income)) == 0
    items = [
        {"person_id": world["head"], "month": _month(i), "kind": "wage", "amount": "300"}
        for i in range(1, 13)
    ]
    r = cw.post(f"/api/assistance/households/{h}/incomes", json={"items": items})  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json() == {"recorded": 12}
    r = cw.post("/api/assistance/cases", json={"household_id": h, "programme": "dibao"})  # type: ignore[attr-defined]
    assert r.status_code == 201
    case = r.json()["id"]
    r = cw.post(f"/api/assistance/cases/{case}/actions", json={"action": "check"})  # type: ignore[attr-defined]
    assert r.json()["monthly_amount"] == (44000 - 10000) * 3 and r.json()["eligible"]
    r = cw.post(f"/api/assistance/cases/{case}/actions", json={"action": "approve"})  # type: ignore[attr-defined]
    assert r.status_code == 409 and r.json()["error"]["rule"] == "wrong_state"
    r = cw.get(f"/api/assistance/households/{h}")  # type: ignore[attr-defined]
    page = r.json()
    assert page["incomes"] == [
        {"person_id": world["head"], "kind": "wage", "total_12_months": 360000, "months": 12}
    ]
    assert page["members"][0]["id_number"].count("*") >= 8  # masked
    # the caseworker may not run the payroll; a Shigatse supervisor may not pay Lhasa
    month = {"month": _month(0), "region": "540100"}
    assert cw.post("/api/assistance/payroll", json=month).status_code == 403  # type: ignore[attr-defined]
    sz = staff_client(app, engine, "supervisor", "540200")
    assert sz.post("/api/assistance/payroll", json=month).status_code == 403  # type: ignore[attr-defined]
    assert cw.get(f"/api/assistance/cases/{case}").status_code == 200  # type: ignore[attr-defined]
    # a case elsewhere answers exactly as a missing one
    elsewhere = sz.get(f"/api/assistance/cases/{case}")  # type: ignore[attr-defined]
    missing = sz.get("/api/assistance/cases/999999")  # type: ignore[attr-defined]
    assert elsewhere.status_code == missing.status_code == 404
    assert elsewhere.json()["error"]["rule"] == missing.json()["error"]["rule"]  # type: ignore[attr-defined]
    sup = staff_client(app, engine, "supervisor", "540100")
    r = sup.post("/api/assistance/scan", json={"region": "540100"})  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json()["households"] == 1
    r = sup.post("/api/assistance/payroll", json=month)  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json()["new_payments"] == 0  # nothing approved yet
