"""Stored transfers in headless Chromium on a 375-px phone (issue 12 point 8): a Lhasa
caseworker opens a transfer from the person page in Chinese (the form prefilled from the
Shigatse contributions), the Shigatse caseworker confirms and sends in Tibetan, Lhasa receives;
no page scrolls sideways. Screenshots go to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PASSWORD, PHONE, SHOTS, _context, _sign_in, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py


@pytest.fixture(scope="module")
def mover(server: str) -> int:
    from minsheng.auth.users import create_user
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from tests.pensions.transfer_kit import balance, employee_history, person

    by = system("test")
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "tr.lhasa", PASSWORD, "caseworker", "540100")
        create_user(s, by, "tr.shigatse", PASSWORD, "caseworker", "540200")
        pid = person(s, 71)
        employee_history(s, pid, "540202", 30, 650_000)
        balance(s, pid, "employee_pension", 2_345_600)
        s.commit()
    return pid


def _fits(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)


def test_open_and_step_a_transfer_on_a_phone_in_chinese_and_tibetan(
    server: str, browser: Any, mover: int
) -> None:
    today = dt.date.today().isoformat()
    lhasa = _context(browser, server, "zh")
    page = lhasa.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "tr.lhasa")
    page.goto(server + f"/pensions/persons/{mover}")
    page.click("#transfer-link")
    page.wait_for_load_state()
    assert page.input_value("#transfer-p1_place") == "540202"
    assert page.input_value("#transfer-account_balance") == "23456.00"
    _fits(page, "transfer-open-zh")
    page.click("#transfer-open-form button[type=submit]")  # the hukou is missing
    page.wait_for_load_state()
    assert page.locator("#transfer-hukou-error").is_visible()
    assert page.input_value("#transfer-p1_place") == "540202"  # kept as typed
    page.fill("#transfer-hukou", "540102")
    page.click("#transfer-open-form button[type=submit]")
    page.wait_for_load_state()
    assert "/pensions/transfer-cases/" in page.url
    url = page.url
    assert page.locator(".flash, [role=status]").count() >= 1
    assert page.locator("#step-confirm-form").count() == 0  # Shigatse's step
    _fits(page, "transfer-case-zh")
    lhasa.close()

    shigatse = _context(browser, server, "bo")
    page = shigatse.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "tr.shigatse")
    page.goto(server + "/pensions/transfer-cases")
    assert page.locator("html").get_attribute("lang") == "bo"
    _fits(page, "transfer-queue-bo")
    page.goto(url)
    _fits(page, "transfer-case-bo")
    for action in ("confirm", "send"):
        page.fill(f"#step-{action}-day", today)
        page.click(f"#step-{action}-form button[type=submit]")
        page.wait_for_load_state()
        assert page.url == url
    assert page.locator("#step-receive-form").count() == 0  # Lhasa's step
    _fits(page, "transfer-sent-bo")
    shigatse.close()

    lhasa = _context(browser, server, "zh")
    page = lhasa.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "tr.lhasa")
    page.goto(url)
    page.click("#step-receive-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#transfer-credited") == "¥23456.00"
    assert page.locator(".step-form").count() == 0
    _fits(page, "transfer-done-zh")
    lhasa.close()
