"""The employer desk in headless Chromium on a 375-px phone: a recruiter posts a vacancy
below the minimum wage with a deposit asked, sees each reason under its field with the form
kept, corrects it and publishes; records a hire; the desk in Tibetan; no page scrolls
sideways. Screenshots go to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PASSWORD, PHONE, SHOTS, _context, _sign_in, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py


@pytest.fixture(scope="module")
def desk(server: str) -> dict[str, Any]:
    from minsheng.auth.models import EmployerUser
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from tests.employment.vacancy_kit import BY, employer, person

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        firm = employer(s, ids.make_credit_code("540102", 761), name="拉萨浏览器测试酒店")
        user = create_user(s, BY, "em.recruiter", PASSWORD, "employer", "540100")
        s.add(EmployerUser(user_id=user.id, employer_id=firm))
        _, number = person(s, 71)
        s.commit()
        return {"number": number}


def _fits(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)


def test_a_recruiter_posts_and_hires_on_a_phone(
    server: str, browser: Any, desk: dict[str, Any]
) -> None:
    zh = _context(browser, server, "zh")
    page = zh.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "em.recruiter")
    page.goto(server + "/employment/employer")
    _fits(page, "em-employer-desk-zh")
    closing = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    page.fill("#em-vacancy-title", "浏览器测试前台接待")
    page.select_option("#em-vacancy-occupation", "4")
    page.fill("#em-vacancy-count", "2")
    page.fill("#em-vacancy-wage_min", "2099.99")
    page.fill("#em-vacancy-wage_max", "3000")
    page.fill("#em-vacancy-requirements", "入职交押金300元")
    page.fill("#em-vacancy-closing_on", closing)
    page.click("#new-vacancy button[value=publish_new]")
    page.wait_for_load_state()
    assert page.locator("#em-vacancy-wage_min-error").is_visible()
    assert "最低工资" in page.locator("#em-vacancy-wage_min-error").inner_text()
    assert page.locator("#em-vacancy-requirements-error").is_visible()
    assert page.input_value("#em-vacancy-title") == "浏览器测试前台接待"  # kept as typed
    _fits(page, "em-vacancy-refused-zh")
    page.fill("#em-vacancy-wage_min", "2100")
    page.fill("#em-vacancy-requirements", "能倒班")
    page.click("#new-vacancy button[value=publish_new]")
    page.wait_for_load_state()
    assert page.url.endswith("/employment/employer")
    assert page.locator("[role=status]").count() >= 1
    assert "浏览器测试前台接待" in page.locator("#vacancies").inner_text()
    page.fill("#em-hire-id_number", desk["number"])
    page.select_option("#em-hire-vacancy_id", label="浏览器测试前台接待")
    page.click("#new-hire button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/employment/employer")
    assert "1 / 2" in page.locator("#vacancies").inner_text()
    _fits(page, "em-employer-hired-zh")
    bo = _context(browser, server, "bo")
    tib = bo.new_page()
    _sign_in(tib, server, "em.recruiter")
    tib.goto(server + "/employment/employer")
    assert tib.locator("html").get_attribute("lang") == "bo"
    _fits(tib, "em-employer-desk-bo")
