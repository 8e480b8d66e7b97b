"""The route matrix's samples for the bundle routes, and the records they point at: a Lhasa
worker to hire, a Lhasa resident without a card, one in no pension scheme (a death there
is refused), and a (refused) card bundle of the matrix's
Lhasa citizen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.bundles import service
from minsheng.bundles.schemas import CardIn
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from tests.route_kit import BY, P1_ID, Samples, World

COLLECTIONS = {
    ("GET", "/api/bundles"),
    ("GET", "/bundles"),
    ("GET", "/me/bundles"),  # the citizen's own
}
REGION_FREE = {("POST", "/me/bundles/{kind}")}  # the citizen's own application


def populate(s: Session, w: World) -> None:
    for name in ("bundle_worker", "bundle_card", "bundle_dead"):
        p = registry.create_person(
            s, PersonIn(id_number=w.new_id(), name_zh="测试一件事", hukou="urban"), BY
        )
        w.ids[name] = p.id
    bundle, _ = service.apply(s, "card", CardIn(person_id=w.ids["person"]), BY)
    w.ids["bundle"] = bundle.id  # refused: the matrix's citizen already holds a card


def samples(w: World) -> Samples:
    from tests.pensions.route_samples import CREDIT_CODE as code

    today = dt.date.today().isoformat()
    person = w.ids["person"]
    return {
        ("POST", "/api/bundles/retirement"): {"json": {"person_id": person}},
        ("POST", "/api/bundles/death"): {  # in no pension scheme: refused, nothing recorded
            "json": {"person_id": w.ids["bundle_dead"], "died_on": today}
        },
        ("POST", "/api/bundles/hire"): {
            "json": {
                "person_id": w.ids["bundle_worker"],
                "credit_code": code,
                "wage": "8000",
                "start_date": today,
            }
        },
        ("POST", "/api/bundles/card"): {"json": {"person_id": w.ids["bundle_card"]}},
        ("GET", "/api/bundles/{bundle_id}"): {"path": {"bundle_id": w.ids["bundle"]}},
        ("GET", "/api/bundles"): {},
        # the pages (bundles/pages.py)
        ("GET", "/bundles"): {},
        ("POST", "/bundles/find"): {"data": {"id_number": P1_ID}},
        ("GET", "/bundles/persons/{person_id}"): {"path": {"person_id": person}},
        ("POST", "/bundles/persons/{person_id}/{kind}"): {
            "path": {"person_id": person, "kind": "retirement"},
            "data": {"category": "worker"},
        },
        ("GET", "/bundles/{bundle_id}"): {"path": {"bundle_id": w.ids["bundle"]}},
        ("GET", "/me/bundles"): {},
        ("POST", "/me/bundles/{kind}"): {"path": {"kind": "retirement"}, "data": {}},
        ("GET", "/me/bundles/{bundle_id}"): {"path": {"bundle_id": w.ids["bundle"]}},
    }
