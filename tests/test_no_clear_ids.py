"""Issue 10, item 9: no resident ID number and no mobile number in clear anywhere in the database
outside the encrypted columns — after the demo seed and the main flows (settle, preview and
confirm, reverse, the cashier's window, the assistance workflow, payroll through the API,
imports, registry look-ups).

Every text column of every table is read whole (and every integer column, for phone numbers
kept as integers); anything that parses as a valid resident ID (``core.ids``) or looks like an
11-digit mobile number is a leak. The only columns skipped are those of the ``Encrypted`` type.
Keyed digests (HMAC look-up hashes, the audit chain) are hex strings of 32+ characters; runs of
digits inside them are not numbers anyone wrote, so such digests are blanked before the scan.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import BigInteger, Engine, Integer, String, Text, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.demo.assistance import seed_assistance
from minsheng.demo.population import seed
from minsheng.foundation.crypto import Encrypted
from minsheng.logs import ID_LIKE, PHONE_LIKE
from minsheng.models import Base
from minsheng.registry.models import Enrolment, Facility, Household, Person
from tests.conftest import staff_client

DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])")
TODAY = dt.date.today()
NEW_PERSON = ids.make_resident_id("540102", dt.date(1988, 8, 8), 808)
IMPORTED = ids.make_resident_id("540102", dt.date(1990, 9, 9), 909)
PHONE = "13912345678"
PHONE_2 = "18698765432"


def leaks_in(value: Any) -> list[str]:
    """The valid ID numbers and mobile numbers in one stored value (shown truncated)."""
    text = DIGEST.sub("#", str(value))
    found = []
    for m in ID_LIKE.finditer(text):
        try:
            ids.parse_resident_id(m.group(1))
        except Exception:  # not a valid ID: a timestamp, an amount — fine
            continue
        found.append("ID " + m.group(1)[:4] + "…")
    found += ["phone " + m.group(1)[:3] + "…" for m in PHONE_LIKE.finditer(text)]
    return found


def scan(engine: Engine) -> tuple[int, dict[str, list[str]]]:
    """(values read, {table.column: leaks}) over every table."""
    leaks: dict[str, list[str]] = {}
    read = 0
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for col in table.columns:
                if isinstance(col.type, Encrypted):
                    continue
                if not isinstance(col.type, (String, Text, Integer, BigInteger)):
                    continue
                for (value,) in conn.execute(select(col).where(col.isnot(None))):
                    read += 1
                    if isinstance(value, int) and not 10_000_000_000 <= value < 20_000_000_000:
                        continue
                    found = leaks_in(value)
                    if found:
                        leaks.setdefault(f"{table.name}.{col.name}", []).extend(found[:3])
    return read, leaks


def _month(n: int) -> str:
    m = TODAY.year * 12 + TODAY.month - 1 - n
    return f"{m // 12}-{m % 12 + 1:02d}"


def _flows(app: Any, engine: Engine) -> None:
    """The main flows over HTTP, as staff would run them."""
    with make_sessionmaker(engine)() as s:
        facility = s.scalars(
            select(Facility).where(Facility.division_code.like("5401%")).order_by(Facility.id)
        ).first()
        assert facility is not None
        rows = s.execute(
            select(Person.id_number, Person.division_code)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.division_code.like("5401%"), Person.death_date.is_(None))
            .order_by(Person.id)
            .limit(6)
        ).all()
        numbers = [r[0] for r in rows]
        household = s.scalars(
            select(Household).where(Household.division_code.like("5401%")).order_by(Household.id)
        ).first()
        assert household is not None and len(numbers) >= 4
        hh_id, hh_code = household.id, household.code
    sup = staff_client(app, engine, "supervisor", "540000", "scan.supervisor")
    cw = staff_client(app, engine, "caseworker", "540100", "scan.caseworker")
    cashier_region = facility.division_code

    def bill(number: str, amount: str, visit: str = "inpatient") -> dict[str, Any]:
        return {
            "patient": {"id_number": number},
            "facility_code": facility.code,
            "visit": visit,
            "service_date": TODAY.isoformat(),
            "admission_no": "ZY0001",
            "diagnosis": "J18.900",
            "lines": [{"code": "A1", "name": "检查", "category": "甲", "unit_price": amount}],
        }

    # medical: settle, retry with a key, preview and confirm, reverse
    done = []
    for i, n in enumerate(numbers[:4]):
        r = sup.post("/api/medical/settlements", json=bill(n, f"{1000 + i}.00"))  # type: ignore[attr-defined]
        assert r.status_code == 201, r.text
        done.append(r.json()["id"])
    h = {"Idempotency-Key": "scan-1"}
    for _ in range(2):
        r = sup.post(
            "/api/medical/settlements", json=bill(numbers[0], "12.00", "outpatient"), headers=h
        )  # type: ignore[attr-defined]
        assert r.status_code == 201, r.text
    pv = sup.post("/api/medical/settlements/preview", json=bill(numbers[1], "33.00")).json()  # type: ignore[attr-defined]
    r = sup.post(  # type: ignore[attr-defined]
        f"/api/medical/previews/{pv['preview_id']}/confirm", json={"fingerprint": pv["fingerprint"]}
    )
    assert r.status_code == 201, r.text
    sup.post("/api/medical/settlements/preview", json=bill(numbers[2], "44.00"))  # type: ignore[attr-defined]
    assert sup.post(f"/api/medical/settlements/{done[0]}/reverse").status_code == 200  # type: ignore[attr-defined]
    # the cashier's window: the ID number is typed into the form
    cashier = _window(app, engine, cashier_region)
    csrf = _hidden(cashier.get("/medical/cashier").text, "csrf_token")
    form = {
        "csrf_token": csrf,
        "id_number": numbers[3],
        "facility_code": facility.code,
        "visit": "outpatient",
        "service_date": TODAY.isoformat(),
        "price_0": "25.00",
    }
    page = cashier.post("/medical/cashier", data={**form, "action": "preview"})
    assert page.status_code == 200, page.text
    confirm = {
        **form,
        "action": "confirm",
        "preview_id": _hidden(page.text, "preview_id"),
        "fingerprint": _hidden(page.text, "fingerprint"),
    }
    r = cashier.post("/medical/cashier", data=confirm, follow_redirects=False)
    assert r.status_code == 303, r.text
    # registry: a person with a phone, a look-up by ID, an import (dry run, then for real)
    r = cw.post(  # type: ignore[attr-defined]
        "/api/persons",
        json={"id_number": NEW_PERSON, "name_zh": "扫描测试", "hukou": "urban", "phone": PHONE},
    )
    assert r.status_code == 201, r.text
    new_id = r.json()["id"]
    assert cw.post("/api/persons/lookup", json={"id_number": NEW_PERSON}).status_code == 200  # type: ignore[attr-defined]
    csv = (
        "id_number,name_zh,name_bo,sex,birth_date,division_code,hukou,phone,household_code,"
        f"relationship\n{IMPORTED},导入测试,,,,,urban,{PHONE_2},,\n{NEW_PERSON},重复,,,,,urban,,,\n"
    )
    for dry in ("true", "false"):
        r = cw.post(  # type: ignore[attr-defined]
            "/api/persons/import",
            params={"dry_run": dry},
            files={"file": ("p.csv", csv.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
    cw.post(
        f"/api/persons/{new_id}/enrolments", json={"scheme": "resident", "start_date": "2020-01-01"}
    )  # type: ignore[attr-defined]
    # assistance: incomes, a case checked and put on notice, the scan, payroll and its files
    with make_sessionmaker(engine)() as s:
        head = s.scalar(select(Person.id).where(Person.household_id == hh_id).limit(1))
    items = [
        {"person_id": head, "month": _month(i), "kind": "wage", "amount": "300"}
        for i in range(1, 4)
    ]
    cw.post(f"/api/assistance/households/{hh_id}/incomes", json={"items": items})  # type: ignore[attr-defined]
    r = cw.post("/api/assistance/cases", json={"household_id": hh_id, "programme": "dibao"})  # type: ignore[attr-defined]
    if r.status_code == 201:
        case = r.json()["id"]
        cw.post(f"/api/assistance/cases/{case}/actions", json={"action": "check"})  # type: ignore[attr-defined]
        sup.post(f"/api/assistance/cases/{case}/actions", json={"action": "notice"})  # type: ignore[attr-defined]
    r = sup.post("/api/assistance/scan", json={"region": "540100"})  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text
    r = sup.post("/api/assistance/payroll", json={"month": _month(0), "region": "540100"})  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["new_payments"] > 0, run  # the demo's approved cases are paid
    for what in ("bank-file", "roll"):
        assert sup.get(f"/api/assistance/payroll/{run['run_id']}/{what}").status_code == 200  # type: ignore[attr-defined]
    assert hh_code  # a household code is not an ID


def _window(app: Any, engine: Engine, region: str) -> Any:
    from fastapi.testclient import TestClient

    from minsheng.auth.users import create_user
    from minsheng.foundation.principals import system

    with make_sessionmaker(engine)() as s:
        create_user(s, system("test"), "scan.cashier", "correct-horse-1", "cashier", region)
        s.commit()
    c = TestClient(app)
    csrf = _hidden(c.get("/login").text, "csrf_token")
    c.post(
        "/login",
        data={"username": "scan.cashier", "password": "correct-horse-1", "csrf_token": csrf},
    )
    return c


def _hidden(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, f"no hidden {name}"
    return m.group(1)


def test_the_scanner_finds_what_it_looks_for() -> None:
    assert leaks_in(f'{{"patient": {{"id_number": "{NEW_PERSON}"}}}}') == ["ID 5401…"]
    assert leaks_in(f"call {PHONE} now") == ["phone 139…"]
    assert leaks_in(20_260_101_123) == []  # not a mobile prefix
    assert leaks_in("2026-12-01T15:38:45.256568Z 1234567890123456") == []
    assert leaks_in("a" * 10 + "13912345678" + "b" * 43) == []  # inside a hex digest


def test_no_id_or_phone_number_in_clear_after_the_demo_and_the_main_flows(
    app: Any, engine: Engine
) -> None:
    seed(engine, people=800, seed=3)
    seed_assistance(engine, seed=3)
    _flows(app, engine)
    read, leaks = scan(engine)
    assert read > 10_000  # the scan read the database, not an empty one
    assert not leaks, f"ID or phone numbers in clear: {leaks}"
