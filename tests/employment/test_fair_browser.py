"""The job fairs' pages in headless Chromium on a 375 × 740 phone: the organiser's booth plan
(a grid of booths, moving an employer to a free booth by hand) and the seeker's fair pages (the
fairs coming up, the QR pass, the recommended booths) fit the screen in zh, bo and en. A
screenshot of the seeker's fair page goes to ``/tmp/shots/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PHONE, SHOTS, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(scope="module")
def fair_site(server: str) -> dict[str, Any]:
    """An allocated Lhasa fair with three exhibitors, an organiser, and a seeker with a phone."""
    from minsheng.auth.users import create_user
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.employment import fair_booths, fairs, seeker_filing
    from minsheng.registry import service as registry
    from minsheng.registry.models import Person
    from minsheng.registry.schemas import PersonPatch
    from tests.employment import fair_kit as k

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        f = k.fair(s, name="拉萨市高校毕业生专场招聘会", theme="graduates")
        fairs.open_applications(s, f.id, k.BY)
        for occ in (("4-03",), ("2-02", "2-02"), ("6-01",)):
            k.exhibitor(s, f, occ)
        fair_booths.allocate(s, f.id, k.BY)
        create_user(s, k.BY, "fair.browser.organiser", PASSWORD, "caseworker", "540100")
        pid, number = k.person(s)
        registry.update_person(s, pid, PersonPatch(phone=f"1390891{pid:04d}"), k.BY)
        seeker = seeker_filing.register_by_id(s, number, k.BY, k.TODAY)
        seeker.occupations = '["4-03"]'
        s.commit()
        p = s.get(Person, pid)
        assert p is not None
    return {"fair": f.id, "person": pid, "number": number}


def _organiser(page: Any, server: str) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/login")
    page.fill("#username", "fair.browser.organiser")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    assert "/login" not in page.url, page.url


def _seeker(page: Any, server: str, site: dict[str, Any]) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/citizen/login")
    page.fill("#id_number", site["number"])
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[site["person"]])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_the_booth_plan_and_the_seekers_fair_fit_a_phone(
    server: str, browser: Any, fair_site: dict[str, Any], lang: str
) -> None:
    wide: dict[str, Any] = {}
    fid = fair_site["fair"]
    for who, paths in (
        ("organiser", ["/employment/fairs", f"/employment/fairs/{fid}"]),
        ("seeker", ["/me/jobs/fairs", f"/me/jobs/fairs/{fid}"]),
    ):
        context = _context(browser, server, lang)
        page = context.new_page()
        (_organiser(page, server) if who == "organiser" else _seeker(page, server, fair_site))
        for path in paths:
            page.goto(server + path)
            assert page.locator("main h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[f"{who} {path}"] = (width, _too_wide(page))
        context.close()
    assert not wide, wide


def test_the_organiser_moves_an_employer_and_the_seeker_sees_the_qr(
    server: str, browser: Any, fair_site: dict[str, Any]
) -> None:
    fid = fair_site["fair"]
    context = _context(browser, server, "zh")
    page = context.new_page()
    _organiser(page, server)
    page.goto(server + f"/employment/fairs/{fid}")
    a01 = page.locator("#booth-A01")
    employer = a01.locator(".employer").inner_text()
    assert a01.locator("select").count() == 1
    a01.locator("select").select_option(
        label=page.locator("#booth-A04 h3").inner_text().split()[0] + " · 5"
    )
    a01.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('[role="status"]').count() == 1
    assert page.locator("#booth-A04 .employer").inner_text() == employer
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _seeker(page, server, fair_site)
    page.goto(server + f"/me/jobs/fairs/{fid}")
    assert page.locator("#qr svg").is_visible()
    assert page.locator("#booths li").count() >= 1
    page.screenshot(path=str(SHOTS / "employment-fair-seeker-bo.png"), full_page=True)
    context.close()
