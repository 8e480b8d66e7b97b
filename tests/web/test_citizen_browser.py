"""The citizen's day on a 375×812 phone, in Tibetan and in Chinese (issue 15 point 3): sign in
with an ID number and a one-time code — a mistyped ID, a wrong code, "send the code again",
"another ID number", ``?next=`` — then their own page. What a person sees is checked: the
error in view and next to its field, in the page's language (Tibetan too), the actions offered,
Chinese spans inside a Tibetan page marked ``lang="zh-CN"``, Tibetan text not smaller than the
Chinese beside it, a header that folds its links into a menu, and 0 axe violations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.a11y import in_view, violations
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the shared fixtures, used by name

PHONE = {"width": 375, "height": 812}
HEADER_MAX = 110  # px: the brand and the menu button, the languages under them: two short rows
PEOPLE: dict[str, dict[str, Any]] = {}

# every text node holding Han characters, with the lang of its nearest element that names one
HAN_LANGS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!/[\\u3400-\\u9fff]/.test(n.textContent)) continue;
    const el = n.parentElement;
    if (el.closest('[hidden], template, script, style')) continue;
    const owner = el.closest('[lang]');
    out.push([owner ? owner.getAttribute('lang') : '', n.textContent.trim().slice(0, 30)]);
  }
  return out;
}"""


def _person(key: str, serial: int) -> dict[str, Any]:
    """A registered citizen with a household of two (the other has a Tibetan name too)."""
    if key in PEOPLE:
        return PEOPLE[key]
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import HouseholdIn, PersonIn

    by = system("test")
    number = ids.make_resident_id("540102", dt.date(1980, 3, 3), serial)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        registry.create_household(
            s, HouseholdIn(code=f"CZ-{key}", division_code="540102", area="urban"), by
        )
        p = registry.create_person(
            s,
            PersonIn(
                id_number=number,
                name_zh="次仁卓玛",
                name_bo="ཚེ་རིང་སྒྲོལ་མ།",
                hukou="urban",
                phone="13908905678",
                household_code=f"CZ-{key}",
                relationship="head",
            ),
            by,
        )
        registry.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540102", dt.date(2010, 6, 6), serial + 1),
                name_zh="扎西",
                name_bo="བཀྲ་ཤིས།",
                hukou="urban",
                household_code=f"CZ-{key}",
                relationship="child",
            ),
            by,
        )
        s.commit()
        PEOPLE[key] = {"id": number, "pk": p.id}
    return PEOPLE[key]


def _code(pk: int) -> str:
    return str(BROWSER_APP[0].state.otp_sender.sent[pk])  # type: ignore[attr-defined]


def _wrong(code: str) -> str:
    return "".join(str((int(c) + 1) % 10) for c in code)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _chinese_is_marked(page: Any) -> None:
    unmarked = [(lang, t) for lang, t in page.evaluate(HAN_LANGS) if not lang.startswith("zh")]
    assert unmarked == [], unmarked


def _size(page: Any, selector: str) -> float:
    return float(
        page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )


@pytest.fixture(autouse=True)
def _fresh_limits(server: str) -> None:
    """Each walk starts with the request limits of a new day (they count per address)."""
    BROWSER_APP[0].state.limiter.reset()  # type: ignore[attr-defined]


