import datetime as dt
from typing import Any

from minsheng.core import ids
from tests.conftest import staff_client

D = dt.date
A = ids.make_resident_id("540102", D(1970, 3, 1), 11)


def new_person(client: Any, **kw: Any) -> dict[str, Any]:
    r = client.post(
        "/api/persons", json={"id_number": A, "name_zh": "次仁", "hukou": "rural", **kw}
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_create_get_lookup_update(client: Any) -> None:
    p = new_person(client, phone="13908901234")
    assert p["id_number"] == A and p["sex"] == "M"
    assert client.get(f"/api/persons/{p['id']}").json()["name_zh"] == "次仁"
    assert client.post("/api/persons/lookup", json={"id_number": A}).json()["id"] == p["id"]
    r = client.patch(f"/api/persons/{p['id']}", json={"name_bo": "ཚེ་རིང"})
    assert r.status_code == 200 and r.json()["name_bo"] == "ཚེ་རིང"


def test_list_masks_id_and_phone(client: Any) -> None:
    new_person(client, phone="13908901234")
    body = client.get("/api/persons", params={"q": "次仁"}).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id_number"] == A[:4] + "*" * 14  # no sequence or check: tests/test_id_rebuild.py
    assert item["phone"] == "139****1234"
    assert A not in client.get("/api/persons").text


def test_errors_name_field_and_rule_in_both_languages(client: Any) -> None:
    r = client.post(
        "/api/persons", json={"id_number": A[:-1] + "0", "name_zh": "x", "hukou": "rural"}
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["field"], err["rule"]) == ("id_number", "id_checksum")
    assert err["message"]["zh"] and err["message"]["en"]
    r = client.post("/api/persons", json={"id_number": A, "name_zh": "x", "hukou": "somewhere"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "hukou"
    assert client.get("/api/persons").json()["total"] == 0  # nothing stored


def test_duplicate_is_409_and_missing_is_404(client: Any) -> None:
    new_person(client)
    r = client.post("/api/persons", json={"id_number": A, "name_zh": "x", "hukou": "rural"})
    assert r.status_code == 409 and r.json()["error"]["rule"] == "duplicate"
    r = client.get("/api/persons/999")
    assert r.status_code == 404 and r.json()["error"]["field"] == "person_id"


def test_household_members_enrolment_status(client: Any, app: Any, engine: Any) -> None:
    h = client.post(
        "/api/households", json={"code": "HH-7", "division_code": "540102", "area": "urban"}
    )
    assert h.status_code == 201
    p = new_person(client)
    r = client.post(
        f"/api/households/{h.json()['id']}/members",
        json={"person_id": p["id"], "relationship": "head"},
    )
    assert r.status_code == 200 and r.json()["members"][0]["relationship"] == "head"
    r = client.post(
        f"/api/persons/{p['id']}/enrolments",
        json={"scheme": "resident", "start_date": "2024-01-01"},
    )
    assert r.status_code == 201 and r.json()["pooling_region"] == "540100"
    disability = {
        "kind": "disability",
        "start_date": "2024-01-01",
        "disability_grade": 1,
        "certificate_expiry": "2026-12-31",
    }
    # a disability grade pays 两项补贴: a caseworker alone cannot record it (maker–checker) …
    r = client.post(f"/api/persons/{p['id']}/statuses", json=disability)
    assert r.status_code == 403 and r.json()["error"]["rule"] == "benefit_status_from_case"
    # … a supervisor imports the certificate, audited, with its number
    sup = staff_client(app, engine, "supervisor", "540000", "region.supervisor")
    r = sup.post(f"/api/persons/{p['id']}/statuses", json=disability)
    assert r.status_code == 422 and r.json()["error"]["field"] == "certificate_no"
    r = sup.post(
        f"/api/persons/{p['id']}/statuses", json={**disability, "certificate_no": "54010219"}
    )
    assert r.status_code == 201
    assert len(client.get(f"/api/persons/{p['id']}/statuses").json()) == 1
    assert len(client.get(f"/api/persons/{p['id']}/enrolments").json()) == 1


def test_employers_facilities(client: Any) -> None:
    code = ids.make_credit_code("540102", 5)
    r = client.post(
        "/api/employers", json={"credit_code": code, "name": "示范公司", "division_code": "540102"}
    )
    assert r.status_code == 201
    assert client.get("/api/employers", params={"q": "示范"}).json()[0]["credit_code"] == code
    r = client.post(
        "/api/facilities", json={"code": "H54010200001", "name": "城关区医院", "level": 3}
    )
    assert r.status_code == 201 and r.json()["division_code"] == "540102"
    r = client.post("/api/facilities", json={"code": "H5401020000", "name": "x", "level": 3})
    assert r.status_code == 422 and r.json()["error"]["rule"] == "facility_format"


def test_csv_upload(client: Any) -> None:
    csv = "id_number,name_zh,hukou\n" + f"{A},次仁,rural\n" + "123,坏,rural\n"
    r = client.post("/api/persons/import", files={"file": ("p.csv", csv.encode(), "text/csv")})
    assert r.status_code == 200
    body = r.json()
    assert (body["imported"], body["rejected"]) == (1, 1)
    assert body["problems"][0] == {
        "line": 3,
        "field": "id_number",
        "rule": "id_length",
        "zh": body["problems"][0]["zh"],
        "en": body["problems"][0]["en"],
        "bo": body["problems"][0]["bo"],  # Tibetan beside them
    }


def test_reference_endpoints(client: Any) -> None:
    assert client.get("/api/divisions/542621").json()["code"] == "540402"
    assert len(client.get("/api/divisions", params={"parent": "540000"}).json()) == 7
    assert client.get("/api/divisions", params={"name": "那曲"}).json()[0]["code"] == "540600"
    r = client.get("/api/divisions/123")
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    info = client.get(
        "/api/parameters/medical.assistance.annual_cap.ordinary",
        params={"date": "2024-01-01", "region": "540100"},
    ).json()
    assert info["value"] == 10_000_000 and info["status"] == "official"
    scale = client.get(
        "/api/parameters/medical.critical_illness.scale", params={"date": "2024-01-01"}
    ).json()
    assert [b["rate"] for b in scale["brackets"]] == ["0.6", "0.7", "0.8"]
    r = client.get("/api/parameters/medical.nope")
    assert r.status_code == 422 and r.json()["error"]["rule"] == "unknown_parameter"
    r = client.get(
        "/api/parameters/medical.employee_outpatient.annual_cap", params={"date": "2020-01-01"}
    )
    assert r.json()["error"]["rule"] == "not_in_force"
    assert client.post("/api/ids/check", json={"value": A}).json()["kind"] == "resident_id"


def test_updates(client: Any) -> None:
    h = client.post(
        "/api/households", json={"code": "HH-8", "division_code": "540102", "area": "urban"}
    ).json()
    r = client.patch(
        f"/api/households/{h['id']}", json={"address": "城关区八廓街1号", "area": "rural"}
    )
    assert r.status_code == 200 and (r.json()["address"], r.json()["area"]) == (
        "城关区八廓街1号",
        "rural",
    )
    r = client.patch(f"/api/households/{h['id']}", json={"division_code": "540100"})
    assert r.status_code == 422 and r.json()["error"]["rule"] == "division_level"
    e = client.post(
        "/api/employers",
        json={
            "credit_code": ids.make_credit_code("540102", 9),
            "name": "甲",
            "division_code": "540102",
        },
    ).json()
    assert client.patch(f"/api/employers/{e['id']}", json={"name": "乙"}).json()["name"] == "乙"
    f = client.post(
        "/api/facilities", json={"code": "H54010200009", "name": "丙", "level": 1}
    ).json()
    assert client.patch(f"/api/facilities/{f['id']}", json={"level": 2}).json()["level"] == 2
    r = client.patch(f"/api/facilities/{f['id']}", json={"level": 9})
    assert r.status_code == 422 and r.json()["error"]["field"] == "level"
    assert client.get(f"/api/facilities/{f['id']}").json()["level"] == 2  # unchanged
    r = client.patch(f"/api/facilities/{f['id']}", json={"colour": "red"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "colour"


def test_closing_periods(client: Any) -> None:
    p = new_person(client)
    e = client.post(
        f"/api/persons/{p['id']}/enrolments",
        json={"scheme": "resident", "start_date": "2024-01-01"},
    ).json()
    r = client.patch(f"/api/enrolments/{e['id']}", json={"end_date": "2023-12-31"})
    assert r.status_code == 422 and r.json()["error"]["rule"] == "period_order"
    r = client.patch(f"/api/enrolments/{e['id']}", json={"end_date": "2024-12-31"})
    assert r.status_code == 200 and r.json()["end_date"] == "2024-12-31"
    # after the close a new period may start
    r = client.post(
        f"/api/persons/{p['id']}/enrolments",
        json={"scheme": "employee_active", "start_date": "2025-01-01"},
    )
    assert r.status_code == 201
    s = client.post(
        f"/api/persons/{p['id']}/statuses", json={"kind": "unemployed", "start_date": "2024-01-01"}
    ).json()  # a benefit status (dibao, disability …) ends only through its case or an import
    assert (
        client.patch(f"/api/statuses/{s['id']}", json={"end_date": "2024-06-30"}).json()["end_date"]
        == "2024-06-30"
    )
    assert client.patch("/api/statuses/999", json={"end_date": "2024-06-30"}).status_code == 404
