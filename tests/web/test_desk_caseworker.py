"""The caseworker's day in a real browser (Chromium), in Chinese and in Tibetan: find a person,
register a walk-in applicant, open an application, take it through, see a refused step
explained with its date, print the public notice, page the queue and handle a warning, export
the queue as CSV — and the citizen's own page on a phone. axe-core finds no violation on any
of the desk's pages in zh, bo or en. Screenshots: ``tests/artifacts/caseworker-*.png``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.web.a11y import in_view, violations
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

__all__ = ["browser", "server"]  # the shared module-scoped fixtures

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-1"
DESK = {"width": 1280, "height": 860}


def _db() -> Any:
    from minsheng.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(BROWSER_DB[0]))


def _users(*names: str) -> None:
    from minsheng.auth import users
    from minsheng.foundation.principals import system

    with _db()() as s:
        for name in names:
            users.create_user(s, system("test"), name, PASSWORD, "caseworker", "540100")
        s.commit()


def _sign_in(browser: Any, server: str, user: str, lang: str, nxt: str) -> Any:
    context = browser.new_context(locale="zh-CN" if lang == "zh" else lang, viewport=DESK)
    context.add_cookies([{"name": "lang", "value": lang, "url": server}])
    page = context.new_page()
    page.goto(server + f"/login?next={nxt}")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith(nxt), page.url
    return page


def _clean(page: Any) -> None:
    found = violations(page)
    assert found == [], found


def _shot(page: Any, what: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"caseworker-{what}.png"), full_page=True)


def _add_warnings(household_id: int, n: int) -> None:
    from minsheng.assistance.models import Warning

    today = dt.date.today()
    with _db()() as s:
        for i in range(n):
            s.add(
                Warning(
                    household_id=household_id,
                    division_code="540102",
                    cause="review_due",
                    cause_key=f"desk{household_id}-{i}",
                    open_key=f"desk{household_id}-{i}",
                    state="new",
                    raised_on=today,
                    deadline=today - dt.timedelta(days=400 - i),  # first in the queue
                )
            )
        s.commit()


def _open_warnings_in_lhasa() -> int:
    from sqlalchemy import func, select

    from minsheng.assistance import monitoring
    from minsheng.assistance.models import Warning
    from minsheng.core import divisions

    lhasa = [c.code for c in divisions.counties("540100")] + ["540100"]
    with _db()() as s:
        return (
            s.scalar(
                select(func.count(Warning.id)).where(
                    Warning.state.in_(monitoring.OPEN), Warning.division_code.in_(lhasa)
                )
            )
            or 0
        )


def _household_of(name: str) -> int:
    from sqlalchemy import select

    from minsheng.registry.models import Person

    with _db()() as s:
        hid = s.scalars(select(Person.household_id).where(Person.name_zh == name)).one()
        assert hid is not None
        return int(hid)


def test_the_caseworkers_day_in_chinese(server: str, browser: Any, tmp_path: Path) -> None:
    from minsheng.core import ids

    _users("desk.cw1", "desk.cw2")
    page = _sign_in(browser, server, "desk.cw1", "zh", "/assistance")
    _clean(page)
    _shot(page, "queue-zh")

    # find: nobody by this name yet → the walk-in path, the name carried over
    page.fill("#find-q", "走访测试")
    page.click(".desk-find button")
    assert "您的管辖区域内没有符合条件的人员" in page.locator("#nobody").inner_text()
    _clean(page)
    page.click("#nobody a")
    assert page.locator("#reg-name_zh").input_value() == "走访测试"

    # a mistyped ID number: the error next to the field, in view, what was typed kept
    good = ids.make_resident_id("540102", dt.date(1984, 8, 1), 61)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.fill("#reg-id_number", bad)
    page.fill("#reg-name_bo", "ཞིབ་བཤེར།")
    page.fill("#reg-phone", "13908906161")
    page.select_option("#reg-division_code", "540102")
    page.fill("#reg-household_code", "DESK-ZH-1")
    page.select_option("#reg-area", "urban")
    page.click("#register-form button[type=submit]")
    error = page.locator("#reg-id_number-error")
    assert "校验位不正确" in error.inner_text()
    assert in_view(page, "#reg-id_number-error")
    assert page.locator("#reg-household_code").input_value() == "DESK-ZH-1"
    assert page.locator("#reg-name_zh").input_value() == "走访测试"
    _clean(page)
    _shot(page, "register-error-zh")
    page.fill("#reg-id_number", good)
    page.click("#register-form button[type=submit]")
    assert "/assistance/households/" in page.url
    assert "人员已登记" in page.locator(".flash").inner_text()
    assert good not in page.content()  # masked on the household page
    household_url = page.url
    page.reload()  # post–redirect–get: a reload shows the page, posts nothing, no message twice
    assert page.locator(".flash").count() == 0

    # the person is found now, by name and by the household code
    page.goto(server + "/assistance/find?q=DESK-ZH-1")
    assert "走访测试" in page.locator("#found").inner_text()
    _clean(page)
    _shot(page, "find-zh")

    # an absurd income: refused next to the amount, the amount kept
    page.goto(household_url)
    page.fill("#income-form input[name=amount]", "9999999999")
    page.click("#income-form button")
    assert page.locator("#income-amount-error").is_visible()
    assert in_view(page, "#income-amount-error")
    assert page.locator("#income-amount").input_value() == "9999999999"
    _shot(page, "income-refused-zh")

    # open the application, check it and publish the notice
    page.goto(household_url)
    page.select_option("#apply-form select[name=programme]", "dibao")
    page.click("#apply-form button")
    assert page.locator(".flash").count() == 1
    for action in ("check", "notice"):
        page.select_option("section.case select[name=action]", action)
        page.click("section.case form button")
        assert page.locator(".flash").count() == 1  # every step says it was done
    case = page.locator("section.case").first
    assert "公示中" in case.inner_text()
    # the checker may not approve: said in words, not offered
    options = case.locator("select[name=action] option").all_inner_texts()
    assert "确认" not in options and "不予确认" in options
    assert "不能再由您审批确认" in case.locator(".held-steps").inner_text()
    _clean(page)
    page.context.close()

    # another caseworker: approval waits for the notice's last day, said with the date
    page = _sign_in(browser, server, "desk.cw2", "zh", household_url.removeprefix(server))
    case = page.locator("section.case").first
    held = case.locator(".held-steps").inner_text()
    assert "公示期至" in held and "期满后方可确认" in held
    assert "确认" not in case.locator("select[name=action] option").all_inner_texts()
    _shot(page, "household-zh")

    # the public notice, printed
    page.click("section.case a.print-link")
    assert "公示" in page.locator("#letter h1").inner_text()
    assert "走访测试" in page.locator("#letter").inner_text()
    _clean(page)
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator(".desk-nav").is_visible()
    assert page.locator("#letter").is_visible()
    page.screenshot(path=str(ARTIFACTS / "caseworker-notice-print-zh.png"), full_page=True)
    page.emulate_media(media="screen")

    # the queue: every open warning on some page, the total shown
    _add_warnings(_household_of("走访测试"), 30)
    total = _open_warnings_in_lhasa()
    page.goto(server + "/assistance")
    shown = page.locator("nav.pager").last.locator(".count").inner_text()
    assert str(total) in shown and "25" in shown, shown
    assert f"({total})" in page.locator("#warnings-title").inner_text()
    assert page.locator("#warnings tbody tr").count() == min(total, 25)
    page.locator("nav.pager a[rel=next]").last.click()
    assert "wpage=2" in page.url
    assert page.locator("#warnings tbody tr").count() == min(total - 25, 25)

    # closing a warning without an outcome: the error next to its field, in view
    row = page.locator("#warnings tbody tr").first
    row_id = row.get_attribute("id")
    row.locator("select[name=state]").select_option("no_action")
    row.locator("button").click()
    reason_error = page.locator(f"#{row_id}-reason-error")
    assert "办结预警请填写处理情况" in reason_error.inner_text()
    assert in_view(page, f"#{row_id}-reason-error")
    assert "wpage" in page.content()  # the form remembers its page
    _shot(page, "warning-refused-zh")
    row = page.locator(f"#{row_id}")
    row.locator("select[name=state]").select_option("no_action")
    row.locator("input[name=reason]").fill("已入户核实，无需救助")
    row.locator("button").click()
    assert page.locator(".flash").count() == 1
    assert "wpage=2" in page.url  # back on the page it was handled from
    assert page.locator(f"#{row_id}").count() == 0  # closed: no longer in the queue

    # the queue as CSV, filtered as on the page
    page.goto(server + "/assistance?programme=dibao")
    _clean(page)
    with page.expect_download() as download:
        page.click("#queue-csv")
    path = tmp_path / "queue.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcase_id,programme,")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) >= 2 and all(",dibao," in line for line in lines[1:])
    page.context.close()


def test_the_caseworkers_day_in_tibetan(server: str, browser: Any) -> None:
    from minsheng.core import ids

    _users("desk.bo1")
    page = _sign_in(browser, server, "desk.bo1", "bo", "/assistance")
    assert page.locator("html").get_attribute("lang") == "bo"
    _clean(page)
    _shot(page, "queue-bo")

    page.goto(server + "/assistance/register")
    number = ids.make_resident_id("540102", dt.date(1991, 9, 9), 62)
    page.fill("#reg-id_number", number)
    page.fill("#reg-name_zh", "藏文测试")
    page.fill("#reg-name_bo", "བོད་ཡིག་ཚོད་ལྟ།")
    page.fill("#reg-phone", "13908906262")
    page.select_option("#reg-division_code", "540102")
    page.fill("#reg-household_code", "DESK-BO-1")
    page.select_option("#reg-area", "")  # a new household without its area: refused
    page.click("#register-form button[type=submit]")
    error = page.locator("#reg-area-error")
    assert error.locator("[lang=bo]").count() == 1  # the message in the page's language
    assert in_view(page, "#reg-area-error")
    assert page.locator("#reg-name_bo").input_value() == "བོད་ཡིག་ཚོད་ལྟ།"
    _clean(page)
    _shot(page, "register-error-bo")
    page.select_option("#reg-area", "urban")
    page.click("#register-form button[type=submit]")
    assert "མི་ཐོ་འགོད་ཟིན" in page.locator(".flash").inner_text()
    # the Tibetan name in the Tibetan view
    assert "བོད་ཡིག་ཚོད་ལྟ།" in page.locator("#members").inner_text()
    household_url = page.url

    page.goto(server + "/assistance/find?q=" + "ཚོད་ལྟ")
    assert "བོད་ཡིག་ཚོད་ལྟ།" in page.locator("#found").inner_text()
    _clean(page)
    _shot(page, "find-bo")

    # temporary assistance: a one-off amount, no monthly amount
    page.goto(household_url)
    page.select_option("#apply-form select[name=programme]", "temporary")
    page.fill("#apply-form input[name=requested]", "800")
    page.click("#apply-form button")
    case = page.locator("section.case").first
    assert "ཐེངས་གཅིག་གི་དངུལ་འབོར།" in case.inner_text()
    page.select_option("section.case select[name=action]", "reject")
    page.click("section.case form button")  # a rejection without a reason: refused
    assert page.locator("section.case .field-error").count() >= 1
    assert in_view(page, "section.case .field-error")
    _clean(page)
    _shot(page, "household-bo")

    page.click("section.case a.print-link")
    _clean(page)
    _shot(page, "letter-bo")
    page.context.close()


def test_the_desks_pages_in_english_have_no_accessibility_violations(
    server: str, browser: Any
) -> None:
    _users("desk.en1")
    page = _sign_in(browser, server, "desk.en1", "en", "/assistance")
    _clean(page)
    for path in ("/assistance/find?q=DESK", "/assistance/register", "/assistance?due=overdue"):
        page.goto(server + path)
        _clean(page)
    page.goto(server + "/assistance/find?q=DESK-ZH-1")
    if page.locator("#found a").count():
        page.locator("#found a").first.click()
        _clean(page)
        _shot(page, "household-en")
        if page.locator("section.case a.print-link").count():
            page.locator("section.case a.print-link").first.click()
            _clean(page)
    page.context.close()


def test_the_citizen_sees_their_household_in_tibetan_on_a_phone(server: str, browser: Any) -> None:
    from sqlalchemy import select

    from minsheng.registry.models import Person

    with _db()() as s:
        person = s.scalars(select(Person).where(Person.name_zh == "藏文测试")).first()
        if person is None:
            pytest.skip("the Tibetan walk-in of the test above is not registered")
        pid, number = person.id, person.id_number
    context = browser.new_context(locale="bo", viewport={"width": 375, "height": 812})
    context.add_cookies([{"name": "lang", "value": "bo", "url": server}])
    page = context.new_page()
    page.goto(server + "/citizen/login")
    page.fill("#id_number", number)
    page.click("button[type=submit]")
    page.fill("#code", BROWSER_APP[0].state.otp_sender.sent[pid])
    page.click("button[type=submit]")
    page.goto(server + "/me/assistance")
    assert "བོད་ཡིག་ཚོད་ལྟ།" in page.locator("#my-household").inner_text()
    assert "藏文测试" not in page.locator("#my-household").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _clean(page)
    _shot(page, "citizen-phone-bo")
    for lang in ("zh", "en"):
        page.goto(server + f"/lang/{lang}?next=/me/assistance")
        assert "藏文测试" in page.locator("#my-household").inner_text()  # no Tibetan view
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        _clean(page)
    context.close()
