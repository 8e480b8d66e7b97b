"""The public job search and the recommendations page in headless Chromium on a 375 × 740
phone, in zh, bo and en: nothing scrolls sideways; a search by a Chinese word and by a Tibetan
syllable finds the posting; a signed-in seeker sees their recommendations with the reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.test_browser import BROWSER_APP, BROWSER_DB, browser, server
from tests.web.test_page_kit_browser import PHONE, SHOTS, _citizen, _context, _too_wide

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """A Lhasa hotel's published vacancy and a Lhasa seeker who fits it (a citizen)."""
    import json

    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.employment import search
    from minsheng.employment.seeker_models import EmSeeker
    from minsheng.employment.vacancy_models import EmVacancy
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.models import Employer
    from minsheng.registry.schemas import PersonIn

    by = system("test")
    today = dt.date.today()
    number = ids.make_resident_id("540102", dt.date(1996, 6, 6), 91)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        p = registry.create_person(
            s,
            PersonIn(id_number=number, name_zh="卓玛求职", hukou="rural", phone="13908905691"),
            by,
        )
        e = Employer(
            credit_code=ids.make_credit_code("540102", 891),
            name="拉萨布达拉宫旁雪域酒店有限责任公司",
            division_code="540102",
        )
        s.add(e)
        s.flush()
        v = EmVacancy(
            employer_id=e.id,
            division_code="540102",
            title="客房服务员（藏汉双语）",
            occupation="4-03",
            count=5,
            wage_min=450_000,
            wage_max=600_000,
            skills=json.dumps(["客房清洁", "ཇ་བཟོ"], ensure_ascii=False),
            languages=json.dumps(["bo", "zh"]),
            requirements="能用藏语和普通话接待客人，ཇ་བཟོ་ཤེས་དགོས།",
            closing_on=today + dt.timedelta(days=30),
            state="published",
            created_by="test",
        )
        seeker = EmSeeker(
            person_id=p.id,
            division_code="540102",
            education="senior",
            skills=json.dumps(["客房清洁"], ensure_ascii=False),
            occupations=json.dumps(["4-03"]),
            languages=json.dumps(["bo", "zh"]),
            wage_min=500_000,
            consent=True,
            confirmed_on=today,
            state="active",
        )
        s.add_all([v, seeker])
        s.flush()
        search.index_vacancy(s, v.id)
        s.commit()
        return {"person": p.id, "number": number, "vacancy": v.id}


def _fits(page: Any, wide: dict[str, Any], key: str) -> None:
    assert page.locator("main h1").count() == 1, key
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide[key] = (width, _too_wide(page))


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_jobs_and_recommendations_fit_a_phone(
    server: str, browser: Any, people: dict[str, Any], lang: str
) -> None:
    wide: dict[str, Any] = {}
    context = _context(browser, server, lang)
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    page.goto(server + "/jobs")
    _fits(page, wide, "jobs")
    page.fill("#q", "服务员")
    page.click("#job-search button[type=submit]")
    assert "客房服务员" in page.locator("#job-results").inner_text()
    _fits(page, wide, "jobs search zh")
    page.fill("#q", "ཇ་བཟོ")
    page.click("#job-search button[type=submit]")
    assert "客房服务员" in page.locator("#job-results").inner_text()
    page.fill("#q", "没有这种岗位")
    page.click("#job-search button[type=submit]")
    assert page.locator("#no-jobs").count() == 1
    if lang == "bo":
        page.goto(server + "/jobs?q=服务员")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "employment-jobs-bo.png"), full_page=True)
    context.close()
    context = _context(browser, server, lang)
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _citizen(page, server, people)
    page.goto(server + "/me/jobs/recommendations")
    _fits(page, wide, "recommendations")
    text = page.locator("#recommendations").inner_text()
    assert "客房服务员" in text and "客房清洁" in text
    context.close()
    assert not wide, wide
