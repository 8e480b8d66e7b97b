"""The page kit (``minsheng.webkit``): forms that keep what was typed and show each error by
its field, post–redirect–get with a one-time message, pagination and search, and ``lang`` on
every span of another language — as helpers and on the real pages, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from minsheng.core import ids
from minsheng.core.errors import MinshengError, Problem, invalid
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.webkit import flash, pager, scripts
from minsheng.webkit.forms import FormState, dom_id, field_errors
from tests.conftest import make_app, staff_client

BY = system("test")


# ---- helpers ------------------------------------------------------------------------------


def test_field_errors_put_each_problem_on_its_field_and_the_rest_apart() -> None:
    err = invalid("items.0.amount", "negative", "金额不能为负", "no negative amounts", bo="ཀ")
    err.more.append(Problem("household", "closed", "户已注销", "household closed"))
    err.more.append(Problem("month", "format", "月份格式", "month format"))
    by_field, elsewhere = field_errors(err, ("month", "amount"))
    assert set(by_field) == {"amount", "month"}  # the last dotted part names the form's field
    assert by_field["amount"].text("zh") == "金额不能为负" and by_field["amount"].bo == "ཀ"
    assert [e.field for e in elsewhere] == ["household"]
    f = FormState.of("income", {"amount": "-5", "month": "2026-01"}, err, ("month", "amount"))
    assert f.first == "month"  # the form's order, not the error's
    assert f.value("amount") == "-5" and f.value("kind", "wage") == "wage"
    assert f.id("amount") == "income-amount"
    assert [t for t, _ in f.summary()] == ["income-month", "income-amount", None]
    # no Tibetan line from the author: the fallback naming the field, never an empty line
    plain = FormState.of("", {}, invalid("value", "x", "错", "wrong"), ("value",))
    assert "value" in plain.errors["value"].bo
    assert dom_id("", "medical.critical_illness.scale.brackets[0].rate") == (
        "medical-critical_illness-scale-brackets-0-rate"
    )


def test_a_page_may_rename_a_services_field() -> None:
    err = MinshengError(
        "lines[1].unit_price", "negative", "单价不能为负", "prices cannot be negative"
    )
    f = FormState.of("", {}, err, ("price_0", "price_3"), lambda n: "price_3")
    assert f.first == "price_3" and not f.general


def test_flash_cookie_is_signed_and_names_only_known_messages() -> None:
    value = flash.sign("income_recorded")
    assert flash.read(value) == "income_recorded"
    _key, _, mac = value.rpartition(".")
    assert flash.read(f"saved.{mac}") is None  # another key with this one's signature
    assert flash.read("income_recorded.forged") is None
    assert flash.read("<script>.x") is None and flash.read(None) is None
    with pytest.raises(KeyError):
        flash.sign("free text from a request")


def test_flash_cookie_is_secure_when_the_sessions_are() -> None:
    from types import SimpleNamespace

    def request(secure: bool) -> Any:
        settings = SimpleNamespace(secure_cookies=secure)
        return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings)))

    on = flash.redirect("/x", "saved", request(True)).headers["set-cookie"]
    off = flash.redirect("/x", "saved", request(False)).headers["set-cookie"]
    assert "secure" in on.lower() and "secure" not in off.lower()
    assert "httponly" in on.lower() and "samesite=lax" in on.lower()


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("0", 1), ("-1", 1), ("x", 1), ("2", 2), (str(10**30), 4), ("٣", 1)],
)
def test_pager_clamps_every_page_number(raw: str | None, number: int) -> None:
    rows = list(range(80))
    p = pager.paginate(rows, raw, "/list", {"q": "lhasa"}, per_page=25)
    assert p.number == number and p.pages == 4 and p.total == 80
    assert list(p.items) == rows[(number - 1) * 25 : number * 25]
    assert (p.start, p.end) == ((number - 1) * 25 + 1, min(number * 25, 80))
    assert p.prev is None if number == 1 else p.prev == p.href(number - 1)
    assert p.next is None if number == 4 else p.next == f"/list?q=lhasa&page={number + 1}"
    assert p.href(1) == "/list?q=lhasa"  # the first page needs no number


def test_pager_of_nothing() -> None:
    p = pager.paginate([], "5", "/list")
    assert (p.number, p.pages, p.start, p.end, p.prev, p.next) == (1, 1, 0, 0, None, None)


def test_runs_wrap_each_foreign_script_in_its_language() -> None:
    out = str(scripts.runs("ཞུ་མཁན། (特困 ཡང་ན་单人户)", "bo"))
    assert out == 'ཞུ་མཁན། (<span lang="zh-CN">特困</span> ཡང་ན་<span lang="zh-CN">单人户</span>)'
    assert str(scripts.runs("Minimum (低保)", "en")) == 'Minimum (<span lang="zh-CN">低保</span>)'
    assert str(scripts.runs("拉萨 ལྷ་ས་ <b>", "zh-CN")) == (
        '拉萨 <span lang="bo">ལྷ་ས་</span> &lt;b&gt;'
    )
    assert scripts.foreign("拉萨医院 (H1)", "bo") == "zh-CN" and scripts.foreign("H1", "bo") == ""


# ---- the pages ----------------------------------------------------------------------------


def _household(engine: Engine, code: str = "PK-1") -> tuple[int, int]:
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import HouseholdIn, PersonIn

    with make_sessionmaker(engine)() as s:
        h = registry.create_household(
            s, HouseholdIn(code=code, division_code="540102", area="urban"), BY
        )
        p = registry.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540102", dt.date(1970, 3, 3), 31),
                name_zh="页面测试",
                hukou="urban",
                household_code=code,
                relationship="head",
            ),
            BY,
        )
        s.commit()
        return h.id, p.id


def test_a_failed_form_keeps_the_values_and_shows_the_error_by_its_field(
    app: Any, engine: Engine
) -> None:
    household_id, person_id = _household(engine)
    c = staff_client(app, engine, "caseworker", "540100")
    r = c.post(  # type: ignore[attr-defined]
        f"/assistance/households/{household_id}/incomes",
        data={"person_id": person_id, "month": "2026-02", "kind": "wage", "amount": "-5"},
        follow_redirects=False,
    )
    assert r.status_code == 422
    page = r.text
    amount = re.search(r'<input type="text" id="income-amount"[^>]*>', page)
    assert amount, "the amount field is on the page"
    tag = amount.group()
    assert 'value="-5"' in tag and 'aria-invalid="true"' in tag and " autofocus" in tag
    assert 'aria-describedby="income-amount-error"' in tag
    message = re.search(r'<p class="field-error" id="income-amount-error">(.*?)</p>', page, re.S)
    assert message and "金额不能为负" in message.group(1)
    assert 'lang="bo"' in message.group(1) and 'lang="en"' in message.group(1)
    assert re.search(r'id="income-month"[^>]*value="2026-02"', page)  # kept, and not invalid
    assert 'href="#income-amount"' in page  # the summary links to the field
    assert page.count(" autofocus") == 1
    # the other forms of the page are untouched: their month is this month, not the typed one
    assert re.search(rf'id="expense-month"[^>]*value="{dt.date.today():%Y-%m}"', page)


def _with_csrf(c: Any) -> Any:
    c.headers["X-CSRF-Token"] = c.get("/api/auth/csrf").json()["csrf_token"]
    return c


def test_sign_in_keeps_the_name_and_the_id_check_its_value(anon: Any) -> None:
    _with_csrf(anon)
    r = anon.post("/login", data={"username": "nobody.here", "password": "wrong-password"})
    assert r.status_code in (401, 422, 403)
    assert re.search(r'id="username"[^>]*value="nobody.here"', r.text)
    assert re.search(r'<input type="password" id="password"[^>]*aria-invalid="true"', r.text)
    assert 'value="wrong-password"' not in r.text  # a password is never echoed
    r = anon.post("/tools/id-check", data={"value": "110105194912310021"})
    assert r.status_code == 422
    assert re.search(r'id="value"[^>]*aria-invalid="true"[^>]*autofocus[^>]*value="110105', r.text)
    assert 'id="value-error"' in r.text and "id_checksum" in r.text


def test_post_redirect_get_shows_the_message_once(app: Any, engine: Engine) -> None:
    household_id, person_id = _household(engine)
    c = staff_client(app, engine, "caseworker", "540100")
    c.cookies.set("lang", "en")  # type: ignore[attr-defined]
    month = f"{dt.date.today():%Y-%m}"
    r = c.post(  # type: ignore[attr-defined]
        f"/assistance/households/{household_id}/incomes",
        data={"person_id": person_id, "month": month, "kind": "wage", "amount": "300"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/assistance/households/{household_id}"
    assert flash.COOKIE in r.headers["set-cookie"]
    page = c.get(r.headers["location"])  # type: ignore[attr-defined]
    assert page.status_code == 200 and "The income is recorded." in page.text
    assert 'role="status"' in page.text
    again = c.get(r.headers["location"])  # type: ignore[attr-defined]  # a reload: no message,
    assert "The income is recorded." not in again.text  # and nothing posted twice
    from minsheng.assistance.models import Income

    with make_sessionmaker(engine)() as s:
        assert s.query(Income).count() == 1


def test_a_forged_flash_cookie_shows_nothing(anon: Any) -> None:
    anon.cookies.set(flash.COOKIE, "saved.forged")
    assert "Saved." not in anon.get("/", headers={"accept-language": "en"}).text
    anon.cookies.set(flash.COOKIE, flash.sign("saved"))
    anon.cookies.set("lang", "en")
    assert "Saved." in anon.get("/").text


def test_queue_pages_and_search_and_bounds(app: Any, engine: Engine) -> None:
    from minsheng.assistance import service as assistance
    from minsheng.assistance.schemas import CaseIn
    from minsheng.registry import service as registry
    from minsheng.registry.schemas import HouseholdIn

    with make_sessionmaker(engine)() as s:
        for i in range(pager.PER_PAGE + 5):
            h = registry.create_household(
                s, HouseholdIn(code=f"Q-{i:03}", division_code="540102", area="urban"), BY
            )
            assistance.open_case(s, CaseIn(household_id=h.id, programme="dibao"), BY)
        s.commit()
    c = staff_client(app, engine, "caseworker", "540100")
    c.cookies.set("lang", "en")  # type: ignore[attr-defined]
    total = pager.PER_PAGE + 5
    first = c.get("/assistance")  # type: ignore[attr-defined]
    assert first.status_code == 200
    assert f"1–{pager.PER_PAGE} of {total}" in first.text and 'rel="next"' in first.text
    for raw in ("0", "-1", "x", ""):
        r = c.get("/assistance", params={"page": raw})  # type: ignore[attr-defined]
        assert r.status_code == 200 and f"1–{pager.PER_PAGE} of {total}" in r.text, raw
    for raw in (str(10**30), "2"):
        r = c.get("/assistance", params={"page": raw})  # type: ignore[attr-defined]
        assert r.status_code == 200 and f"{pager.PER_PAGE + 1}–{total} of {total}" in r.text
        assert 'rel="prev"' in r.text and 'rel="next"' not in r.text
    r = c.get("/assistance", params={"page": "9" * 60})  # type: ignore[attr-defined]
    assert r.status_code == 422 and "<html" in r.text  # a clear refusal, never a 500
    # the queue filters in the database, the total shown; finding a household is the find page's
    r = c.get("/assistance", params={"programme": "dibao"})  # type: ignore[attr-defined]
    assert r.status_code == 200 and f"1–{pager.PER_PAGE} of {total}" in r.text
    r = c.get("/assistance", params={"programme": "temporary"})  # type: ignore[attr-defined]
    assert r.status_code == 200 and "Q-00" not in r.text
    r = c.get("/assistance/find", params={"q": "Q-007"})  # type: ignore[attr-defined]
    assert r.status_code == 200 and 'value="Q-007"' in r.text  # the box keeps the words


# ---- lang on every span of another language ------------------------------------------------

TIBETAN = re.compile(r"[\u0f00-\u0fff]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class LangCheck(HTMLParser):
    """Text whose script is Tibetan or Han, inside an element whose nearest ``lang`` is another
    language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.bad: list[str] = []

    def lang(self) -> str:
        return next((lang for _, lang in reversed(self.stack) if lang is not None), "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("script", "style"):
            return
        lang = self.lang()
        if TIBETAN.search(data) and lang != "bo":
            self.bad.append(f"Tibetan in lang={lang!r}: {data.strip()[:60]!r}")
        if HAN.search(data) and lang not in ("zh-CN", "zh"):
            self.bad.append(f"Han in lang={lang!r}: {data.strip()[:60]!r}")


def lang_problems(html: str) -> list[str]:
    check = LangCheck()
    check.feed(html)
    return check.bad


def test_lang_check_finds_a_span_without_its_lang() -> None:
    assert lang_problems('<html lang="en"><p>Lhasa <span>拉萨</span></p></html>')
    assert lang_problems('<html lang="zh-CN"><p>民生 མི་དམངས</p></html>')
    assert not lang_problems('<html lang="bo"><p>ལྷ་ས <span lang="zh-CN">拉萨</span></p></html>')


def _failed_forms(name: str, w: Any) -> list[tuple[str, dict[str, Any]]]:
    """Forms each caller posts wrongly, so that the pages with errors are checked too."""
    from tests.route_kit import P1_ID

    month = f"{dt.date.today():%Y-%m}"
    return {
        "anonymous": [
            ("/login", {"username": "nobody", "password": "wrong-password"}),
            ("/tools/id-check", {"value": "110105194912310021"}),
            ("/citizen/login", {"id_number": "12"}),
        ],
        "caseworker@inside": [
            (
                f"/assistance/households/{w.ids['household']}/incomes",
                {"person_id": w.ids["person"], "month": month, "kind": "wage", "amount": "-5"},
            ),
            (f"/assistance/households/{w.ids['household']}/cases", {"programme": "nonesuch"}),
        ],
        "cashier@inside": [
            (
                "/medical/cashier",
                {
                    "id_number": P1_ID,
                    "facility_code": "H54010200077",
                    "price_0": "-1",
                    "name_0": "阿莫西林",
                    "action": "preview",
                },
            ),
        ],
        "analyst@inside": [("/analysis", {"start": "someday"})],
    }.get(name, [])


# On SQLite only: the spans are the templates' and the catalogues', not the database's, and the
# route matrix renders every page on both databases already (CI time: the crawl grows with the
# pages).
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_page_marks_every_span_of_another_language(engine: Engine) -> None:
    """Every page each role can open (the route matrix's world and samples), and the failed
    sign-in and ID-check forms, in zh, bo and en: no Tibetan or Han text in an element whose
    nearest ``lang`` is another language."""
    from minsheng.webkit.guards import api_routes
    from tests.auth.test_route_matrix import build_world, clients, samples

    app = make_app(engine)
    assert isinstance(app, FastAPI)
    w = build_world(engine)
    table = samples(w)
    who = clients(app, w)
    pages = [
        (r.path, table[("GET", r.path)])
        for r in api_routes(app)
        if "GET" in r.methods
        and not r.path.startswith(("/api/", "/lang/", "/docs", "/healthz", "/openapi"))
        and ("GET", r.path) in table
    ]
    assert len(pages) >= 8, pages
    problems: list[str] = []
    seen = 0
    for name, (_role, where, c) in who.items():
        if where == "outside":
            continue
        for code in ("zh", "bo", "en"):
            c.cookies.set("lang", code)
            for path, sample in pages:
                app.state.limiter.reset()
                spot = sample.get("path", {})
                url = path.format(**(spot() if callable(spot) else spot))
                r = c.get(url, follow_redirects=False)
                if r.status_code >= 500:
                    problems.append(f"{name} {code} {url}: {r.status_code}")
                if "text/html" not in r.headers.get("content-type", ""):
                    continue
                seen += 1
                problems += [f"{name} {code} {url}: {p}" for p in lang_problems(r.text)]
            for url, data in _failed_forms(name, w):
                app.state.limiter.reset()
                r = c.post(url, data=data, follow_redirects=False)
                assert 400 <= r.status_code < 500 and "<html" in r.text, (name, url, r.text[:300])
                seen += 1
                problems += [f"{name} {code} POST {url}: {p}" for p in lang_problems(r.text)]
    assert seen > 40
    assert not problems, "\n".join(sorted(set(problems))[:40])


def test_a_refused_warning_step_stays_on_the_queue_by_its_field(app: Any, engine: Engine) -> None:
    from minsheng.assistance.models import Warning

    household_id, _ = _household(engine, "PK-W")
    with make_sessionmaker(engine)() as s:
        w = Warning(
            household_id=household_id,
            division_code="540102",
            cause="review_due",
            cause_key="kit",
            open_key="kit",
            state="new",
            raised_on=dt.date.today(),
            deadline=dt.date.today(),
        )
        s.add(w)
        s.commit()
        warning_id = w.id
    c = staff_client(app, engine, "caseworker", "540100")
    r = c.post(  # type: ignore[attr-defined]
        f"/assistance/warnings/{warning_id}",
        data={"state": "no_such_state", "reason": "入户核实", "wpage": "1", "q": ""},
        follow_redirects=False,
    )
    assert r.status_code == 422 and "<h1>" in r.text
    assert re.search(rf'id="warning-{warning_id}-state"[^>]*aria-invalid="true"', r.text)
    assert re.search(rf'id="warning-{warning_id}-reason"[^>]*value="入户核实"', r.text)
    assert f'id="warning-{warning_id}-state-error"' in r.text
    r = c.post(  # type: ignore[attr-defined]
        f"/assistance/warnings/{warning_id}",
        data={"state": "checking", "reason": "", "wpage": "1", "back_programme": "dibao"},
        follow_redirects=False,
    )  # the queue's own filters come back as back_* fields (its state filter is not the form's)
    assert r.status_code == 303 and r.headers["location"] == "/assistance?programme=dibao"
