"""``/me/training`` in headless Chromium on a 375 × 740 phone in Tibetan: the citizen signs in,
sees the course open near them, enrols with a tap, finds it under their courses and opens their
certificate — every page fits the screen. A screenshot goes to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PHONE, SHOTS, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]


@pytest.fixture(scope="module")
def training_site(server: str) -> dict[str, Any]:
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.employment import training
    from minsheng.employment.training_rules import session_days
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonPatch
    from tests.employment.training_kit import BY, attend, course, site

    today = dt.date.today()
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        k = site(s, 91, people=1)
        pid = k.persons[0]
        registry.update_person(s, pid, PersonPatch(phone=f"1390891{pid:04d}"), BY)
        start, end = today - dt.timedelta(days=40), today - dt.timedelta(days=26)
        done = course(s, "enrolling", starts_on=start, ends_on=end, name="电工培训班")
        e = training.enrol(s, done.id, BY, start, id_number=k.numbers[0])[0]
        training.advance(s, done.id, "running", BY, start)
        attend(s, done.id, [e.id], session_days(start, end))
        training.advance(s, done.id, "finished", BY, end)
        soon = today + dt.timedelta(days=10)
        open_ = course(
            s,
            "enrolling",
            starts_on=soon,
            ends_on=soon + dt.timedelta(days=30),
            name="川藏铁路订单式培训班",
            kind="order",
            employer_id=k.employer_id,
            hire_promised=20,
            capacity=30,
        )
        s.commit()
        return {"person": pid, "number": k.numbers[0], "open": open_.id, "cert": e.id}


def _sign_in(page: Any, server: str, site_: dict[str, Any]) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/citizen/login")
    page.fill("#id_number", site_["number"])
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[site_["person"]])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


def test_my_training_on_a_phone_in_tibetan(
    server: str, browser: Any, training_site: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _sign_in(page, server, training_site)
    page.goto(server + "/me/training")
    assert page.locator("html").get_attribute("lang") == "bo"
    wide: dict[str, Any] = {}

    def fits(where: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[where] = (width, _too_wide(page))

    fits("open")
    button = page.locator(f"#enrol-{training_site['open']}")
    assert button.is_visible()
    button.click()
    assert page.url.endswith("/me/training")
    assert page.locator(f"#enrol-{training_site['open']}").count() == 0
    assert page.locator("main").inner_text().count("川藏铁路订单式培训班") == 1  # under mine
    fits("enrolled")
    page.screenshot(path=str(SHOTS / "training-mine-bo.png"), full_page=True)
    page.click(f"#cert-{training_site['cert']}")
    assert page.locator("#certificate-no").inner_text().startswith("PX540102")
    fits("certificate")
    context.close()
    assert not wide, wide
