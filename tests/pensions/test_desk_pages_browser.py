"""The pension desks' pages in headless Chromium: a caseworker records a home visit from the
queue; one supervisor runs the month's roll and a second issues it and downloads the bank file;
a claimant self-certifies on a 375-px phone in Tibetan and sees the status change; and none of
the new pages scrolls sideways on the phone in zh, bo or en. Screenshots go to ``/tmp/shots/``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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
TODAY = dt.date.today()
MONTH = f"{TODAY:%Y-%m}"


def _claimant(s: Any, seq: int, phone: str) -> tuple[Any, Any]:
    """A Lhasa resident of 66 with 15 years paid, a card with a bank account, an award and
    an open certification task due in 20 days."""
    from minsheng.cards import service as cards
    from minsheng.core import ids
    from minsheng.foundation.principals import system
    from minsheng.pensions import awards, enrolment
    from minsheng.pensions.models import PnAccount, PnCertification, PnContribution
    from minsheng.pensions.schemas import ClaimIn, EnrolIn
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import PersonIn
    from tests.pensions.award_kit import luhn_account

    by = system("test")
    number = ids.make_resident_id("540102", dt.date(1960, 3, 15), seq)
    p = registry.create_person(
        s,
        PersonIn(
            id_number=number, name_zh=f"认证{seq}", name_bo="བསྟན་འཛིན།", hukou="rural", phone=phone
        ),
        by,
    )
    e = enrolment.enrol(
        s, EnrolIn(person_id=p.id, scheme="resident_pension", start_date=dt.date(2015, 1, 1)), by
    )
    for year in range(2010, 2025):
        s.add(
            PnContribution(
                key=f"browser:{p.id}:{year}",
                person_id=p.id,
                enrolment_id=e.id,
                scheme="resident_pension",
                kind="regular",
                year=year,
                credit_year=year,
                individual=50000,
                employer=0,
                subsidy=6000,
                government_paid=False,
                paid_by="person",
                division_code="540102",
                recorded_by="test",
            )
        )
    s.add(PnAccount(person_id=p.id, scheme="resident_pension", balance=1_390_000))
    card = cards.apply(s, p.id, "540102", by, TODAY)
    for action in ("make", "issue", "activate_at_window"):
        cards.step(s, card.id, action, by, TODAY)
    cards.link_bank(s, card.id, "西藏银行", luhn_account(p.id + 500), by)
    s.flush()
    award = awards.claim(s, ClaimIn(person_id=p.id, scheme="resident_pension"), by, today=TODAY)
    award.last_certified_on = TODAY - dt.timedelta(days=345)  # a year ago, due soon
    award.certification_due = TODAY + dt.timedelta(days=20)
    task = PnCertification(
        award_id=award.id,
        open_key=award.id,
        division_code=award.division_code,
        state="open",
        opened_on=TODAY,
        due_on=TODAY + dt.timedelta(days=20),
    )
    s.add(task)
    s.flush()
    return {"person": p.id, "number": number, "award": award.id}, task.id


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    from minsheng.auth.users import create_user
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system

    by = system("test")
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        create_user(s, by, "pn.visitor", PASSWORD, "caseworker", "540100")
        create_user(s, by, "pn.maker", PASSWORD, "supervisor", "540100")
        create_user(s, by, "pn.checker", PASSWORD, "supervisor", "540100")
        visited, visit_task = _claimant(s, 61, "13908905611")
        selfie, self_task = _claimant(s, 62, "13908905622")
        s.commit()
    return {"visited": visited, "visit_task": visit_task, "self": selfie, "self_task": self_task}


def test_a_caseworker_records_a_home_visit_from_the_queue(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    context = _context(browser, server, "zh")
    page = context.new_page()
    _sign_in(page, server, "pn.visitor")
    page.goto(server + "/pensions/certification")
    card = page.locator(f"#task-{people['visit_task']}")
    assert card.is_visible()
    prefix = f"#visit-{people['visit_task']}"
    card.locator(f"{prefix}-outcome").select_option("certified")
    card.locator(f"{prefix}-note").fill("上门见到本人，精神良好")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/pensions/certification")
    assert page.locator(".flash, [role=status]").count() >= 1
    assert page.locator(f"#task-{people['visit_task']}").count() == 0  # done: off the queue
    page.goto(server + f"/pensions/persons/{people['visited']['person']}/award")
    assert TODAY.isoformat() in page.inner_text("#award")  # last certified today
    context.close()


def test_a_supervisor_runs_the_roll_and_another_issues_and_downloads_the_bank_file(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    maker = _context(browser, server, "en")
    page = maker.new_page()
    _sign_in(page, server, "pn.maker")
    page.goto(server + "/pensions/rolls")
    page.fill("#roll-month", MONTH)
    page.select_option("#roll-region", "540100")
    page.click("#roll-form button[type=submit]")
    page.wait_for_load_state()
    assert "/pensions/rolls/runs/" in page.url
    run_url = page.url
    assert page.locator("#issue").count() == 0  # the maker does not issue
    assert "another supervisor" in page.inner_text("#run-actions")
    assert int(page.inner_text("#run dd:nth-of-type(3)")) >= 2  # both claimants paid
    maker.close()
    checker = _context(browser, server, "en")
    page = checker.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _sign_in(page, server, "pn.checker")
    page.goto(run_url)
    page.click("#issue")
    page.wait_for_load_state()
    assert page.inner_text("#run-state") == "Issued"
    with page.expect_download() as got:
        page.click("#bank-file")
    path = got.value.path()
    assert path is not None
    body = Path(path).read_text(encoding="utf-8")
    assert body.startswith("MSBANK/1") and "城乡居民养老金" in body
    page.goto(server + "/pensions/rolls")  # running the month again shows the same run
    page.fill("#roll-month", MONTH)
    page.select_option("#roll-region", "540100")
    page.click("#roll-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == run_url
    checker.close()


def test_a_claimant_self_certifies_on_a_phone_in_tibetan(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, server, "bo")
    page = context.new_page()
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
    _citizen(page, server, people["self"])
    page.goto(server + "/me/pensions")
    state = page.inner_text("#certification-state")
    assert "ར་སྤྲོད་སྒུག་བཞིན།" in state  # the task's state, in Tibetan
    assert page.locator("html").get_attribute("lang") == "bo"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    before = page.inner_text("#last-certified")
    page.locator("#certify-button").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "pension-certify-bo.png"))
    page.click("#certify-button")
    page.wait_for_load_state()
    assert page.url.endswith("/me/pensions#certification")
    assert page.locator("#certify-button").count() == 0
    assert before == (TODAY - dt.timedelta(days=345)).isoformat()
    assert page.inner_text("#last-certified") == TODAY.isoformat()  # the status changed
    assert page.inner_text("#certify-by") > (TODAY + dt.timedelta(days=300)).isoformat()
    assert "ར་སྤྲོད་སྒུག་བཞིན།" not in page.inner_text("#certification-state")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "pension-certified-bo.png"))
    context.close()


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_the_new_pages_fit_a_375_px_phone(
    server: str, browser: Any, people: dict[str, Any], lang: str
) -> None:
    person = people["visited"]["person"]
    desks = {
        "pn.visitor": [
            "/pensions/certification",
            f"/pensions/persons/{person}/award",
            f"/pensions/persons/{person}",
            "/pensions/transfers",
            "/pensions/transfers?kind=employee&birth=1980-05&sex=male",  # refused: by its fields
        ],
        "pn.maker": ["/pensions/rolls", "/pensions/rolls/runs/1"],
        "citizen": ["/me/pensions"],
    }
    wide: dict[str, Any] = {}
    for who, paths in desks.items():
        context = _context(browser, server, lang)
        page = context.new_page()
        BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]
        if who == "citizen":
            _citizen(page, server, people["self"])
        else:
            _sign_in(page, server, who)
        for path in paths:
            page.goto(server + path)
            assert page.locator("main h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[f"{who} {path}"] = (width, _too_wide(page))
        context.close()
    assert not wide, wide
