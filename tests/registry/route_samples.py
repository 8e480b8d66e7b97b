"""The route matrix's samples for the registry's routes (persons, households, employers,
facilities, enrolment, statuses)."""

from __future__ import annotations

from minsheng.core import ids
from tests.route_kit import P1_ID, Samples, World

COLLECTIONS = {
    ("GET", "/api/persons"),
    ("GET", "/api/employers"),
    ("GET", "/api/facilities"),
}


def samples(w: World) -> Samples:
    person = {"person_id": w.ids["person"]}
    return {
        ("POST", "/api/persons"): {
            "json": lambda: {
                "id_number": w.new_id(),
                "name_zh": "新",
                "hukou": "urban",
                "division_code": "540102",
            }
        },
        ("GET", "/api/persons"): {"marker": "测试拉萨人"},
        ("POST", "/api/persons/lookup"): {"json": {"id_number": P1_ID}},
        ("GET", "/api/persons/{person_id}"): {"path": person},
        ("PATCH", "/api/persons/{person_id}"): {"path": person, "json": {"name_bo": "ཚེ་རིང"}},
        ("POST", "/api/persons/import"): {
            "files": lambda: {
                "file": (
                    "p.csv",
                    f"id_number,name_zh,hukou,division_code\n{w.new_id()},导入,urban,540102\n".encode(),
                )
            }
        },
        ("GET", "/api/persons/{person_id}/enrolments"): {"path": person},
        ("POST", "/api/persons/{person_id}/enrolments"): {
            "path": person,
            "json": {"scheme": "resident", "start_date": "2020-01-01"},
        },
        ("GET", "/api/persons/{person_id}/statuses"): {"path": person},
        ("POST", "/api/persons/{person_id}/statuses"): {
            "path": person,
            "json": {"kind": "unemployed", "start_date": "2024-01-01"},
        },
        ("POST", "/api/households"): {
            "json": lambda: {"code": f"LS-{w.n()}", "division_code": "540102", "area": "urban"}
        },
        ("GET", "/api/households/{household_id}"): {"path": {"household_id": w.ids["household"]}},
        ("PATCH", "/api/households/{household_id}"): {
            "path": {"household_id": w.ids["household"]},
            "json": {"address": "八廓街"},
        },
        ("POST", "/api/households/{household_id}/members"): {
            "path": {"household_id": w.ids["household"]},
            "json": {"person_id": w.ids["person"], "relationship": "head"},
        },
        ("POST", "/api/employers"): {
            "json": lambda: {
                "credit_code": ids.make_credit_code("540102", w.n()),
                "name": "新单位",
                "division_code": "540102",
            }
        },
        ("GET", "/api/employers"): {"marker": "拉萨测试单位"},
        ("GET", "/api/employers/{employer_id}"): {"path": {"employer_id": w.ids["employer"]}},
        ("PATCH", "/api/employers/{employer_id}"): {
            "path": {"employer_id": w.ids["employer"]},
            "json": {"name": "拉萨测试单位"},
        },
        ("POST", "/api/facilities"): {
            "json": lambda: {"code": f"H540102{w.n():05d}", "name": "新医院", "level": 1}
        },
        ("GET", "/api/facilities"): {"marker": "拉萨测试医院"},
        ("GET", "/api/facilities/{facility_id}"): {"path": {"facility_id": w.ids["facility"]}},
        ("PATCH", "/api/facilities/{facility_id}"): {
            "path": {"facility_id": w.ids["facility"]},
            "json": {"level": 3},
        },
        ("PATCH", "/api/enrolments/{enrolment_id}"): {
            "path": {"enrolment_id": w.ids["enrolment"]},
            "json": {"end_date": "2031-01-01"},
        },
        ("PATCH", "/api/statuses/{status_id}"): {
            "path": {"status_id": w.ids["status"]},
            "json": {"end_date": "2031-01-01"},
        },
    }
