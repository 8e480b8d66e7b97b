"""The pay pages in headless Chromium on a 375 × 740 phone (issue 13, point 9): the worker's
"my pay" and pay slip with confirm / dispute, and the contractor's pay desk and sheet, fit the
screen in zh, bo and en; the worker disputes in Tibetan with the keyboard of a phone. A
screenshot of the slip in Tibetan goes to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.wages.pay_kit import PASSWORD
from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PHONE, SHOTS, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]
MONTH = "2026-10"


@pytest.fixture(scope="module")
def pay_site(server: str) -> dict[str, Any]:
    """A Lhasa site in the browser's database: the day worker (with a phone) has October's
    line, paid; the hour worker's line waits for confirmation."""
    from sqlalchemy import select

    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.registry import service as registry
    from minsheng.registry.models import Person
    from minsheng.registry.schemas import PersonPatch
    from minsheng.wages import pay, pay_run
    from minsheng.wages.pay_models import WgPayLine
    from tests.wages.pay_kit import BY, TODAY, funded, site, work

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        k = site(s, tag=90)
        work(s, k, "day", dt.date(2026, 10, 8), 600, 120)
        work(s, k, "hour", dt.date(2026, 10, 9), 480)
        funded(s, k, 1_000_000, ref="BROWSER-1")
        pay.build_month(s, k.project_id, MONTH, BY, TODAY)
        for key in ("day", "hour"):
            registry.update_person(
                s, k.persons[key], PersonPatch(phone=f"1390890{k.persons[key]:04d}"), BY
            )
        hour = s.scalar(select(WgPayLine.id).where(WgPayLine.worker_id == k.workers["hour"]))
        day = s.scalar(select(WgPayLine.id).where(WgPayLine.worker_id == k.workers["day"]))
        sheet = s.scalar(select(WgPayLine.sheet_id).where(WgPayLine.id == day))
        number = {}
        for key in ("day", "hour"):
            p = s.get(Person, k.persons[key])
            assert p is not None
            number[key] = p.id_number
        s.commit()
        # pay the day worker only: the hour worker disputes first
        pay.respond(s, hour, _citizen_principal(k.persons["hour"]), agree=False, note="试运行")
        pay_run.prepare(s, k.project_id, MONTH, BY, TODAY)
        line = s.get(WgPayLine, hour)
        assert line is not None
        line.confirmation = "pending"
        s.commit()
    return {
        "project": k.project_id,
        "people": {key: (k.persons[key], number[key]) for key in ("day", "hour")},
        "lines": {"day": day, "hour": hour},
        "sheet": sheet,
        "officer": k.makers[0].name,
    }


def _citizen_principal(person_id: int) -> Any:
    from minsheng.foundation.principals import Principal

    return Principal(kind="citizen", name="worker", person_id=person_id)


def _worker(page: Any, server: str, pay_site: dict[str, Any], key: str) -> None:
    person, number = pay_site["people"][key]
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/citizen/login")
    page.fill("#id_number", number)
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[person])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


def _officer(page: Any, server: str, username: str) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    assert "/login" not in page.url, page.url


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_the_pay_pages_fit_a_375_px_phone(
    server: str, browser: Any, pay_site: dict[str, Any], lang: str
) -> None:
    wide: dict[str, Any] = {}
    lines = pay_site["lines"]
    desks = {
        "day": ["/me/wages/pay", f"/me/wages/pay/{lines['day']}"],
        "hour": [f"/me/wages/pay/{lines['hour']}"],
        "officer": [
            f"/wages/projects/{pay_site['project']}/pay",
            f"/wages/pay/sheets/{pay_site['sheet']}",
            f"/wages/pay/lines/{lines['day']}/slip",
        ],
    }
    for who, paths in desks.items():
        context = _context(browser, server, lang)
        page = context.new_page()
        if who == "officer":
            _officer(page, server, pay_site["officer"])
        else:
            _worker(page, server, pay_site, who)
        for path in paths:
            page.goto(server + path)
            assert page.locator("html").get_attribute("lang") == {"zh": "zh-CN"}.get(lang, lang)
            assert page.locator("main h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[f"{who} {path}"] = (width, _too_wide(page))
        context.close()
    assert not wide, wide


def test_a_worker_disputes_and_confirms_on_the_phone_in_tibetan(
    server: str, browser: Any, pay_site: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _worker(page, server, pay_site, "hour")
    line = pay_site["lines"]["hour"]
    page.goto(server + f"/me/wages/pay/{line}")
    assert page.locator("#response-form").is_visible()
    page.click("#dispute")  # no reason: the note is marked and focused
    page.wait_for_load_state()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'note'")
    assert page.locator("#note").get_attribute("aria-invalid") == "true"
    page.fill("#note", "ཉིན་གྲངས་ཉུང་དྲགས་འདུག")  # "too few days"
    page.click("#dispute")
    page.wait_for_load_state()
    assert page.url.endswith(f"/me/wages/pay/{line}")
    assert page.locator('[role="status"]').count() == 1
    page.screenshot(path=str(SHOTS / "wages-pay-slip-bo.png"), full_page=True)
    page.click("#confirm")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
