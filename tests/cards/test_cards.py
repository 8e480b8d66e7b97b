"""The social-security card: its life on the case engine, the bank account, and the electronic
card the cashier's window scans — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from minsheng.auth import service as auth
from minsheng.cards import ecard, service
from minsheng.cards.models import ECardUse, SocialCard
from minsheng.core import ids
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.webkit.guards import SESSION_COOKIE
from tests.conftest import staff_client

BY = system("test")
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
ACCOUNT = "6222020200112233446"  # passes the Luhn check


def _person(s: Session, county: str = "540102", n: int = 7) -> int:
    pid = ids.make_resident_id(county, dt.date(1980, 5, 5), n)
    p = registry.create_person(s, PersonIn(id_number=pid, name_zh="次仁", hukou="rural"), BY)
    return p.id


def _active(s: Session, person_id: int) -> SocialCard:
    card = service.apply(s, person_id, "540102", BY, TODAY)
    for action in ("make", "issue", "activate_at_window"):
        card = service.step(s, card.id, action, BY, TODAY)
    return card


def test_a_card_lives_through_its_table(session: Session) -> None:
    pid = _person(session)
    card = service.apply(session, pid, "540102", BY, TODAY)
    assert card.state == "applied" and card.number.startswith("A") and len(card.number) == 9
    with pytest.raises(MinshengError) as err:
        service.step(session, card.id, "activate_at_window", BY, TODAY)  # not made yet
    assert err.value.rule == "wrong_state"
    for action, state in (("make", "made"), ("issue", "issued"), ("activate_at_window", "active")):
        card = service.step(session, card.id, action, BY, TODAY)
        assert card.state == state
    lost = service.step(session, card.id, "report_lost_at_window", BY, TODAY)
    assert lost.state == "lost"
    with pytest.raises(MinshengError) as err:
        service.step(session, card.id, "replace", BY, TODAY)  # a replacement needs a reason
    assert err.value.field == "reason"
    new = service.step(session, card.id, "replace", BY, TODAY, reason="遗失补办")
    assert new.id != card.id and new.replaces_id == card.id and new.state == "applied"
    assert session.get(SocialCard, card.id).state == "replaced"  # type: ignore[union-attr]
    assert [e.action for e in service.history(session, card)] == [
        "apply",
        "make",
        "issue",
        "activate_at_window",
        "report_lost_at_window",
        "replace",
    ]


def test_one_live_card_per_person(session: Session) -> None:
    pid = _person(session)
    service.apply(session, pid, "540102", BY, TODAY)
    with pytest.raises(MinshengError) as err:
        service.apply(session, pid, "540202", BY, TODAY)
    assert err.value.rule == "card_exists"


def test_two_applications_at_once_make_one_card(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        pid = _person(s)
        s.commit()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def apply_once() -> None:
        barrier.wait()
        try:
            with unit_of_work(factory) as s:
                service.apply(s, pid, "540102", BY, TODAY)
            outcomes.append("ok")
        except MinshengError as err:
            outcomes.append(err.rule)

    threads = [threading.Thread(target=apply_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["card_exists", "ok"]
    with factory() as s:
        assert len(s.scalars(select(SocialCard).where(SocialCard.person_id == pid)).all()) == 1


def test_the_bank_account_is_encrypted_and_shown_by_its_tail(engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        card = service.apply(s, _person(s), "540102", BY, TODAY)
        service.link_bank(s, card.id, "西藏银行", "6222 0202 0011 2233 446", BY)
        s.commit()
        stored = s.execute(text("SELECT bank_account, bank_account_tail FROM cards")).one()
    assert ACCOUNT not in str(stored[0]) and stored[1] == "3446"


@pytest.mark.parametrize(
    "account",
    [
        "6222020200112233445",
        "12345",
        "6222-0202-0011-2233-446",
        "６２２２０２０２００１１２２３３４４６",
        "",
    ],
)
def test_a_bad_bank_account_names_the_field(session: Session, account: str) -> None:
    card = service.apply(session, _person(session), "540102", BY, TODAY)
    with pytest.raises(MinshengError) as err:
        service.link_bank(session, card.id, "西藏银行", account, BY)
    assert err.value.field == "bank_account"
    assert session.get(SocialCard, card.id).bank_account is None  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- electronic card


def test_an_electronic_card_identifies_once(session: Session) -> None:
    pid = _person(session)
    card = _active(session, pid)
    code, expires = ecard.mint(card.id, NOW)
    assert expires == NOW + dt.timedelta(seconds=ecard.LIFETIME_SECONDS)
    assert code.split(".")[1] == str(card.id)  # it names the card, never the ID number
    person = service.scan(session, code, BY, NOW + dt.timedelta(seconds=30))
    assert person.id == pid
    # the same window again (a retry, a confirmation): the same person
    assert service.scan(session, code, BY, NOW + dt.timedelta(seconds=31)).id == pid
    with pytest.raises(MinshengError) as err:  # another window: refused
        service.scan(session, code, system("other.window"), NOW + dt.timedelta(seconds=32))
    assert err.value.rule == "ecard_invalid"
    with pytest.raises(MinshengError):  # and the same window once it has expired
        service.scan(session, code, BY, NOW + dt.timedelta(seconds=ecard.LIFETIME_SECONDS))


def test_an_expired_forged_or_lost_code_is_refused_alike(session: Session) -> None:
    card = _active(session, _person(session))
    expired, _ = ecard.mint(card.id, NOW - dt.timedelta(seconds=ecard.LIFETIME_SECONDS + 1))
    good, _ = ecard.mint(card.id, NOW)
    body, mac = good.rsplit(".", 1)
    parts = body.split(".")
    other = ".".join([parts[0], str(card.id + 1), *parts[2:]])
    forged = [
        expired,
        f"{other}.{mac}",  # another card's id under this card's signature
        f"{body}.{'A' * 43}",
        good.replace("MSEC1", "MSEC2"),
        good + "\n",  # a scanner's trailing newline is stripped: this one passes below
        good[:-1],
        "",
        "x" * 10_000,
        good.replace(".", "\u2024"),
    ]
    far, _ = ecard.mint(card.id, NOW + dt.timedelta(days=1))  # expiry too far ahead
    forged.append(far)
    for code in forged:
        if code == good + "\n":
            continue
        with pytest.raises(MinshengError) as err:
            service.scan(session, code, BY, NOW)
        assert (err.value.field, err.value.rule) == ("ecard", "ecard_invalid"), code
    service.step(session, card.id, "report_lost_at_window", BY, TODAY)
    with pytest.raises(MinshengError):
        service.scan(session, good, BY, NOW)  # a card reported lost stops its codes at once
    assert session.scalar(select(ECardUse.id)) is None


def test_a_scan_in_a_rolled_back_transaction_leaves_the_code_unused(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        card = _active(s, _person(s))
        s.commit()
        code, _ = ecard.mint(card.id, NOW)
    with factory() as s:
        service.scan(s, code, BY, NOW)
        s.rollback()  # the settlement it was for failed
    with factory() as s:
        assert service.scan(s, code, BY, NOW).id == card.person_id


# ----------------------------------------------------------------------------- over HTTP


def _citizen(app: Any, engine: Engine, person_id: int) -> TestClient:
    from minsheng.registry.models import Person

    with make_sessionmaker(engine)() as s:
        token = auth.open_session(s, 1, person=s.get(Person, person_id)).token
        s.commit()
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, token)
    return c


def test_the_holder_shows_the_code_and_the_cashier_scans_it(app: Any, engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        pid = _person(s)
        card = service.apply(s, pid, "540102", BY, TODAY)
        service.step(s, card.id, "make", BY, TODAY)
        service.step(s, card.id, "issue", BY, TODAY)
        s.commit()
    holder = _citizen(app, engine, pid)
    csrf = {"x-csrf-token": _csrf(holder)}
    r = holder.post("/api/me/ecard", headers=csrf)
    assert r.status_code == 422 and r.json()["error"]["field"] == "card"  # not active yet
    r = holder.post("/api/me/card/steps", json={"action": "activate"}, headers=csrf)
    assert r.status_code == 200 and r.json()["state"] == "active", r.text
    r = holder.post(
        "/api/me/card/bank", json={"bank_name": "西藏银行", "account": ACCOUNT}, headers=csrf
    )
    assert r.json()["bank_account"] == "****3446" and ACCOUNT not in r.text
    shown = holder.post("/api/me/ecard", headers=csrf).json()
    assert shown["qr_svg"].startswith("<svg") and shown["lifetime_seconds"] == 120
    cashier = staff_client(app, engine, "cashier", "540200")  # another prefecture's window
    r = cashier.post("/api/cards/scan", json={"code": shown["code"]})  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json()["person_id"] == pid, r.text
    assert "id_number" not in r.json()
    other = staff_client(app, engine, "cashier", "540100")
    r = other.post("/api/cards/scan", json={"code": shown["code"]})  # type: ignore[attr-defined]
    assert r.status_code == 422
    r = holder.post("/api/me/card/steps", json={"action": "report_lost_at_window"}, headers=csrf)
    assert r.status_code == 403  # the holder's own steps are activate and report_lost only


def test_staff_elsewhere_see_no_card(app: Any, engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        card = service.apply(s, _person(s), "540102", BY, TODAY)
        s.commit()
    far = staff_client(app, engine, "caseworker", "540200")
    assert far.get(f"/api/cards/{card.id}").status_code == 404  # type: ignore[attr-defined]
    near = staff_client(app, engine, "caseworker", "540100")
    r = near.get(f"/api/cards/{card.id}")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.json()["actions"] == ["make", "cancel"]


def _csrf(c: TestClient) -> str:
    from minsheng.webkit.guards import csrf_for_session

    return csrf_for_session(c.cookies[SESSION_COOKIE])


# ----------------------------------------------------------------------------- at the window


def test_the_cashier_settles_a_bill_by_the_scanned_card(app: Any, engine: Engine) -> None:
    from minsheng.registry.enrolment import add_enrolment
    from minsheng.registry.organisations import create_facility
    from minsheng.registry.schemas import EnrolmentIn, FacilityIn

    with make_sessionmaker(engine)() as s:
        create_facility(s, FacilityIn(code="H54010200001", name="城关区人民医院", level=2), BY)
        pid = _person(s)
        add_enrolment(s, pid, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), BY)
        card = _active(s, pid)
        s.commit()
        code, _ = ecard.mint(card.id, dt.datetime.now(dt.UTC))
    day = dt.date.today().isoformat()
    bill = {
        "patient": {"ecard": code},
        "facility_code": "H54010200001",
        "visit": "outpatient",
        "service_date": day,
        "lines": [{"code": "A1", "category": "甲", "unit_price": "100.00"}],
    }
    cashier = staff_client(app, engine, "cashier", "540100")
    r = cashier.post("/api/medical/settlements/preview", json=bill)  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text
    assert r.json()["person"]["name_zh"] == "次仁"
    r = cashier.post(  # type: ignore[attr-defined]
        "/api/medical/settlements", json=bill, headers={"Idempotency-Key": "ecard-1"}
    )
    assert r.status_code == 201, r.text  # the same window may present the code again
    again = cashier.post(  # type: ignore[attr-defined]
        "/api/medical/settlements", json=bill, headers={"Idempotency-Key": "ecard-1"}
    )
    assert again.status_code in (200, 201) and again.json()["id"] == r.json()["id"]
    other = staff_client(app, engine, "cashier", "540100", "another.cashier")
    r = other.post("/api/medical/settlements/preview", json=bill)  # type: ignore[attr-defined]
    assert r.status_code == 422 and r.json()["error"]["rule"] == "ecard_invalid"
    assert code not in r.text
