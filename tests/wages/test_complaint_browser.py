"""The complaint pages in headless Chromium on a 375 × 740 phone, in zh, bo and en: none
scrolls sideways; an anonymous worker reports from the phone and sees the code and PIN on the
screen, then follows the report with them. Screenshots of the Tibetan report go to /tmp/shots/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
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
PROJECT = "拉萨城关区欠薪测试工地"


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """An inspector of Lhasa, a Lhasa resident with a named complaint, a Lhasa project."""
    from minsheng.auth.users import create_user
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn
    from minsheng.wages import complaint_filing as filing
    from minsheng.wages.models import WgProject
    from tests.wages.complaint_kit import citizen

    by = system("test")
    number = ids.make_resident_id("540102", dt.date(1984, 4, 4), 81)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "wg.cw", PASSWORD, "caseworker", "540100")
        p = registry.create_person(
            s,
            PersonIn(id_number=number, name_zh="次仁欠薪", hukou="rural", phone="13908905671"),
            by,
        )
        project = WgProject(
            code="XM-BROWSER-C1",
            name=PROJECT,
            division_code="540102",
            contract_value=100_000_000,
            contract_signed_on=dt.date(2025, 1, 1),
            start_date=dt.date(2025, 2, 1),
            state="active",
        )
        s.add(project)
        s.flush()
        data = filing.ComplaintIn(facts="三个月工资未发，班组十二人。", project_id=project.id)
        c = filing.file_complaint(s, data, citizen(p.id), dt.date.today()).complaint
        s.commit()
        return {"person": p.id, "number": number, "complaint": c.id, "project": project.id}


def _fits(page: Any, wide: dict[str, Any], key: str) -> None:
    assert page.locator("main h1").count() == 1, key
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide[key] = (width, _too_wide(page))


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_the_complaint_pages_fit_a_phone(
    server: str, browser: Any, people: dict[str, Any], lang: str
) -> None:
    cid, wide = people["complaint"], {}
    context = _context(browser, server, lang)
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/wages/report?q=欠薪测试")
    _fits(page, wide, "anonymous report")
    page.fill("#facts", "ཟླ་བ་གསུམ་གྱི་གླ་ཕོགས་མ་སྤྲད། 三个月没发工资")
    page.click("#report-button")
    _fits(page, wide, "anonymous filed")
    code = page.locator("#code").inner_text()
    pin = page.locator("#pin").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code) and re.fullmatch(r"\d{6}", pin)
    box = page.locator("#pin").bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]
    if lang == "bo":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "wages-complaint-filed-bo.png"), full_page=True)
    page.goto(server + "/wages/report/follow-up")
    page.fill("#code", code)
    page.fill("#pin", pin)
    page.click("main button[type=submit]")
    assert page.locator("#complaint .state").count() == 1
    _fits(page, wide, "follow-up")
    page.goto(server + "/wages/report")
    page.click("#report-button")  # nothing typed: the errors by their fields
    _fits(page, wide, "refused report")
    context.close()
    context = _context(browser, server, lang)
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _citizen(page, server, people)
    for path in ("/me/wages/complaints", f"/me/wages/complaints/{cid}"):
        page.goto(server + path)
        _fits(page, wide, f"citizen {path}")
    context.close()
    context = _context(browser, server, lang)
    page = context.new_page()
    _sign_in(page, server, "wg.cw")
    for path in ("/wages/complaints", f"/wages/complaints/{cid}", "/wages/complaints/kpis"):
        page.goto(server + path)
        _fits(page, wide, f"inspector {path}")
    assert page.locator("#kpi-540102").count() == 1
    context.close()
    assert not wide, wide
