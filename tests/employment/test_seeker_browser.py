"""/me/jobs in headless Chromium on a 375 × 740 phone in Tibetan: the seeker signs in with
their ID number and a one-time code, registers with consent (a county that is not a county is
refused by its field first), sees the status and the day to re-confirm, re-confirms; no page
scrolls sideways, in Tibetan, Chinese or English; the caseworker's desk fits the phone too.
A screenshot of the Tibetan page goes to /tmp/shots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PASSWORD, PHONE, SHOTS, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]


@pytest.fixture(scope="module")
def seeker_world(server: str) -> dict[str, Any]:
    """A Nyingchi resident with a phone (not yet a seeker) and a caseworker of Nyingchi."""
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn

    by = system("test")
    number = ids.make_resident_id("540402", dt.date(1998, 8, 8), 141)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "em.seeker.cw", PASSWORD, "caseworker", "540400")
        p = registry.create_person(
            s,
            PersonIn(id_number=number, name_zh="索朗求职", hukou="rural", phone="13908905999"),
            by,
        )
        s.commit()
        return {"person": p.id, "number": number}


def _sign_in(page: Any, server: str, w: dict[str, Any]) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/citizen/login")
    page.fill("#id_number", w["number"])
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[w["person"]])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


def test_a_seeker_registers_and_reconfirms_on_a_phone_in_tibetan(
    server: str, browser: Any, seeker_world: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _sign_in(page, server, seeker_world)
    page.goto(server + "/me/jobs")
    assert page.locator("html").get_attribute("lang") == "bo"
    assert page.locator("#my-seeker").count() == 0
    page.select_option("#profile-county_1", "540402")
    page.select_option("#profile-occupation_1", "4-03")
    page.fill("#profile-wage_min", "-5")  # refused by its field, nothing registered
    page.check("#profile-consent")
    page.click("#seeker-profile button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#profile-wage_min").get_attribute("aria-invalid") == "true"
    assert page.locator("#my-seeker").count() == 0
    page.fill("#profile-wage_min", "4500")
    page.click("#seeker-profile button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/me/jobs")
    assert page.locator('[role="status"]').count() == 1
    assert page.locator("#my-seeker").is_visible()
    assert seeker_world["number"] not in page.content()
    assert page.locator("#seeker-reconfirm").inner_text().strip() != ""
    page.screenshot(path=str(SHOTS / "employment-me-jobs-bo.png"), full_page=True)
    page.click("#seeker-confirm button[type=submit]")
    page.wait_for_load_state()
    assert page.locator('[role="status"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_the_seeker_pages_fit_a_375_px_phone(
    server: str, browser: Any, seeker_world: dict[str, Any], lang: str
) -> None:
    wide: dict[str, Any] = {}
    context = _context(browser, server, lang)
    page = context.new_page()
    _sign_in(page, server, seeker_world)
    page.goto(server + "/me/jobs")
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        wide["/me/jobs"] = _too_wide(page)
    context.close()
    context = _context(browser, server, lang)
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/login")
    page.fill("#username", "em.seeker.cw")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(server + "/employment/seekers")
    assert page.locator("main h1").count() == 1
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        wide["/employment/seekers"] = _too_wide(page)
    rows = page.locator("#seekers tbody a")
    if rows.count():
        rows.first.click()
        page.wait_for_load_state()
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            wide["record"] = _too_wide(page)
    context.close()
    assert not wide, wide
