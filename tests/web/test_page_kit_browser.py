"""The page kit in headless Chromium on a 375 × 740 phone: no page scrolls sideways in zh, bo
or en, and a refused form brings its first invalid field into view with the focus on it.

Screenshots of two pages in Tibetan go to ``/tmp/shots/`` (and ``tests/artifacts/``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.web.a11y import focused
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py
SHOTS = Path("/tmp/shots")
PHONE = {"width": 375, "height": 740}
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """Staff of each desk, a household with a case, and a citizen, in the browser's database."""
    from minsheng.assistance import service as assistance
    from minsheng.assistance.schemas import CaseIn
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import enrolment
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import EnrolmentIn, HouseholdIn, PersonIn

    by = system("test")
    number = ids.make_resident_id("540102", dt.date(1966, 6, 6), 61)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        for name, role, region in (
            ("kit.cw", "caseworker", "540100"),
            ("kit.cashier", "cashier", "540102"),
            ("kit.analyst", "analyst", "540000"),
        ):
            create_user(s, by, name, PASSWORD, role, region)
        h = registry.create_household(
            s, HouseholdIn(code="KIT-1", division_code="540102", area="urban"), by
        )
        p = registry.create_person(
            s,
            PersonIn(
                id_number=number,
                name_zh="扎西页面",
                name_bo="བཀྲ་ཤིས།",
                hukou="urban",
                household_code="KIT-1",
                relationship="head",
                phone="13908905678",
            ),
            by,
        )
        enrolment.add_enrolment(
            s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), by
        )
        assistance.open_case(s, CaseIn(household_id=h.id, programme="dibao"), by)
        s.commit()
        return {"household": h.id, "person": p.id, "number": number}


def _context(browser: Any, server: str, lang: str) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=1)
    context.add_cookies([{"name": "lang", "value": lang, "url": server}])
    return context


def _sign_in(page: Any, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    assert "/login" not in page.url, page.url


def _citizen(page: Any, server: str, people: dict[str, Any]) -> None:
    page.goto(server + "/citizen/login")
    page.fill("#id_number", people["number"])
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[people["person"]])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


def _too_wide(page: Any) -> list[str]:
    return page.evaluate(  # type: ignore[no-any-return]
        """[...document.querySelectorAll('body *')]
             .filter(e => { const r = e.getBoundingClientRect();
                            return r.right > 376 && !e.closest('.table-wrap'); })
             .slice(0, 5).map(e => e.tagName + '.' + e.className + ': '
                                  + (e.textContent || '').trim().slice(0, 40))"""
    )


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_every_page_fits_a_375_px_phone(
    server: str, browser: Any, people: dict[str, Any], lang: str
) -> None:
    household = f"/assistance/households/{people['household']}"
    desks = {
        None: ["/", "/login", "/citizen/login", "/tools/id-check", "/no/such/page"],
        "kit.cw": ["/assistance", household, "/assistance?page=x&q=KIT"],
        "kit.cashier": ["/medical/cashier"],
        "kit.analyst": ["/analysis"],
        "citizen": ["/me", "/me/assistance", "/me/medical"],
    }
    wide: dict[str, Any] = {}
    for who, paths in desks.items():
        context = _context(browser, server, lang)
        page = context.new_page()
        if who == "citizen":
            _citizen(page, server, people)
        elif who:
            _sign_in(page, server, who)
        for path in paths:
            page.goto(server + path)
            assert page.locator("html").get_attribute("lang") == {"zh": "zh-CN"}.get(lang, lang)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[f"{who} {path}"] = (width, _too_wide(page))
        if who is None:  # a refused form, too
            page.goto(server + "/tools/id-check")
            page.fill("#value", "110105194912310021")
            page.click("main button[type=submit]")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide["POST /tools/id-check"] = (width, _too_wide(page))
        context.close()
    assert not wide, wide


def test_a_refused_form_scrolls_to_and_focuses_its_first_invalid_field(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    """The income form sits far down the household page: after a refused post the browser
    opens the page at the amount field, focused (autofocus; no JavaScript of ours)."""
    SHOTS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _sign_in(page, server, "kit.cw")
    page.goto(server + f"/assistance/households/{people['household']}")
    page.fill("#income-amount", "-5")
    with page.expect_navigation():
        page.click("#income-form button[type=submit]")
    assert focused(page, "income-amount") == "income-amount"
    box = page.evaluate(
        "(() => { const r = document.getElementById('income-amount').getBoundingClientRect();"
        " return [r.top, r.bottom]; })()"
    )
    assert box[0] >= 0 and box[1] <= PHONE["height"], box  # in view
    assert page.evaluate("window.scrollY") > 0  # … which meant scrolling down to it
    assert page.input_value("#income-amount") == "-5"
    assert page.get_attribute("#income-amount", "aria-invalid") == "true"
    error = page.locator("#income-amount-error")
    assert "金额不能为负" in error.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "household-form-error-bo.png"))
    page.screenshot(path=str(ARTIFACTS / "household-form-error-bo.png"))
    # the summary at the top links to the field
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "household-top-bo.png"))
    href = page.get_attribute(".error-summary a", "href")
    assert href == "#income-amount"
    page.goto(server + "/assistance")
    page.screenshot(path=str(SHOTS / "queue-bo.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "queue-bo-phone.png"), full_page=True)
    context.close()


def test_a_refused_sign_in_focuses_the_password(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    context = _context(browser, server, "en")
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", "kit.cw")
    page.fill("#password", "wrong-password-1")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    # Chromium applies `autofocus` at its next rendering step after load: awaited.
    assert focused(page, "password") == "password"
    assert page.input_value("#username") == "kit.cw"
    assert page.input_value("#password") == ""
    context.close()
