"""The cashier's day in a real browser (issue 15, point 1), in Chinese and in Tibetan, on a
768–900-px-high screen: look up the patient, enter the bill (adding a line), a bad ID in view
next to its field, pre-settle (the patient to check and the split at the top, the confirm
button focused), confirm, print (A4 and an 80 mm slip, without the menus or the collapsed
parameters), today's list, reprint, reverse with a reason (refused without one, in view), the
day's totals and CSV. The citizen opens their own receipt on a 375-px phone (point 3) and not
anyone else's. axe-core finds no violation on any of these pages in zh, bo and en."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minsheng.registry import vocab
from minsheng.webkit import i18n
from tests.web.a11y import focused, in_view, violations
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

__all__ = ["browser", "server"]
pytestmark = pytest.mark.browser
HOSPITAL = "H54010200001"
DESK = {"width": 1280, "height": 800}  # the counter's screen (768–900 px high)
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, Any]:
    """A cashier in Chengguan (540102), an insured dibao patient with an active card, and a
    neighbour (another citizen)."""
    from minsheng.auth import users
    from minsheng.cards import service as cards
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import enrolment, statuses
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import EnrolmentIn, PersonIn, StatusIn

    by = system("test")
    today = dt.date.today()
    engine = make_engine(BROWSER_DB[0])
    number = ids.make_resident_id("540102", dt.date(1972, 4, 9), 83)
    neighbour = ids.make_resident_id("540102", dt.date(1979, 2, 2), 85)
    with make_sessionmaker(engine)() as s:
        users.create_user(s, by, "desk.cashier", "correct-horse-1", "cashier", "540102")
        p = registry.create_person(
            s,
            PersonIn(
                id_number=number,
                name_zh="窗口测试",
                name_bo="སྒོ་ཁ་ཚོད་ལྟ།",
                hukou="urban",
                phone="13908905555",
            ),
            by,
        )
        enrolment.add_enrolment(
            s, p.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), by
        )
        statuses.add_status(s, p.id, StatusIn(kind="dibao", start_date=dt.date(2020, 1, 1)), by)
        card = cards.apply(s, p.id, "540102", by, today)
        for action in ("make", "issue", "activate_at_window"):
            cards.step(s, card.id, action, by, today)
        q = registry.create_person(
            s,
            PersonIn(id_number=neighbour, name_zh="隔壁邻居", hukou="urban", phone="13908906666"),
            by,
        )
        enrolment.add_enrolment(
            s, q.id, EnrolmentIn(scheme="resident", start_date=dt.date(2020, 1, 1)), by
        )
        s.commit()
        return {"number": number, "card": card.number, "neighbour": neighbour, "pid": p.id}


OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => !e.closest('.table-wrap, .default-submit, .skip'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _axe(page: Any, where: str) -> None:
    """No axe violation, and nothing outside a scrolling table box sticks out sideways."""
    assert violations(page) == [], where
    assert page.evaluate(OVERFLOWING) == [], where
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), where


def _sign_in(page: Any, server: str) -> None:
    page.goto(server + "/login?next=/medical/cashier")
    page.fill("#username", "desk.cashier")
    page.fill("#password", "correct-horse-1")
    page.click("button[type=submit]")
    assert page.url.endswith("/medical/cashier")


def _lang(page: Any, server: str, code: str) -> None:
    path = page.url.removeprefix(server)
    page.goto(f"{server}/lang/{code}?next={path}")


def _enter_bill(page: Any, number: str, price: str) -> None:
    page.fill("#id_number", number)
    page.select_option("#facility_code", HOSPITAL)
    page.select_option("#visit", "outpatient")
    page.fill("#name_0", "血常规")
    page.fill("#price_0", price)


def _walk(page: Any, server: str, people: dict[str, Any], lang: str, texts: dict[str, str]) -> int:
    """One turn at the window; answers the settlement's id."""
    number = people["number"]
    # look up: by name, then by card number (the ID masked)
    page.fill("#lk-q", "窗口测试")
    page.click("section.lookup button[type=submit]")
    found = page.locator("table.found").inner_text()
    assert "窗口测试" in found and number not in found and people["card"] in found
    page.fill("#lk-q", people["card"])
    page.click("section.lookup button[type=submit]")
    assert "窗口测试" in page.locator("table.found").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"cashier-lookup-{lang}.png"))
    # a mistyped ID (wrong check digit): the error is in view, next to the field, in the
    # page's language; nothing is calculated
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    _enter_bill(page, wrong, "80.00")
    page.click("button[value=preview]:not(.default-submit)")
    assert in_view(page, ".error-summary", whole=False)
    error = page.locator("#id_number-error").inner_text()
    assert texts["bad_id"] in error, error
    assert focused(page, "id_number") == "id_number"  # autofocus on it
    assert page.locator("#id_number").input_value() == wrong  # kept as typed
    assert page.locator("section.result").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"cashier-bad-id-{lang}.png"))
    _axe(page, f"cashier bad id {lang}")
    # add a line (no JavaScript needed: the form comes back with one more row, values kept)
    page.fill("#id_number", number)
    assert page.locator("input[name^=price_]").count() == 3
    page.click("button[value=add_line]")
    assert page.locator("input[name^=price_]").count() == 4
    assert page.locator("#price_0").input_value() == "80.00"
    page.fill("#name_3", "挂号费")
    page.fill("#price_3", "20.00")
    page.click("button[value=preview]:not(.default-submit)")
    # the patient to check and the split land at the top, the confirm button focused
    assert in_view(page, "section.result", whole=False)
    assert in_view(page, "section.result button[value=confirm]", whole=False)
    assert page.evaluate("document.activeElement.value") == "confirm"
    result = page.locator("section.result").inner_text()
    assert "窗口测试" in result and number not in result and texts["dibao"] in result
    assert "¥100.00" in result
    page.screenshot(path=str(ARTIFACTS / f"cashier-preview-{lang}.png"))
    _axe(page, f"cashier preview {lang}")
    page.click("section.result button[value=confirm]")
    assert "/medical/receipt/" in page.url
    sid = int(page.url.rsplit("/", 1)[1].split("?")[0])
    receipt = page.locator(".receipt").inner_text()
    assert texts["settled"] in page.locator(".flash").inner_text()
    assert "YB" in receipt and "desk.cashier" in receipt and "血常规" in receipt
    assert "挂号费" in receipt and number not in receipt
    page.screenshot(path=str(ARTIFACTS / f"cashier-receipt-{lang}.png"), full_page=True)
    _axe(page, f"receipt {lang}")
    # printed: no menus, no links, no collapsed parameter sections; A4 and the 80 mm slip
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator(".receipt details").first.is_visible()
    assert not page.locator(".receipt-actions").is_visible()
    assert page.locator(".receipt table.lines-read").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"cashier-receipt-print-a4-{lang}.png"), full_page=True)
    page.goto(f"{server}/medical/receipt/{sid}?paper=slip")
    width = page.locator("article.receipt").bounding_box()["width"]
    assert width <= 80 / 25.4 * 96, width  # fits the 80 mm roll
    page.screenshot(path=str(ARTIFACTS / f"cashier-receipt-print-slip-{lang}.png"), full_page=True)
    page.emulate_media(media="screen")
    return sid


