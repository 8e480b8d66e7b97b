"""The route matrix's samples for the stored transfer routes (``pensions/transfer_api.py`` and
``pensions/transfer_pages.py``): a Lhasa person with a transfer from Chongqing to Lhasa (its
steps recorded by Lhasa), and another Lhasa person to open one for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.pensions import transfer_cases
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.route_kit import BY, Samples, World

COLLECTIONS = {("GET", "/api/pensions/transfers"), ("GET", "/pensions/transfer-cases")}


def _request() -> dict[str, object]:
    from tests.pensions.transfer_kit import chongqing

    return {**chongqing(), "applied": dt.date.today().isoformat()}


def populate_transfers(s: Session, w: World) -> None:
    moving = registry.create_person(
        s, PersonIn(id_number=w.new_id(), name_zh="转移甲", hukou="urban"), BY
    )
    opening = registry.create_person(
        s, PersonIn(id_number=w.new_id(), name_zh="转移乙", hukou="urban"), BY
    )
    s.flush()
    t = transfer_cases.open_transfer(s, moving.id, _request(), "matrix-transfer-1", BY)
    w.ids.update(pn_transfer=t.id, pn_transfer_person=opening.id)


def transfer_samples(w: World) -> Samples:
    case = {"transfer_id": w.ids["pn_transfer"]}
    who = {"person_id": w.ids["pn_transfer_person"]}
    return {
        ("POST", "/api/pensions/persons/{person_id}/transfers"): {
            "path": who,
            "json": {"key": "matrix-transfer-2", "transfer": _request()},
        },
        ("GET", "/api/pensions/transfers"): {},
        ("GET", "/api/pensions/transfers/{transfer_id}"): {"path": case},
        ("POST", "/api/pensions/transfers/{transfer_id}/steps"): {
            "path": case,
            "json": {"action": "confirm"},
        },
        ("GET", "/pensions/transfer-cases"): {},
        ("GET", "/pensions/transfer-cases/{transfer_id}"): {"path": case},
        ("POST", "/pensions/transfer-cases/{transfer_id}/steps"): {
            "path": case,
            "data": {"action": "confirm"},
        },
        ("GET", "/pensions/persons/{person_id}/transfer"): {"path": who},
        ("POST", "/pensions/persons/{person_id}/transfer"): {
            "path": who,
            "data": {"key": "matrix-transfer-3", "kind": "employee"},
        },
    }
