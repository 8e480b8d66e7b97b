"""The cashier's page identifies the patient by a scanned electronic card as by a typed ID
number: the preview names the patient, the confirm settles and redirects to the receipt; a bad
code is refused on the field, kept as scanned."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.cards import ecard
from minsheng.cards import service as cards
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.medical.models import Settlement
from minsheng.registry import service as registry
from minsheng.registry.enrolment import add_enrolment
from minsheng.registry.organisations import create_facility
from minsheng.registry.schemas import EnrolmentIn, FacilityIn, PersonIn
from tests.conftest import staff_client

BY = system("test")
NUMBER = ids.make_resident_id("540102", dt.date(1960, 7, 7), 41)


def _hidden(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, f"no hidden {name}"
    return m.group(1)


def test_a_scanned_card_settles_like_a_typed_id(app: Any, engine: Engine) -> None:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        p = registry.create_person(
            s, PersonIn(id_number=NUMBER, name_zh="扫码患者", hukou="urban"), BY
        )
        add_enrolment(s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        card = cards.apply(s, p.id, "540102", BY, today)
        for action in ("make", "issue", "activate_at_window"):
            cards.step(s, card.id, action, BY, today)
        s.commit()
        code, _ = ecard.mint(card.id, dt.datetime.now(dt.UTC))
    cashier: Any = staff_client(app, engine, "cashier", "540100")
    blank = cashier.get("/medical/cashier")
    assert 'id="ecard"' in blank.text and 'for="ecard"' in blank.text
    form = {
        "ecard": code,
        "facility_code": "H54010200001",
        "visit": "outpatient",
        "service_date": today.isoformat(),
        "price_0": "80.00",
    }
    page = cashier.post("/medical/cashier", data={**form, "action": "preview"})
    assert page.status_code == 200, page.text
    assert "扫码患者" in page.text and NUMBER not in page.text
    confirm = {
        **form,
        "action": "confirm",
        "preview_id": _hidden(page.text, "preview_id"),
        "fingerprint": _hidden(page.text, "fingerprint"),
    }
    done = cashier.post("/medical/cashier", data=confirm, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/medical/receipt/")
    # a code that is not one: refused on the field, kept as scanned, nothing settled
    bad = cashier.post(
        "/medical/cashier", data={**form, "ecard": "MSEC1.nonsense", "action": "preview"}
    )
    assert bad.status_code == 422
    assert re.search(r'id="ecard"[^>]*aria-invalid="true"', bad.text)
    assert 'value="MSEC1.nonsense"' in bad.text and 'id="ecard-error"' in bad.text
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Settlement)) == 1
