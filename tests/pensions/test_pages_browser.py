"""The pensions and card pages in headless Chromium on a 375 × 740 phone: none scrolls sideways
in zh, bo or en, and the electronic card's QR code is on the screen, whole. Screenshots of the
estimate and the electronic card in Tibetan go to ``/tmp/shots/`` (and ``tests/artifacts/``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import (
    PASSWORD,
    PHONE,
    SHOTS,
    _citizen,
    _context,
    _sign_in,
    _too_wide,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py
TIER = "2000.00"


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """A caseworker, and a Lhasa resident with a resident-pension history and an active card
    with a bank account, in the browser's database."""
    from minsheng.auth.users import create_user
    from minsheng.cards import service as cards
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.pensions import contributions, enrolment
    from minsheng.pensions.schemas import EnrolIn, ResidentContributionIn
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn

    by = system("test")
    today = dt.date.today()
    number = ids.make_resident_id("540102", dt.date(1985, 4, 4), 71)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "pn.cw", PASSWORD, "caseworker", "540100")
        p = registry.create_person(
            s,
            PersonIn(
                id_number=number,
                name_zh="卓玛养老",
                name_bo="སྒྲོལ་མ།",
                hukou="rural",
                phone="13908905679",
            ),
            by,
        )
        enrolment.enrol(
            s,
            EnrolIn(person_id=p.id, scheme="resident_pension", start_date=dt.date(2015, 1, 1)),
            by,
        )
        for year in range(2015, today.year):
            contributions.record_resident(
                s, ResidentContributionIn(person_id=p.id, year=year, tier="500"), by
            )
        card = cards.apply(s, p.id, "540102", by, today)
        for action in ("make", "issue", "activate_at_window"):
            cards.step(s, card.id, action, by, today)
        cards.link_bank(s, card.id, "西藏银行", "6222020200112233446", by)
        s.commit()
        return {"person": p.id, "number": number}


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_every_new_page_fits_a_375_px_phone(
    server: str, browser: Any, people: dict[str, Any], lang: str
) -> None:
    person = people["person"]
    desks = {
        "pn.cw": ["/pensions", f"/pensions/persons/{person}", "/cards", f"/cards/persons/{person}"],
        "citizen": [
            "/me/pensions",
            f"/me/pensions/estimate?tier={TIER}",
            "/me/pensions/estimate?tier=123",  # refused: the error under the field
            "/me/card",
            "/me/ecard",
        ],
    }
    wide: dict[str, Any] = {}
    for who, paths in desks.items():
        context = _context(browser, server, lang)
        page = context.new_page()
        if who == "citizen":
            BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
            _citizen(page, server, people)
        else:
            _sign_in(page, server, who)
        for path in paths:
            page.goto(server + path)
            assert page.locator("html").get_attribute("lang") == {"zh": "zh-CN"}.get(lang, lang)
            assert page.locator("main h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[f"{who} {path}"] = (width, _too_wide(page))
        context.close()
    assert not wide, wide


def test_the_estimate_and_the_qr_code_on_a_phone_in_tibetan(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]  # sign-ins of the test above
    _citizen(page, server, people)
    page.goto(server + "/me/pensions")
    page.select_option("#estimate-tier", TIER)
    page.click("#estimate-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/me/pensions/estimate?tier={TIER}")
    assert page.locator("#estimate-result").is_visible()
    assert page.locator("#estimate-parts li.card").count() >= 2  # basic, long, account
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#monthly").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('monthly').scrollIntoView()")
    page.screenshot(path=str(SHOTS / "pension-estimate-bo.png"))
    page.screenshot(path=str(SHOTS / "pension-estimate-bo-full.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "pension-estimate-bo.png"), full_page=True)
    page.goto(server + "/me/card")
    page.click("#ecard-link")
    page.wait_for_load_state()
    qr = page.locator("#ecard svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # whole, on screen
    assert box["y"] + box["height"] <= PHONE["height"], box  # without scrolling
    assert box["width"] >= 150, box  # large enough for the window's scanner
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "ecard-bo.png"))
    page.screenshot(path=str(ARTIFACTS / "ecard-bo.png"))
    before = page.inner_html("#ecard .qr")
    page.click("#refresh")
    page.wait_for_load_state()
    assert page.inner_html("#ecard .qr") != before  # a fresh code
    context.close()
