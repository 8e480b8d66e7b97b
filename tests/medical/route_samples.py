"""The route matrix's samples for medical security's routes, and the records they point at."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.medical import service as medical
from minsheng.medical.schemas import BillIn
from tests.route_kit import BY, P1_ID, Samples, World, lhasa_bill

COLLECTIONS = {
    ("GET", "/api/me/settlements"),
    ("GET", "/me/medical"),
    ("GET", "/medical/cashier"),
    # the window's look-up, day list, report and CSV: 200 everywhere, only the region's rows
    ("POST", "/medical/cashier/lookup"),
    ("GET", "/medical/cashier/today"),
    ("GET", "/medical/cashier/report"),
    ("GET", "/medical/cashier/report.csv"),
}
LHASA = "测试拉萨人"  # the Lhasa patient's name: never in another region's answer


def populate(s: Session, w: World) -> None:
    settled = medical.settle(s, BillIn.model_validate(lhasa_bill()), BY)
    w.ids["settlement"] = settled.id or 0
    w.ids["settlement_window"] = medical.settle(s, BillIn.model_validate(lhasa_bill()), BY).id or 0
    w.ids["preview"] = medical.presettle(s, BillIn.model_validate(lhasa_bill()), BY).preview_id or 0


def samples(w: World) -> Samples:
    person = {"person_id": w.ids["person"]}
    settlement = {"settlement_id": w.ids["settlement"]}
    window = {"settlement_id": w.ids["settlement_window"]}
    return {
        ("POST", "/api/medical/settlements/preview"): {"json": lhasa_bill()},
        ("POST", "/api/medical/settlements"): {"json": lhasa_bill()},
        ("POST", "/api/medical/settlements/batch"): {  # each bill's refusal is in its slot
            "json": {"bills": [{"idempotency_key": "matrix-batch-1", "bill": lhasa_bill()}]}
        },
        ("POST", "/api/medical/previews/{preview_id}/confirm"): {  # another's preview: 404
            "path": {"preview_id": w.ids["preview"]},
            "json": {"fingerprint": "0" * 64},
        },
        ("POST", "/api/medical/settlements/{settlement_id}/reverse"): {"path": settlement},
        ("GET", "/api/medical/settlements/{settlement_id}"): {"path": settlement},
        ("GET", "/api/medical/persons/{person_id}/settlements"): {"path": person},
        ("GET", "/api/me/settlements"): {},
        ("GET", "/api/medical/settlements/{settlement_id}/fhir"): {"path": settlement},
        ("PUT", "/api/medical/persons/{person_id}/account"): {
            "path": person,
            "json": {"balance": "100.00"},
        },
        ("GET", "/medical/cashier"): {},
        ("POST", "/medical/cashier"): {
            "data": {
                "id_number": P1_ID,
                "facility_code": "H54010200077",
                "visit": "outpatient",
                "service_date": dt.date.today().isoformat(),
                "price_0": "100.00",
                "action": "preview",
            }
        },
        ("GET", "/medical/receipt/{settlement_id}"): {"path": settlement},
        ("GET", "/me/medical"): {},
        ("GET", "/me/medical/{settlement_id}"): {"path": settlement},  # the patient's own
        ("POST", "/medical/cashier/lookup"): {"data": {"q": P1_ID}, "marker": LHASA},
        ("GET", "/medical/cashier/today"): {"marker": LHASA},
        ("GET", "/medical/cashier/report"): {},
        ("GET", "/medical/cashier/report.csv"): {"marker": LHASA},
        ("GET", "/medical/cashier/reverse/{settlement_id}"): {"path": window},
        ("POST", "/medical/cashier/reverse/{settlement_id}"): {
            "path": window,
            "data": {"reason": "route matrix"},
        },
    }
