"""The route matrix's samples for the social-security card's routes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.cards import service as cards
from tests.route_kit import BY, P1_ID, Samples, World

COLLECTIONS = {("GET", "/api/me/card"), ("GET", "/me/card")}
REGION_FREE = {
    ("POST", "/api/cards/scan"),  # any window may scan any card (the patient presents it)
    ("POST", "/api/me/card/steps"),  # the holder's own card, whoever holds it
    ("POST", "/api/me/card/bank"),
    ("POST", "/api/me/ecard"),
    ("POST", "/me/card/steps"),  # the pages (cards/pages.py): the holder's own
    ("POST", "/me/card/bank"),
    ("GET", "/me/ecard"),
    ("GET", "/cards"),  # the desk's find form: no record on it
}


def populate(s: Session, w: World) -> None:
    card = cards.apply(s, w.ids["person"], "540102", BY, dt.date.today())
    w.ids["card"] = card.id


def samples(w: World) -> Samples:
    card = {"card_id": w.ids["card"]}
    return {
        ("POST", "/api/cards"): {"json": {"person_id": w.ids["person"], "division_code": "540102"}},
        ("GET", "/api/cards/{card_id}"): {"path": card},
        ("POST", "/api/cards/{card_id}/steps"): {"path": card, "json": {"action": "make"}},
        ("POST", "/api/cards/{card_id}/bank"): {
            "path": card,
            "json": {"bank_name": "西藏银行", "account": "6222020200112233446"},
        },
        ("POST", "/api/cards/scan"): {"json": {"code": "MSEC1.1.0000000000.x.y"}},
        ("GET", "/api/me/card"): {},
        ("POST", "/api/me/card/steps"): {"json": {"action": "activate"}},
        ("POST", "/api/me/card/bank"): {
            "json": {"bank_name": "西藏银行", "account": "6222020200112233446"}
        },
        ("POST", "/api/me/ecard"): {},
        # the pages (cards/pages.py)
        ("GET", "/me/card"): {},
        ("POST", "/me/card/steps"): {"data": {"action": "activate"}},
        ("POST", "/me/card/bank"): {
            "data": {"bank_name": "西藏银行", "bank_account": "6222020200112233446"}
        },
        ("GET", "/me/ecard"): {},
        ("GET", "/cards"): {},
        ("POST", "/cards/find"): {"data": {"id_number": P1_ID}},
        ("GET", "/cards/persons/{person_id}"): {"path": {"person_id": w.ids["person"]}},
        ("POST", "/cards/persons/{person_id}/apply"): {
            "path": {"person_id": w.ids["person"]},
            "data": {"division_code": "540102"},
        },
        ("POST", "/cards/{card_id}/steps"): {"path": card, "data": {"action": "make"}},
    }
