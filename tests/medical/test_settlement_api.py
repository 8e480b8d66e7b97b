"""Settling over HTTP: idempotency, pre-settlement, reversal, explanation, bad input, scopes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.medical.models import LedgerYear, Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn, StatusIn
from minsheng.registry.statuses import add_status
from tests.conftest import staff_client

BY = system("test")
YEAR = dt.date.today().year
DAY = dt.date(YEAR, 1, 2) if dt.date.today() >= dt.date(YEAR, 1, 2) else dt.date(YEAR, 1, 1)
P = ids.make_resident_id("540102", dt.date(1970, 7, 7), 31)


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        f = create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        create_facility(s, FacilityIn(code="H54020200001", name="桑珠孜区人民医院", level=2), BY)
        p = registry.create_person(s, PersonIn(id_number=P, name_zh="次仁", hukou="urban"), BY)
        add_enrolment(s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        add_status(s, p.id, StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1)), BY)
        s.commit()
        return {"person": p.id, "facility": f.id}


def bill(amount: str = "10000.00", visit: str = "inpatient", **kw: Any) -> dict[str, Any]:
    return {
        "patient": {"id_number": P},
        "facility_code": "H54010200001",
        "visit": visit,
        "service_date": DAY.isoformat(),
        "diagnosis": "J18.900",
        "lines": [{"code": "A1", "category": "甲", "quantity": "1", "unit_price": amount}],
        **kw,
    }


def ledger(engine: Engine, person: int) -> LedgerYear | None:
    with make_sessionmaker(engine)() as s:
        return s.get(LedgerYear, (person, YEAR))


def test_settle_explains_every_fund(client: Any, world: dict[str, int]) -> None:
    r = client.post("/api/medical/settlements", json=bill())
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["basic"] + body["ci"] + body["assistance"] + body["patient"]
        == body["total"]
        == 1_000_000
    )
    funds = {step["fund"]: step for step in body["explanation"]}
    assert set(funds) == {"basic", "critical_illness", "assistance"}
    basic = funds["basic"]
    assert basic["deductible"] == 20_000 and basic["ratio"] == "0.85"  # resident, level 2
    paths = {p["path"] for p in basic["parameters"]}
    assert "medical.resident.inpatient.deductible.level_2" in paths
    assert all(
        p["reference"] and p["start"] and p["status"] in ("official", "assumed")
        for p in basic["parameters"]
    )
    assert funds["assistance"]["parameters"][-1]["value"] == 10_000_000  # Lhasa's assistance cap
    got = client.get(f"/api/medical/settlements/{body['id']}").json()
    assert got["explanation"] == body["explanation"]


def test_retry_with_the_same_key_posts_once(
    client: Any, world: dict[str, int], engine: Engine
) -> None:
    h = {"Idempotency-Key": "HIS-42"}
    first = client.post("/api/medical/settlements", json=bill(), headers=h).json()
    second = client.post("/api/medical/settlements", json=bill(), headers=h).json()
    assert first["id"] == second["id"] and first == second
    lg = ledger(engine, world["person"])
    assert lg is not None and lg.settlements == 1 and lg.admissions == 1


def test_preview_posts_nothing(client: Any, world: dict[str, int], engine: Engine) -> None:
    r = client.post("/api/medical/settlements/preview", json=bill())
    assert r.status_code == 200 and r.json()["preview"] and r.json()["id"] is None
    assert ledger(engine, world["person"]) is None
    real = client.post("/api/medical/settlements", json=bill()).json()
    only_previews = ("id", "preview", "preview_id", "expires_at", "person")
    assert {k: v for k, v in real.items() if k not in only_previews} == {
        k: v for k, v in r.json().items() if k not in only_previews
    }


def test_reverse_restores_the_totals_exactly(
    client: Any, world: dict[str, int], engine: Engine
) -> None:
    a = client.post("/api/medical/settlements", json=bill("3000.00")).json()
    snap = ledger(engine, world["person"]).__dict__.copy()  # type: ignore[union-attr]
    b = client.post("/api/medical/settlements", json=bill("250000.00")).json()
    assert b["explanation"][0]["parameters"][-1]["path"].endswith(
        "later_admission_deductible_factor"
    )
    rev = client.post(f"/api/medical/settlements/{b['id']}/reverse")
    assert (
        rev.status_code == 200
        and rev.json()["kind"] == "reverse"
        and rev.json()["basic"] == -b["basic"]
    )
    after = ledger(engine, world["person"]).__dict__  # type: ignore[union-attr]
    for k in (
        "op_deductible",
        "op_paid",
        "ip_paid",
        "ci_base",
        "ci_paid",
        "as_deductible",
        "as_paid",
        "admissions",
        "settlements",
    ):
        assert after[k] == snap[k], k
    again = client.post("/api/medical/settlements", json=bill("250000.00")).json()
    assert {k: again[k] for k in ("basic", "ci", "assistance", "patient")} == {
        k: b[k] for k in ("basic", "ci", "assistance", "patient")
    }
    r = client.post(f"/api/medical/settlements/{b['id']}/reverse")
    assert r.status_code == 409 and r.json()["error"]["rule"] == "already_reversed"
    listing = client.get(
        f"/api/medical/persons/{world['person']}/settlements", params={"year": YEAR}
    ).json()
    assert [i["kind"] for i in listing["items"]] == ["settle", "settle", "reverse", "settle"]
    assert listing["totals"]["ip_paid"] == a["basic"] + again["basic"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"facility_code": "H54019900001"}, 422, "facility_code"),
        ({"facility_code": "H54010200099"}, 404, "facility_code"),
        (
            {"patient": {"id_number": ids.make_resident_id("540102", dt.date(1999, 1, 1), 1)}},
            404,
            "patient",
        ),
        (
            {"lines": [{"code": "x", "category": "甲", "unit_price": "1.001"}]},
            422,
            "lines[0].unit_price",
        ),
        (
            {"lines": [{"code": "x", "category": "甲", "unit_price": 12.5}]},
            422,
            "lines.0.unit_price",
        ),
        (
            {"lines": [{"code": "x", "category": "甲", "unit_price": "-5"}]},
            422,
            "lines[0].unit_price",
        ),
        (
            {
                "lines": [
                    {"code": "x", "category": "甲", "unit_price": "5", "self_pay_first": "0.2"}
                ]
            },
            422,
            "lines[0].self_pay_first",
        ),
        ({"lines": [{"code": "x", "category": "丁", "unit_price": "5"}]}, 422, "lines.0.category"),
        ({"service_date": "2099-01-01"}, 422, "service_date"),
        ({"lines": []}, 422, "lines"),
    ],
)
def test_bad_bills_change_nothing(
    client: Any,
    world: dict[str, int],
    engine: Engine,
    change: dict[str, Any],
    status: int,
    field: str,
) -> None:
    r = client.post("/api/medical/settlements", json={**bill(), **change})
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count(Settlement.id))) == 0


def test_not_enrolled(client: Any, world: dict[str, int], engine: Engine) -> None:
    other = ids.make_resident_id("540102", dt.date(1980, 2, 2), 41)
    with make_sessionmaker(engine)() as s:
        registry.create_person(s, PersonIn(id_number=other, name_zh="未参保", hukou="urban"), BY)
        s.commit()
    r = client.post("/api/medical/settlements", json={**bill(), "patient": {"id_number": other}})
    assert r.status_code == 422 and r.json()["error"]["rule"] == "not_enrolled"


def test_a_cashier_settles_only_at_hospitals_of_their_region(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    lhasa = staff_client(app, engine, "cashier", "540102", "cg.cashier")
    shigatse = staff_client(app, engine, "cashier", "540202", "sz.cashier")
    assert lhasa.post("/api/medical/settlements", json=bill()).status_code == 201  # type: ignore[attr-defined]
    r = shigatse.post("/api/medical/settlements", json=bill())  # type: ignore[attr-defined]
    assert r.status_code == 403
    # a Lhasa patient treated in Shigatse is settled by the Shigatse cashier, out of area
    r = shigatse.post("/api/medical/settlements", json={**bill(), "facility_code": "H54020200001"})  # type: ignore[attr-defined]
    assert r.status_code == 201 and r.json()["area"] == "unfiled"
    r = shigatse.post(
        "/api/medical/settlements",
        json={**bill(), "facility_code": "H54020200001", "out_of_area_filed": True},
    )  # type: ignore[attr-defined]
    assert r.json()["area"] == "filed"


def test_replay_of_the_year_matches_what_was_paid(
    client: Any, world: dict[str, int], engine: Engine
) -> None:
    from minsheng.medical import service
    from minsheng.policy import load
    from minsheng.policy.overlays import parse_overlay

    for amount in ("3000.00", "250000.00", "400000.00"):
        assert client.post("/api/medical/settlements", json=bill(amount)).status_code == 201
    outpatient = bill("800.00", visit="outpatient")
    assert client.post("/api/medical/settlements", json=outpatient).status_code == 201
    b = client.post("/api/medical/settlements", json=bill("90000.00")).json()
    client.post(f"/api/medical/settlements/{b['id']}/reverse")  # reversed bills are left out
    with make_sessionmaker(engine)() as s:
        report = service.replay_year(s, YEAR, DAY)
        assert report["bills"] == 4 and report["bills_changed"] == 0
        assert report["totals"]["basic_replayed"] == report["totals"]["basic_paid"]
        richer = load().with_overlay(
            parse_overlay(
                {
                    "changes": {
                        "medical.resident.inpatient.annual_cap": {
                            "values": {dt.date(2022, 1, 1): {"value": "1000000"}}
                        }
                    }
                },
                "more",
            )
        )
        what_if = service.replay_year(s, YEAR, DAY, richer)
        assert what_if["bills_changed"] > 0
        assert what_if["totals"]["basic_replayed"] > report["totals"]["basic_paid"]


def test_cli_settle_preview_and_replay(
    world: dict[str, int], engine: Engine, tmp_path: Any, monkeypatch: Any
) -> None:
    import json

    from typer.testing import CliRunner

    from minsheng.cli import app as cli

    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    f = tmp_path / "bill.json"
    f.write_text(json.dumps(bill("12000.00")), encoding="utf-8")
    r = runner.invoke(cli, ["medical", "settle", str(f), "--preview"])
    assert r.exit_code == 0, r.output
    preview = json.loads(r.stdout)
    assert preview["preview"] and preview["total"] == 1_200_000
    r = runner.invoke(cli, ["medical", "settle", str(f), "--key", "cli-1"])
    settled = json.loads(r.stdout)
    assert settled["basic"] == preview["basic"] and settled["id"]
    r = runner.invoke(cli, ["medical", "settle", str(f), "--key", "cli-1"])
    assert json.loads(r.stdout)["id"] == settled["id"]
    overlay = tmp_path / "reform.yaml"
    overlay.write_text(
        "changes:\n  medical.resident.inpatient.ratio.level_2:\n    values:\n      2022-01-01: {value: 0.95}\n"
    )
    r = runner.invoke(cli, ["medical", "settle", str(f), "--params", str(overlay)])
    assert json.loads(r.stdout)["basic"] > settled["basic"] and json.loads(r.stdout)["preview"]
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({**bill(), "lines": [{"code": "x", "category": "甲", "unit_price": "1.234"}]})
    )
    r = runner.invoke(cli, ["medical", "settle", str(bad)])
    assert r.exit_code == 1 and "lines[0].unit_price" in r.stderr
    r = runner.invoke(cli, ["medical", "replay", "--year", str(YEAR), "--as-of", DAY.isoformat()])
    assert r.exit_code == 0, r.output
    assert '"bills_changed": 0' in r.stdout


def test_fhir_explanation_of_benefit(client: Any, world: dict[str, int]) -> None:
    from decimal import Decimal

    from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

    body = client.post("/api/medical/settlements", json=bill("25000.00")).json()
    r = client.get(f"/api/medical/settlements/{body['id']}/fhir")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    eob = ExplanationOfBenefit.model_validate_json(r.text)  # validates against the FHIR model
    totals = {t.category.coding[0].code: Decimal(str(t.amount.value)) for t in eob.total}
    assert totals["submitted"] == Decimal("25000.00")
    assert (
        totals["basic"] + totals["ci"] + totals["assistance"] + totals["patient"]
        == totals["submitted"]
    )
    assert totals["benefit"] == Decimal(body["basic"] + body["ci"] + body["assistance"]) / 100
    assert len(eob.processNote) == len(body["explanation"])
    assert "medical.resident.inpatient.deductible.level_2" in eob.processNote[0].text
    client.post(f"/api/medical/settlements/{body['id']}/reverse")
    again = ExplanationOfBenefit.model_validate_json(
        client.get(f"/api/medical/settlements/{body['id']}/fhir").text
    )
    assert again.status == "cancelled"


def test_registration_fee_waived_on_a_follow_up_within_three_days_in_lhasa(
    client: Any, world: dict[str, int]
) -> None:
    """ "挂一次号管3天" (Lhasa public hospitals, 2025): the same disease within 3 days pays no
    registration fee; a different disease, or the 4th day, pays it."""

    def visit(day: dt.date, diagnosis: str) -> dict[str, Any]:
        return {
            **bill("0", visit="outpatient"),
            "service_date": day.isoformat(),
            "diagnosis": diagnosis,
            "lines": [
                {"code": "REG", "category": "甲", "unit_price": "10.00", "registration": True},
                {"code": "A1", "category": "甲", "unit_price": "40.00"},
            ],
        }

    first_day = dt.date.today() - dt.timedelta(days=10)
    a = client.post("/api/medical/settlements", json=visit(first_day, "J18.900")).json()
    b = client.post(
        "/api/medical/settlements", json=visit(first_day + dt.timedelta(days=3), "J18.900")
    ).json()
    c = client.post(
        "/api/medical/settlements", json=visit(first_day + dt.timedelta(days=4), "K29.700")
    ).json()
    d = client.post(
        "/api/medical/settlements", json=visit(first_day + dt.timedelta(days=8), "J18.900")
    ).json()
    assert [x["total"] for x in (a, b, c, d)] == [5000, 4000, 5000, 5000]


def test_cashier_page_takes_an_uploaded_bill(
    app: Any, engine: Engine, world: dict[str, int]
) -> None:
    import json
    import re

    from fastapi.testclient import TestClient

    from minsheng.auth.users import create_user

    with make_sessionmaker(engine)() as s:
        create_user(s, BY, "upload.cashier", "correct-horse-1", "cashier", "540102")
        s.commit()
    c = TestClient(app)
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    c.post(
        "/login",
        data={"username": "upload.cashier", "password": "correct-horse-1", "csrf_token": token},
    )
    page = c.get("/medical/cashier").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    files = {"bill_file": ("bill.json", json.dumps(bill("1234.00")).encode(), "application/json")}
    r = c.post("/medical/cashier", data={"csrf_token": token, "action": "preview"}, files=files)
    assert r.status_code == 200 and "¥1,234.00" in r.text
    bad = {"bill_file": ("bill.json", b'{"patient": {}}', "application/json")}
    r = c.post("/medical/cashier", data={"csrf_token": token, "action": "preview"}, files=bad)
    assert r.status_code == 422


def test_family_mutual_aid_pays_from_a_relatives_account(
    client: Any, world: dict[str, int], engine: Engine
) -> None:
    """家庭共济: a working parent's personal account pays the resident child's share; a reversal
    puts the money back; an account not shared pays nothing."""
    from minsheng.medical.models import PersonalAccount
    from minsheng.registry.schemas import HouseholdIn

    parent_id = ids.make_resident_id("540102", dt.date(1975, 3, 3), 81)
    child_id = ids.make_resident_id("540102", dt.date(2012, 4, 4), 82)
    with make_sessionmaker(engine)() as s:
        registry.create_household(
            s, HouseholdIn(code="FAM-1", division_code="540102", area="urban"), BY
        )
        parent = registry.create_person(
            s,
            PersonIn(
                id_number=parent_id,
                name_zh="父",
                hukou="urban",
                household_code="FAM-1",
                relationship="head",
            ),
            BY,
        )
        child = registry.create_person(
            s,
            PersonIn(
                id_number=child_id,
                name_zh="子",
                hukou="urban",
                household_code="FAM-1",
                relationship="child",
            ),
            BY,
        )
        add_enrolment(
            s, parent.id, EnrolmentIn(scheme="employee_active", start_date=dt.date(2020, 1, 1)), BY
        )
        add_enrolment(
            s, child.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY
        )
        s.commit()
        parent_pk = parent.id
    r = client.put(f"/api/medical/persons/{parent_pk}/account", json={"balance": "150.00"})
    assert r.status_code == 200 and r.json()["balance"] == 15_000
    child_bill = {**bill("100.00", visit="outpatient"), "patient": {"id_number": child_id}}
    # resident outpatient: 50% of 100 = 50 from basic insurance; the child's 50 from the parent's account
    first = client.post("/api/medical/settlements", json=child_bill).json()
    assert (first["basic"], first["account"], first["cash"]) == (5_000, 5_000, 0)
    second = client.post(
        "/api/medical/settlements", json={**child_bill, "service_date": (DAY).isoformat()}
    ).json()
    third = client.post("/api/medical/settlements", json=child_bill).json()
    assert second["account"] + third["account"] == 10_000  # 150 in all, then the account is empty
    with make_sessionmaker(engine)() as s:
        assert s.get(PersonalAccount, parent_pk).balance == 0  # type: ignore[union-attr]
    assert client.post(f"/api/medical/settlements/{third['id']}/reverse").status_code == 200
    with make_sessionmaker(engine)() as s:
        assert s.get(PersonalAccount, parent_pk).balance == third["account"]  # type: ignore[union-attr]
    client.put(
        f"/api/medical/persons/{parent_pk}/account",
        json={"balance": "500.00", "family_sharing": False},
    )
    fourth = client.post("/api/medical/settlements", json=child_bill).json()
    assert fourth["account"] == 0 and fourth["cash"] == fourth["patient"]
    r = client.put(f"/api/medical/persons/{parent_pk}/account", json={"balance": "-1"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "balance"


def _shaped(changes: dict[str, Any]) -> Any:
    from minsheng.policy import load
    from minsheng.policy.overlays import parse_overlay

    dated = {k: {"values": {dt.date(2022, 1, 1): {"value": v}}} for k, v in changes.items()}
    return load().with_overlay(parse_overlay({"changes": dated}, "shape"))


def test_the_window_numbers_admissions_and_a_year_replays_under_other_shapes(
    client: Any, world: dict[str, int], engine: Engine
) -> None:
    """Issue 16: each admission's number comes from the ledger and is kept with the bill, so a
    year replays under admission-number deductibles and cost bands."""
    from minsheng.medical import service

    for amount in ("3000.00", "5000.00", "8000.00"):
        assert client.post("/api/medical/settlements", json=bill(amount)).status_code == 201
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(Settlement).order_by(Settlement.id)).all()
        assert [json.loads(r.inputs)["admission"] for r in rows] == [1, 2, 3]
        same = service.replay_year(s, YEAR, DAY)
        assert same["bills_changed"] == 0
        third_free = _shaped({"medical.resident.inpatient.admission_deductible_factors": "0.5 0"})
        what_if = service.replay_year(s, YEAR, DAY, third_free)
        assert what_if["bills_changed"] == 1  # the third admission: no deductible
        assert what_if["totals"]["basic_replayed"] > same["totals"]["basic_paid"]
        banded = _shaped(
            {
                "medical.resident.inpatient.ratio_bands.level_2.brackets[1].threshold": "10000",
                "medical.resident.inpatient.ratio_bands.level_2.brackets[1].rate": "0.05",
                "medical.resident.inpatient.ratio_bands.level_2.brackets[2].threshold": "10000",
                "medical.resident.inpatient.ratio_bands.level_2.brackets[2].rate": "0.05",
            }
        )
        assert service.replay_year(s, YEAR, DAY, banded)["bills_changed"] >= 1


def test_a_referral_up_a_level_tops_up_only_the_difference_where_the_region_says_so(
    world: dict[str, int], engine: Engine
) -> None:
    """转诊补差: referred from a 一级 to this 二级 hospital, the patient pays 200 − 100 = 100 of
    deductible where ``referral_top_up`` is on; the full 200 in Tibet (off)."""
    from minsheng.medical import service
    from minsheng.medical.schemas import BillIn

    referred = BillIn.model_validate(bill("10000.00", referred_from_level=1))
    with make_sessionmaker(engine)() as s:
        tibet = service.settle(s, referred, BY, preview=True)
        plain = service.settle(s, BillIn.model_validate(bill("10000.00")), BY, preview=True)
        top_up = _shaped({"medical.resident.inpatient.referral_top_up": True})
        shaped = service.settle(s, referred, BY, preview=True, tree=top_up)
    assert tibet.basic == plain.basic
    assert shaped.basic == tibet.basic + 8500  # 100 yuan less deductible, at 85%
