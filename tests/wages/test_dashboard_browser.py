"""The warning queue and the dashboard in headless Chromium on a 375-px phone, in Chinese and
Tibetan (issue 13 points 6 and 9): a Lhasa supervisor filters the queue to red, rectifies a
warning with a reason (refused first without one, the form kept), and reads the dashboard with
its charts; no page scrolls sideways. Screenshots go to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PASSWORD, PHONE, SHOTS, _context, _sign_in, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]


@pytest.fixture(scope="module")
def world(server: str) -> int:
    from sqlalchemy import select

    from minsheng.auth.users import create_user
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.wages import monitoring
    from minsheng.wages.warning_models import WgWarning
    from tests.wages import warning_world as ww

    by = system("test")
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "wg.lhasa", PASSWORD, "supervisor", "540100")
        p, team, _ = ww.project(
            s,
            "拉萨市城关区保障性住房建设项目（二期）",
            signed=dt.date(2026, 1, 1),
            start=dt.date(2026, 1, 5),
        )
        w = ww.worker(s, p, team, entry=dt.date(2026, 1, 5))
        today = dt.date.today()
        month = f"{today.year:04d}-{today.month:02d}"
        ww.attend(s, w, ww.days(month, 1))
        for _ in range(3):
            ww.complaint(s, p, today)
        ww.clean(s, "拉萨清洁工地")
        monitoring.scan(s, today, by)
        wid = s.scalar(
            select(WgWarning.id).where(
                WgWarning.project_id == p.id, WgWarning.cause == "account_missing"
            )
        )
        s.commit()
    assert wid is not None
    return wid


def _fits(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)


def test_queue_and_dashboard_on_a_phone(server: str, browser: Any, world: int) -> None:
    zh = _context(browser, server, "zh")
    page = zh.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "wg.lhasa")
    page.goto(server + "/wages/warnings")
    assert page.locator("html").get_attribute("lang") in ("zh", "zh-CN")
    _fits(page, "wages-warnings-zh")
    page.select_option("#warning-filters select[name=level]", "red")
    page.click("#warning-filters button[type=submit]")
    page.wait_for_load_state()
    assert "level=red" in page.url
    assert page.locator("#warnings tbody tr").count() >= 1
    assert page.locator("#warnings tbody tr:not(.level-red)").count() == 0
    form = f"form[action='/wages/warnings/{world}']"
    page.select_option(f"{form} select[name=action]", "rectify")
    page.click(f"{form} button[type=submit]")  # no reason: refused, the form kept
    page.wait_for_load_state()
    assert page.locator(f"#w{world}-reason-error").is_visible()
    assert page.input_value(f"#w{world}-action") == "rectify"
    _fits(page, "wages-warnings-refused-zh")
    page.fill(f"#w{world}-reason", "已开设专用账户并备案")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").count() >= 1
    assert page.locator(form).count() == 0  # closed: no longer in the queue
    page.goto(server + "/wages/dashboard")
    assert page.locator("#chart-levels rect").count() == 3
    zero, total = (int(x) for x in page.inner_text("#zero-arrears").split("/"))
    assert 1 <= zero <= total
    _fits(page, "wages-dashboard-zh")
    zh.close()

    bo = _context(browser, server, "bo")
    page = bo.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "wg.lhasa")
    page.goto(server + "/wages/warnings")
    assert page.locator("html").get_attribute("lang") == "bo"
    assert "ཉེན་བརྡ" in page.inner_text("h1")
    _fits(page, "wages-warnings-bo")
    page.goto(server + "/wages/dashboard")
    assert "ལོ་གསར" in page.inner_text("#dashboard-figures")
    _fits(page, "wages-dashboard-bo")
    bo.close()