def _day(page: Any, server: str, sid: int, lang: str, texts: dict[str, str]) -> None:
    """Today's list, reprint, reverse with a reason, the day's totals and the CSV."""
    page.goto(server + "/medical/cashier/today")
    row = page.locator(f"#s{sid}")
    assert "窗口测试" in row.inner_text() and "desk.cashier" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"cashier-today-{lang}.png"), full_page=True)
    _axe(page, f"today {lang}")
    row.locator("a[href^='/medical/receipt/']").click()  # reprint
    assert page.url.endswith(f"/medical/receipt/{sid}")
    page.go_back()
    page.locator(f"#s{sid} a[href^='/medical/cashier/reverse/']").click()
    _axe(page, f"reverse {lang}")
    page.click("button.danger")  # no reason: refused, in view, next to the field
    assert in_view(page, ".error-summary", whole=False)
    assert texts["reason"] in page.locator("#rv-reason-error").inner_text()
    assert focused(page, "rv-reason") == "rv-reason"
    page.screenshot(path=str(ARTIFACTS / f"cashier-reverse-refused-{lang}.png"))
    _axe(page, f"reverse refused {lang}")
    page.fill("#rv-reason", "收费项目录错")
    page.click("button.danger")
    assert page.url.endswith("/medical/cashier/today")
    assert texts["reversed"] in page.locator(".flash").inner_text()
    assert "收费项目录错" in page.locator(f"#s{sid}").inner_text()
    assert page.locator(f"#s{sid} a[href^='/medical/cashier/reverse/']").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"cashier-today-reversed-{lang}.png"), full_page=True)
    page.click(".desk-links a[href^='/medical/cashier/report']")
    totals = page.locator("table.totals").inner_text()
    assert "¥" in totals
    page.screenshot(path=str(ARTIFACTS / f"cashier-day-report-{lang}.png"), full_page=True)
    _axe(page, f"report {lang}")
    with page.expect_download() as dl:
        page.click("a[href^='/medical/cashier/report.csv']")
    body = open(dl.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert body.startswith("receipt_no,") and "收费项目录错" in body and "reverse" in body


ZH = {
    "bad_id": "身份证号校验位不正确",
    "dibao": "低保",
    "settled": "费用已结算",
    "reason": "冲销必须填写原因",
    "reversed": "结算已冲销",
}
BO = {
    "bad_id": "ཞིབ་བཤེར་ཨང་ནོར་འདུག",
    "dibao": vocab.label(vocab.STATUS_KINDS, "dibao", "bo"),
    "settled": i18n.gettext_for("bo").gettext("The bill is settled."),
    "reason": "ཕྱིར་བསུབ་ལ་རྒྱུ་མཚན་འབྲི་དགོས།",
    "reversed": "རྩིས་སྒྲིག་ཕྱིར་བསུབ་ཟིན།",
}


def test_the_cashiers_day_in_chinese_and_tibetan(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport=DESK)
    page = context.new_page()
    _sign_in(page, server)
    _axe(page, "cashier zh")
    page.screenshot(path=str(ARTIFACTS / "cashier-blank-zh.png"))
    sid = _walk(page, server, people, "zh", ZH)
    _day(page, server, sid, "zh", ZH)
    page.goto(server + "/medical/cashier")
    _lang(page, server, "bo")
    assert page.locator("html").get_attribute("lang") == "bo"
    _axe(page, "cashier bo")
    sid = _walk(page, server, people, "bo", BO)
    _day(page, server, sid, "bo", BO)
    # English: every page of the window passes axe too
    _lang(page, server, "en")
    for path in ("/medical/cashier", "/medical/cashier/today", "/medical/cashier/report"):
        page.goto(server + path)
        _axe(page, f"{path} en")
    page.goto(f"{server}/medical/receipt/{sid}")
    _axe(page, "receipt en")
    page.goto(f"{server}/medical/cashier/reverse/{sid}")
    _axe(page, "reverse en")
    context.close()


def _citizen(browser: Any, server: str, number: str, lang: str) -> tuple[Any, Any]:
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server + "/citizen/login")
    page.fill("#id_number", number)
    page.click("button[type=submit]")
    sender = BROWSER_APP[0].state.otp_sender  # type: ignore[attr-defined]
    page.fill("#code", sender.sent[max(sender.sent)])
    page.click("button[type=submit]")
    if lang != "zh":
        page.goto(f"{server}/lang/{lang}?next=/me/medical")
    return context, page