def test_citizens_day_in_tibetan_on_a_phone(server: str, browser: Any) -> None:
    who = _person("bo", 61)
    context = browser.new_context(locale="bo", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()

    # a panel asked for before signing in: the sign-in comes first, then that panel (?next=)
    page.goto(server + "/me/medical")
    assert "/citizen/login?next=/me/medical" in page.url
    assert page.locator("html").get_attribute("lang") == "bo"

    # a mistyped ID (a wrong check digit): said in Tibetan, next to the field, in view
    page.fill("#id_number", who["id"][:-1] + ("0" if who["id"][-1] != "0" else "1"))
    page.click("button[type=submit]")
    error = page.locator("#id_number-error")
    assert "ཞིབ་དཔྱད་ཡིག་འབྲུ་མི་མཐུན" in error.locator("[lang=bo]").inner_text()
    assert page.locator("#id_number").get_attribute("aria-invalid") == "true"
    assert in_view(page, "#id_number-error")
    page.screenshot(path=str(ARTIFACTS / "citizen-bad-id-bo-phone.png"), full_page=True)
    _no_sideways_scroll(page)

    # the right ID: the code page says how long the code lasts
    page.fill("#id_number", who["id"])
    page.click("button[type=submit]")
    assert "5" in page.locator("#code-sent").inner_text()
    assert page.locator("#resend-form button").is_visible()
    assert page.locator("#another-id").is_visible()
    first = _code(who["pk"])

    # a wrong code: in Tibetan, with its minutes, next to the field
    page.fill("#code", _wrong(first))
    page.click("#code-form button")
    said = page.locator("#code-error [lang=bo]").inner_text()
    assert "ར་སྤྲོད་ཨང་གྲངས་ནོར་འདུག" in said and "སྐར་མ་ 5" in said
    assert in_view(page, "#code-error")
    page.screenshot(path=str(ARTIFACTS / "citizen-wrong-code-bo-phone.png"), full_page=True)

    # send the code again: a new code, the first one no longer works
    page.click("#resend-form button")
    assert "ར་སྤྲོད་ཨང་གྲངས་གསར་པ་བཏང་ཟིན" in page.locator("[role=status]").inner_text()
    second = _code(who["pk"])
    assert second != first  # two random six-digit codes: the same one in a million
    page.fill("#code", first)
    page.click("#code-form button")
    assert "ར་སྤྲོད་ཨང་གྲངས་ནོར་འདུག" in page.locator("#code-error [lang=bo]").inner_text()

    # another ID number: back to the first step, ?next= kept
    page.click("#another-id")
    assert "/citizen/login?next=/me/medical" in page.url
    assert page.locator("#id_number").input_value() == ""

    page.fill("#id_number", who["id"])
    page.click("button[type=submit]")
    page.fill("#code", _code(who["pk"]))
    page.click("#code-form button")
    assert page.url.endswith("/me/medical")  # where they were going
    assert page.locator(".flash").inner_text() == "ནང་འཛུལ་བྱས་ཟིན།"

    # their page: Tibetan names first, Chinese spans marked, the ID masked
    page.goto(server + "/me")
    assert page.locator("h1").inner_text().startswith("ཚེ་རིང་སྒྲོལ་མ།")
    household = page.locator("table.figures").inner_text()
    assert "བཀྲ་ཤིས།" in household and "扎西" in household
    assert who["id"] not in page.content()
    _chinese_is_marked(page)
    _no_sideways_scroll(page)

    # the header is one compact band: the links wait in a menu that opens without JavaScript
    page.screenshot(path=str(ARTIFACTS / "citizen-me-bo-phone.png"), full_page=True)
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= HEADER_MAX, header
    menu = page.locator("details.menu")
    assert not page.locator(".menu-links a[href='/me/medical']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "citizen-me-bo-phone.png"), full_page=True)
    menu.locator("summary").click()
    assert page.locator(".menu-links a[href='/me/medical']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "citizen-menu-bo-phone.png"))
    assert violations(page) == []
    context.close()


def test_citizens_day_in_chinese_on_a_phone(server: str, browser: Any) -> None:
    who = _person("zh", 71)
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/")
    page.click("text=群众登录")
    page.fill("#id_number", "54010219800303")  # too short
    page.click("button[type=submit]")
    error = page.locator("#id_number-error").inner_text()
    assert "身份证号应为18位" in error and "14" in error
    assert in_view(page, "#id_number-error")
    page.fill("#id_number", who["id"])
    page.click("button[type=submit]")
    page.fill("#code", _wrong(_code(who["pk"])))
    page.click("#code-form button")
    said = page.locator("#code-error").inner_text()
    assert "验证码不正确或已过期" in said and "5分钟" in said
    page.fill("#code", _code(who["pk"]))
    page.click("#code-form button")
    assert page.url.endswith("/me")  # no next: their own page
    assert page.locator("h1").inner_text().startswith("次仁卓玛")  # the page's script first
    assert page.locator(".flash").inner_text() == "您已登录。"
    assert page.locator(".panel-links a[href='/me/medical']").count() == 1
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= HEADER_MAX, header
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "citizen-me-zh-phone.png"), full_page=True)
    context.close()


def test_asking_for_codes_too_often_is_refused_in_tibetan(server: str, browser: Any) -> None:
    """The page's resend counts against the same limit as the API's (3 codes an ID in 10
    minutes): the fourth is refused on the code page, in Tibetan, with the seconds to wait."""
    who = _person("limit", 81)
    context = browser.new_context(locale="bo", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(server + "/citizen/login")
    page.fill("#id_number", who["id"])
    page.click("button[type=submit]")
    for _ in range(2):
        page.click("#resend-form button")
        assert page.locator("[role=status]").count() == 1
    page.click("#resend-form button")
    said = page.locator("#code-error [lang=bo]").inner_text()
    assert "རེ་ཞུ་མང་དྲགས་འདུག" in said and "སྐར་ཆ་" in said
    assert page.locator("#code-form").is_visible()  # still on the code page
    page.screenshot(path=str(ARTIFACTS / "citizen-too-often-bo-phone.png"), full_page=True)
    context.close()


def test_tibetan_text_is_not_smaller_than_the_chinese_beside_it(server: str, browser: Any) -> None:
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    # a Chinese page: the Tibetan line of an error beside its Chinese line
    page.goto(server + "/citizen/login")
    page.fill("#id_number", "1")
    page.click("button[type=submit]")
    zh = _size(page, "#id_number-error .msg[lang=zh-CN]")
    bo = _size(page, "#id_number-error .msg[lang=bo]")
    assert bo >= zh, (bo, zh)
    zh_body = _size(page, "main h1 ~ form label")
    # a Tibetan page: its body text, and the Chinese spans inside it
    page.click("header .langs a[lang=bo]")
    assert page.locator("html").get_attribute("lang") == "bo"
    bo_body = _size(page, "main h1 ~ form label")
    assert bo_body >= zh_body, (bo_body, zh_body)
    page.fill("#id_number", "1")
    page.click("button[type=submit]")
    zh_span = _size(page, "#id_number-error .msg[lang=zh-CN]")
    bo_span = _size(page, "#id_number-error .msg[lang=bo]")
    assert bo_span >= zh_span and bo_span >= zh, (bo_span, zh_span, zh)
    context.close()


@pytest.mark.parametrize("code", ["zh", "bo", "en"])
def test_citizen_pages_pass_axe_and_mark_chinese(server: str, browser: Any, code: str) -> None:
    who = _person(f"axe-{code}", {"zh": 91, "bo": 93, "en": 95}[code])
    locale = {"zh": "zh-CN", "bo": "bo", "en": "en-US"}[code]
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    page.goto(server + f"/lang/{code}?next=/")
    checked = []
    steps = ("home", "staff sign-in error", "sign-in", "sign-in error", "code", "code error", "me")
    for step in steps:
        if step == "staff sign-in error":
            page.goto(server + "/login")
            page.fill("#username", "nobody")
            page.fill("#password", "wrong-password")
            page.click("button[type=submit]")
            assert page.locator("#password-error [lang=bo]").count() == 1  # in Tibetan too
        elif step == "sign-in":
            page.goto(server + "/citizen/login")
        elif step == "sign-in error":
            page.fill("#id_number", "123")
            page.click("button[type=submit]")
        elif step == "code":
            page.fill("#id_number", who["id"])
            page.click("button[type=submit]")
        elif step == "code error":
            page.fill("#code", "000")
            page.click("#code-form button")
        elif step == "me":
            page.fill("#code", _code(who["pk"]))
            page.click("#code-form button")
            assert page.url.endswith("/me")
        found = violations(page)
        assert found == [], (step, found)
        if code != "zh":
            _chinese_is_marked(page)
        checked.append(step)
    page.screenshot(path=str(ARTIFACTS / f"citizen-me-{code}-axe.png"), full_page=True)
    assert len(checked) == len(steps)
    context.close()
