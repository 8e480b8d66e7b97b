"""The card pages on both databases: the holder sees only their own card, takes the steps the
table gives them and links a bank account (refused forms kept as typed, the error by its
field; stored ones redirected with a one-time message); the electronic card page shows a QR
code of a code the cashier's window accepts; the desk finds people of its region only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from minsheng.auth import service as auth
from minsheng.cards import service as cards
from minsheng.cards.models import SocialCard
from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import make_app, staff_client

BY = system("test")
LHASA_ID = ids.make_resident_id("540102", dt.date(1970, 2, 2), 31)
SHIGATSE_ID = ids.make_resident_id("540202", dt.date(1972, 4, 4), 32)
BANK = "6222020200112233446"  # passes the Luhn check


@pytest.fixture
def world(engine: Engine) -> dict[str, Any]:
    today = dt.date.today()
    with make_sessionmaker(engine)() as s:
        p1 = registry.create_person(
            s, PersonIn(id_number=LHASA_ID, name_zh="拉萨持卡人", hukou="urban"), BY
        )
        p2 = registry.create_person(
            s, PersonIn(id_number=SHIGATSE_ID, name_zh="日喀则持卡人", hukou="urban"), BY
        )
        card = cards.apply(s, p1.id, "540102", BY, today)
        for action in ("make", "issue"):
            cards.step(s, card.id, action, BY, today)
        other = cards.apply(s, p2.id, "540202", BY, today)
        cookies = {
            "p1": auth.open_session(s, 1, person=p1).token,
            "p2": auth.open_session(s, 1, person=p2).token,
        }
        s.commit()
        return {"p1": p1.id, "p2": p2.id, "card": card.id, "other": other.id, "cookies": cookies}


def citizen(app: Any, token: str) -> TestClient:
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def number_of(engine: Engine, card_id: int) -> str:
    with make_sessionmaker(engine)() as s:
        card = s.get(SocialCard, card_id)
        assert card is not None
        return card.number


def test_the_holder_sees_only_their_own_card_and_takes_their_steps(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    page = c.get("/me/card")
    assert page.status_code == 200
    assert number_of(engine, world["card"]) in page.text
    assert number_of(engine, world["other"]) not in page.text
    assert 'id="step-activate"' in page.text and 'id="step-report_lost"' in page.text
    assert "step-make" not in page.text and "/me/ecard" not in page.text  # not active yet
    theirs = citizen(app, world["cookies"]["p2"]).get("/me/card")
    assert number_of(engine, world["other"]) in theirs.text
    assert number_of(engine, world["card"]) not in theirs.text
    assert 'id="step-activate"' not in theirs.text  # applied only: nothing for the holder
    # a step the table does not give the holder: refused on the page, nothing changed
    refused = c.post("/me/card/steps", data={"action": "make"}, follow_redirects=False)
    assert refused.status_code == 409 and "error-summary" in refused.text
    done = c.post("/me/card/steps", data={"action": "activate"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me/card"
    shown = c.get("/me/card")
    assert 'role="status"' in shown.text and "/me/ecard" in shown.text
    assert 'role="status"' not in c.get("/me/card").text  # the message once
    with make_sessionmaker(engine)() as s:
        card = s.get(SocialCard, world["card"])
        assert card is not None and card.state == "active"


def test_a_refused_bank_account_keeps_what_was_typed(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    bad = c.post(
        "/me/card/bank",
        data={"bank_name": "西藏银行", "bank_account": "6222020200112233447"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert re.search(r'id="bank-bank_account"[^>]*aria-invalid="true"', bad.text)
    assert 'value="6222020200112233447"' in bad.text and 'value="西藏银行"' in bad.text
    assert 'id="bank-bank_account-error"' in bad.text
    ok = c.post(
        "/me/card/bank",
        data={"bank_name": "西藏银行", "bank_account": BANK},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = c.get("/me/card")
    assert "****3446" in page.text and BANK not in page.text


def test_the_electronic_card_shows_a_qr_of_a_code_the_cashier_accepts(
    engine: Engine, world: dict[str, Any]
) -> None:
    app = make_app(engine)
    c = citizen(app, world["cookies"]["p1"])
    before = c.get("/me/ecard")
    assert before.status_code == 422 and "ecard" not in before.headers.get("location", "")
    assert "<svg" not in before.text  # no code for a card not yet active
    c.post("/me/card/steps", data={"action": "activate"})
    page = c.get("/me/ecard")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "<svg" in page.text and 'id="refresh"' in page.text
    assert re.search(r"\d\d:\d\d:\d\d", page.text)  # the expiry
    again = c.get("/me/ecard")
    assert again.text.split("<svg", 1)[1] != page.text.split("<svg", 1)[1]  # a fresh code


def test_the_desk_finds_its_regions_people_only(engine: Engine, world: dict[str, Any]) -> None:
    app = make_app(engine)
    lhasa: Any = staff_client(app, engine, "caseworker", "540100")
    shigatse: Any = staff_client(app, engine, "caseworker", "540200", "cards.shigatse")
    assert lhasa.get("/cards").status_code == 200
    found = lhasa.post("/cards/find", data={"id_number": LHASA_ID}, follow_redirects=False)
    assert found.status_code == 303
    url = found.headers["location"]
    assert url == f"/cards/persons/{world['p1']}"
    page = lhasa.get(url)
    assert page.status_code == 200 and number_of(engine, world["card"]) in page.text
    assert 'value="activate_at_window"' in page.text and LHASA_ID not in page.text
    assert shigatse.get(url).status_code == 404
    missing = shigatse.post("/cards/find", data={"id_number": LHASA_ID}, follow_redirects=False)
    assert missing.status_code == 404 and f'value="{LHASA_ID}"' in missing.text
    step = shigatse.post(f"/cards/{world['card']}/steps", data={"action": "cancel", "reason": "x"})
    assert step.status_code == 404
    # a step needing a reason, without one: the form again, the error on the reason
    refused = lhasa.post(
        f"/cards/{world['card']}/steps", data={"action": "cancel"}, follow_redirects=False
    )
    assert refused.status_code == 422, refused.text
    assert re.search(rf'id="step-{world["card"]}-reason"[^>]*aria-invalid="true"', refused.text)
    assert 'value="cancel" selected' in refused.text
    # applying again while a card is live: 409 on the form; a new person's card: PRG
    twice = lhasa.post(f"{url}/apply", data={"division_code": "540102"}, follow_redirects=False)
    assert twice.status_code == 409 and 'id="apply-division_code"' in twice.text
    done = lhasa.post(
        f"/cards/{world['card']}/steps",
        data={"action": "activate_at_window"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    assert 'role="status"' in lhasa.get(url).text
    with make_sessionmaker(engine)() as s:
        n = s.scalar(select(func.count()).where(SocialCard.person_id == world["p1"]))
        card = s.get(SocialCard, world["card"])
        assert card is not None and card.state == "active"
    assert n == 1
