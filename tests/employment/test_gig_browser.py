"""The worker's gig page in headless Chromium on a 375 × 740 phone, in Tibetan: sign in, find
the gig of their county, apply in one tap, and — once the employer accepts — check in on the
day; the page and the public listing fit the screen. A screenshot goes to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PHONE, SHOTS, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]


@pytest.fixture(scope="module")
def gig_site(server: str) -> dict[str, Any]:
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.registry import service as registry
    from minsheng.registry.models import Person
    from minsheng.registry.schemas import PersonPatch
    from tests.employment import gig_kit as k

    today = dt.date.today()
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        r = k.recruiter(s)
        gig = k.post(s, r, title="ཞིང་ལས་རོགས་རམ། 青稞收割", starts_on=today, ends_on=today, slots=3)
        worker = k.person(s, dt.date(1961, 7, 17), name="卓玛", female=True)
        registry.update_person(s, worker.id, PersonPatch(phone="13908901777"), k.BY)
        p = s.get(Person, worker.id)
        assert p is not None
        number = p.id_number
        k.apply(s, gig, k.person(s, dt.date(1999, 2, 2), statuses=("dibao",)))  # another worker
        s.commit()
        return {"gig": gig.id, "person": worker.id, "number": number, "recruiter": r}


def _worker(page: Any, server: str, site: dict[str, Any]) -> None:
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/citizen/login")
    page.fill("#id_number", site["number"])
    page.click("main button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[site["person"]])  # type: ignore[attr-defined]
    page.click("main button[type=submit]")
    assert page.url.endswith("/me")


def test_a_worker_applies_and_checks_in_on_a_phone_in_tibetan(
    server: str, browser: Any, gig_site: dict[str, Any]
) -> None:
    from sqlalchemy import select

    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.employment import gig_applications as apps
    from minsheng.employment.gig_models import EmGigApplication

    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    _worker(page, server, gig_site)
    page.goto(server + "/me/gigs")
    assert page.locator("html").get_attribute("lang") == "bo"
    card = page.locator(f"#gig-{gig_site['gig']}")
    assert card.is_visible()
    card.locator("button.apply").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/gigs")
    assert page.locator('[role="status"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        aid = s.scalar(
            select(EmGigApplication.id).where(EmGigApplication.person_id == gig_site["person"])
        )
        assert aid is not None
        apps.step(s, aid, "accept", gig_site["recruiter"], dt.date.today())
        s.commit()
    page.goto(server + "/me/gigs")
    mine = page.locator(f"#application-{aid}")
    mine.locator("button", has_text="འབྱོར་ཐོ།").click()  # "check in"
    page.wait_for_load_state()
    assert "ལས་ལ་འབྱོར་ཟིན།" in page.locator(f"#application-{aid} .state").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)
    page.screenshot(path=str(SHOTS / "employment-gigs-bo.png"), full_page=True)
    page.goto(server + "/jobs/gigs")
    assert page.locator("main h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], _too_wide(page)
    context.close()


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_the_poster_desk_fits_a_phone(
    server: str, browser: Any, gig_site: dict[str, Any], lang: str
) -> None:
    from minsheng.auth.models import User
    from minsheng.db import make_engine, make_sessionmaker

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        user = s.get(User, gig_site["recruiter"].user_id)
        assert user is not None
        username = user.username
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    context = _context(browser, server, lang)
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", "correct-horse-1")
    page.click("main button[type=submit]")
    assert "/login" not in page.url, page.url
    for path in ("/employment/employer/gigs", f"/employment/employer/gigs/{gig_site['gig']}"):
        page.goto(server + path)
        assert page.locator("main h1").count() == 1, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, _too_wide(page))
    assert page.locator(".applicant .reasons").count() >= 1
    context.close()
