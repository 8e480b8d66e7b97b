"""The project desk in headless Chromium on a 375-px phone (issue 13 point 9): a contractor's
wage officer opens their project in Chinese, is refused an entry without a labour contract
(the message under the field, the form kept), records it with the contract, sees the worker
masked; the page and the list in Tibetan; no page scrolls sideways. Screenshots go to
``/tmp/shots/``."""

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
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.wages import projects
    from minsheng.wages.schemas import TeamIn
    from tests.wages.project_kit import BY, GENERAL, person, project_in

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        project = projects.file_project(
            s, project_in(name="拉萨浏览器测试工地"), BY, today=dt.date(2026, 11, 20)
        )
        team = projects.add_team(
            s, project.id, TeamIn(name="浏览器钢筋班组", credit_code=GENERAL), BY
        )
        user = create_user(s, BY, "wg.officer", PASSWORD, "contractor", "540100")
        s.add(EmployerUser(user_id=user.id, employer_id=projects.general_of(s, project.id).id))
        _, number = person(s, 61, name="旺堆")
        s.commit()
        return {"project": project.id, "team": team.id, "number": number}


def _fits(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)


def test_a_contractor_records_an_entry_on_a_phone(
    server: str, browser: Any, desk: dict[str, Any]
) -> None:
    zh = _context(browser, server, "zh")
    page = zh.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "wg.officer")
    page.goto(server + "/wages/projects")
    _fits(page, "wg-projects-zh")
    page.click(f"#project-{desk['project']} a")
    page.wait_for_load_state()
    assert "浏览器钢筋班组" in page.content()
    page.fill("#worker-id_number", desk["number"])
    page.fill("#worker-rate", "320")
    page.fill("#worker-contract_no", "")
    page.click("#entry-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#worker-contract_no-error").is_visible()
    assert "第二十八条" in page.locator("#worker-contract_no-error").inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'worker-contract_no'"
    )
    assert page.input_value("#worker-rate") == "320"  # kept as typed
    _fits(page, "wg-entry-refused-zh")
    page.fill("#worker-contract_no", "LD-2026-061")
    page.fill("#worker-contract_signed_on", "2026-03-01")
    page.fill("#worker-entry_on", "2026-03-02")
    page.click("#entry-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/wages/projects/{desk['project']}")
    assert page.locator("[role=status]").count() >= 1
    row = page.locator("#workers tbody tr").first
    assert "旺堆" in row.inner_text() and desk["number"] not in page.content()
    _fits(page, "wg-project-zh")
    zh.close()

    bo = _context(browser, server, "bo")
    page = bo.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "wg.officer")
    page.goto(server + f"/wages/projects/{desk['project']}")
    assert page.locator("html").get_attribute("lang") == "bo"
    assert page.locator("h1 [lang=zh-CN]").count() == 1  # the project's Chinese name marked
    _fits(page, "wg-project-bo")
    page.goto(server + "/wages/projects")
    _fits(page, "wg-projects-bo")
    bo.close()
