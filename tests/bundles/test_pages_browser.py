"""The bundle pages in headless Chromium on a 375 × 740 phone: the caseworker's retirement
bundle (find the person, start it with the one form, every part done) in zh, and a citizen's
card application in Tibetan (start it on /me/bundles, its state shown); no page scrolls
sideways. Screenshots go to ``/tmp/shots/`` (and ``tests/artifacts/``)."""

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


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """A caseworker, a worker of retirement age in the employee schemes, and a resident with
    a phone (to sign in) and no card, in the browser's database."""
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn
    from tests.bundles.kit import employer, retiring

    by = system("test")
    code = ids.make_credit_code("540102", 61)
    born = dt.date(1964, 5, 10)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "bd.cw", PASSWORD, "caseworker", "540100")
        employer(s, code)
        retiree = retiring(s, 81, born=born, code=code)
        number = ids.make_resident_id("540102", dt.date(1988, 8, 8), 82)
        p = registry.create_person(
            s,
            PersonIn(
                id_number=number,
                name_zh="次仁申卡",
                name_bo="ཚེ་རིང་།",
                hukou="rural",
                phone="13908905682",
            ),
            by,
        )
        s.commit()
        return {
            "retiree": retiree,
            "retiree_number": ids.make_resident_id("540102", born, 81),
            "person": p.id,
            "number": number,
        }


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width, _too_wide(page))


def test_the_caseworkers_retirement_bundle_on_a_phone(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "zh")
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "bd.cw")
    page.goto(server + "/bundles")
    _fits(page)
    page.fill("#id_number", people["retiree_number"])
    page.click("#find-form button[type=submit]")
    assert page.url.endswith(f"/bundles/persons/{people['retiree']}")
    _fits(page)
    page.click("#retirement-submit")
    assert "/bundles/" in page.url and "/persons/" not in page.url
    assert page.locator("#bundle-state").get_attribute("data-state") == "done"
    states = page.locator("#parts tbody tr").evaluate_all(
        "rows => rows.map(r => [r.id, r.dataset.state])"
    )
    assert states == [
        ["part-pension", "done"],
        ["part-contributions", "done"],
        ["part-medical", "done"],
    ]
    assert page.locator("[role=status]").count() == 1  # the one-time message
    _fits(page)
    page.screenshot(path=str(SHOTS / "bundle-retirement-zh.png"), full_page=True)
    context.close()


def test_a_citizens_card_application_on_a_phone_in_tibetan(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _citizen(page, server, people)
    page.goto(server + "/me/bundles")
    assert page.locator("html").get_attribute("lang") == "bo"
    assert page.locator("#no-bundles").count() == 1
    _fits(page)
    page.click("#card-submit")
    assert "/me/bundles/" in page.url
    assert page.locator("#bundle-state").get_attribute("data-state") == "done"
    assert page.locator("#part-card").get_attribute("data-state") == "done"
    _fits(page)
    for where in (SHOTS, ARTIFACTS):
        page.screenshot(path=str(where / "bundle-card-bo.png"), full_page=True)
    page.goto(server + "/me/bundles")
    assert page.locator("#bundles tbody tr").count() == 1
    _fits(page)
    context.close()
