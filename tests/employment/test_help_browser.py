"""The help queue and a plan in headless Chromium on a 375-px phone, in Chinese and Tibetan: a
Lhasa caseworker opens the queue, the plan, logs a contact (refused first without a note, the
typed next step kept), delivers a training offer; no page scrolls sideways. Screenshots go to
``/tmp/shots/``."""

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
    from minsheng.employment.help_models import EmHelpPlan
    from minsheng.employment.help_refresh import refresh
    from tests.employment import help_kit as k

    today = dt.date.today()
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, k.BY, "help.lhasa", PASSWORD, "caseworker", "540100")
        pid = k.person(
            s, 321, sex="F", birth=dt.date(1979, 7, 7), name="央金卓玛（城关区纳金乡塔玛村）"
        )
        k.status(s, pid, "disability")
        k.seeker(s, pid, today - dt.timedelta(days=400))
        refresh(s, today, k.BY)
        plan = s.scalar(select(EmHelpPlan.id).where(EmHelpPlan.person_id == pid))
        s.commit()
    assert plan is not None
    return plan


def _fits(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)


def test_queue_and_plan_on_a_phone(server: str, browser: Any, world: int) -> None:
    zh = _context(browser, server, "zh")
    page = zh.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "help.lhasa")
    page.goto(server + "/employment/help")
    assert page.locator(f"#plan-{world}").count() == 1
    _fits(page, "employment-help-queue-zh")
    page.click(f"#plan-{world} a")
    page.wait_for_load_state()
    assert page.url.endswith(f"/employment/help/{world}")
    assert "残疾人" in page.inner_text("#plan-categories")
    assert "长期失业人员" in page.inner_text("#plan-categories")
    _fits(page, "employment-help-plan-zh")
    page.select_option("#help-contact-channel", "visit")
    page.fill("#help-contact-next_step", "推荐保洁岗位")
    page.click("#contact-form button[type=submit]")  # no note: refused, the form kept
    page.wait_for_load_state()
    assert page.locator("#help-contact-note-error").is_visible()
    assert page.input_value("#help-contact-next_step") == "推荐保洁岗位"
    _fits(page, "employment-help-refused-zh")
    page.fill("#help-contact-note", "入户走访，本人愿意参加家政培训")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").count() >= 1
    assert "入户走访" in page.inner_text("#plan-contacts")
    page.select_option("#help-offer-kind", "training_offer")
    page.fill("#help-offer-text", "家政服务员培训班（城关区）")
    page.click("#offer-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#plan-services tbody tr").count() == 1
    _fits(page, "employment-help-served-zh")
    bo = _context(browser, server, "bo")
    tib = bo.new_page()
    _sign_in(tib, server, "help.lhasa")
    tib.goto(server + f"/employment/help/{world}")
    assert tib.locator("html").get_attribute("lang") == "bo"
    _fits(tib, "employment-help-plan-bo")
    tib.goto(server + "/employment/statistics")
    _fits(tib, "employment-statistics-bo")