def _fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["width"] >= PHONE["width"] - 1  # not short


def test_the_citizen_opens_their_own_receipt_on_a_phone(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.medical import service
    from minsheng.medical.schemas import BillIn

    ARTIFACTS.mkdir(exist_ok=True)
    number = people["number"]
    bill = {
        "patient": {"id_number": number},
        "facility_code": HOSPITAL,
        "visit": "inpatient",
        "service_date": dt.date.today().isoformat(),
        "lines": [{"code": "B1", "name": "住院床位费", "category": "甲", "unit_price": "3000.00"}],
    }
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        sid = service.settle(s, BillIn.model_validate(bill), system("test")).id
        s.commit()
    for lang in ("zh", "bo", "en"):
        context, page = _citizen(browser, server, number, lang)
        page.goto(server + "/me/medical")
        _fits_the_phone(page)
        box = page.locator("ul.settlements .when").first.bounding_box()
        assert box is not None and box["height"] < 40, box  # the date on one line
        page.screenshot(path=str(ARTIFACTS / f"citizen-medical-phone-{lang}.png"), full_page=True)
        _axe(page, f"/me/medical {lang}")
        page.locator(f"a[href='/me/medical/{sid}']").click()
        assert page.url.endswith(f"/me/medical/{sid}")
        receipt = page.locator(".receipt").inner_text()
        assert "住院床位费" in receipt and "YB" in receipt and number not in receipt
        _fits_the_phone(page)
        # the bill lines show whole: nothing hidden to the right of a sideways scroll
        hidden = page.evaluate(
            "[...document.querySelectorAll('.receipt .table-wrap')]"
            ".filter(w => w.scrollWidth > w.clientWidth + 1).length"
        )
        assert hidden == 0, f"{hidden} table(s) scroll sideways on a 375-px phone ({lang})"
        amount = page.locator(".receipt table.lines-read td").last.bounding_box()
        assert amount is not None and amount["x"] + amount["width"] <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / f"citizen-receipt-phone-{lang}.png"), full_page=True)
        _axe(page, f"/me/medical/{sid} {lang}")
        context.close()
    # the neighbour cannot open it: it answers as an unknown settlement does
    context, page = _citizen(browser, server, people["neighbour"], "zh")
    r = page.goto(f"{server}/me/medical/{sid}")
    assert r is not None and r.status == 404
    unknown = page.goto(f"{server}/me/medical/{(sid or 0) + 100000}")
    assert unknown is not None and unknown.status == 404
    r = page.goto(f"{server}/medical/receipt/{sid}")
    assert r is not None and r.status == 403
    page.screenshot(path=str(ARTIFACTS / "citizen-receipt-not-theirs.png"))
    context.close()


def test_add_a_line_works_with_and_without_javascript(
    server: str, browser: Any, people: dict[str, Any]
) -> None:
    for js in (False, True):
        context = browser.new_context(locale="zh-CN", viewport=DESK, java_script_enabled=js)
        page = context.new_page()
        _sign_in(page, server)
        page.fill("#price_0", "12.00")
        if js:
            page.evaluate("window.stillHere = true")
        page.click("button[value=add_line]")
        page.click("button[value=add_line]")
        assert page.locator("input[name^=price_]").count() == 5, js
        if js:  # the script added the rows in place: the page was not posted back
            assert page.evaluate("window.stillHere === true")
        assert page.locator("#price_0").input_value() == "12.00", js
        assert page.locator("input[name=rows]").input_value() == "5", js
        assert page.locator("#price_4").get_attribute("aria-label") == "单价 5", js
        _enter_bill(page, people["number"], "12.00")
        page.fill("#price_4", "3.00")
        page.click("button[value=preview]:not(.default-submit)")
        assert "¥15.00" in page.locator("section.result").inner_text(), js
        context.close()
