"""The supervisor's, the auditor's and the administrator's desks in a real browser, in
Chinese and in Tibetan: each role signs in, finds its desk in the menu and does its day's
work there — the auditor browses and verifies the log, two admins make an account and approve
its role (the one who asked cannot), a token is issued (shown once) and revoked, a supervisor
starts the month's roll and a scan and follows them to the end (with JavaScript and without).
Every page is checked by axe in zh, bo and en; screenshots go to tests/artifacts/admin-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.a11y import in_view, violations
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # the shared fixtures
PASSWORD = "correct-horse-1"
DESKTOP = {"width": 1200, "height": 900}


def make_users(*rows: tuple[str, str, str]) -> None:
    from minsheng.auth import users
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system

    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        for username, role, region in rows:
            users.create_user(s, system("test"), username, PASSWORD, role, region)
        s.commit()


def sign_in(browser: Any, server: str, username: str, locale: str, **kw: Any) -> Any:
    context = browser.new_context(locale=locale, viewport=DESKTOP, **kw)
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def axe_in_three(page: Any, server: str, path: str) -> None:
    """0 axe violations on ``path`` in zh, bo and en (the language switch, then back)."""
    start = page.evaluate("document.documentElement.lang")
    for code in ("zh", "bo", "en"):
        page.goto(server + f"/lang/{code}?next={path}")
        assert violations(page) == [], (path, code)
    back = {"zh-CN": "zh"}.get(start, start)
    page.goto(server + f"/lang/{back}?next={path}")


def test_the_auditor_browses_and_verifies_the_log(server: str, browser: Any) -> None:
    make_users(
        ("browser.auditor", "auditor", "540000"),
        *((f"browser.bulk{i}", "analyst", "540100") for i in range(30)),
    )
    page = sign_in(browser, server, "browser.auditor", "zh-CN")
    page.click("header >> text=审计日志")  # the desk is in the menu
    assert page.url.endswith("/audit")
    assert page.locator("h1").inner_text() == "审计日志"
    assert page.locator("#audit tbody tr").count() == 25  # paged: 25 of more
    assert "1–25" in page.locator(".pager").inner_text()
    page.select_option("#action", "create")
    page.click("#filters button[type=submit]")
    actions = page.locator("#audit tbody td:nth-child(4)").all_inner_texts()
    assert actions and set(actions) == {"create"}
    assert "action=create" in page.url  # a bookmarkable, reloadable filter
    page.screenshot(path=str(ARTIFACTS / "admin-audit-zh.png"), full_page=True)
    axe_in_three(page, server, "/audit")
    # a malformed anchor is refused next to its field, in view
    page.goto(server + "/audit/verify")
    assert page.locator("#verdict h2").inner_text() == "哈希链完整"
    page.fill("#anchor", "not json")
    page.click("#anchor-form button")
    assert page.locator("#anchor-error").is_visible() and in_view(page, "#anchor-error")
    assert "锚点应为" in page.locator("#anchor-error").inner_text()
    assert page.locator("#anchor").get_attribute("aria-invalid") == "true"
    page.click("text=立即校验哈希链")  # with the field as typed, the same refusal
    page.fill("#anchor", "")
    page.click("#anchor-form button")
    assert "哈希链完整" in page.locator("#verdict").inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-audit-verify-zh.png"), full_page=True)
    axe_in_three(page, server, "/audit/verify")
    page.context.close()
    # in Tibetan
    page = sign_in(browser, server, "browser.auditor", "bo")
    page.click("header >> text=རྩིས་ཞིབ་ཟིན་ཐོ།")
    page.click("#verify-link")
    assert page.locator("#verdict h2").inner_text() == "ཧེ་ཤིའི་སྒྲིལ་མ་ཆ་ཚང་ཡོད།"
    page.screenshot(path=str(ARTIFACTS / "admin-audit-verify-bo.png"), full_page=True)
    page.context.close()


def test_two_admins_make_an_account_and_a_token(server: str, browser: Any) -> None:
    from minsheng.auth.models import ApiToken, User
    from minsheng.db import make_engine, make_sessionmaker

    make_users(("browser.admin1", "admin", "540000"), ("browser.admin2", "admin", "540000"))
    page = sign_in(browser, server, "browser.admin1", "zh-CN")
    page.click("header >> text=用户、角色与令牌")
    assert page.url.endswith("/admin/users")
    page.fill("#new-username", "browser.newcw")
    page.fill("#new-display_name", "拉萨新经办")
    page.select_option("#new-role", "caseworker")
    page.select_option("#new-region_code", "540100")
    page.fill("#new-password", "short")
    page.click("#new-user button[type=submit]")
    # refused: the message beside the password, in view; what was typed is kept
    assert page.locator("#new-password-error").is_visible() and in_view(page, "#new-password")
    assert "密码至少10个字符" in page.locator("#new-password-error").inner_text()
    assert page.input_value("#new-username") == "browser.newcw"
    assert page.input_value("#new-role") == "caseworker"
    page.screenshot(path=str(ARTIFACTS / "admin-users-error-zh.png"), full_page=True)
    page.fill("#new-password", "correct-horse-2")
    page.click("#new-user button[type=submit]")
    assert "另一名管理员批准其角色后即启用" in page.locator(".flash").inner_text()
    assert "等待另一名管理员批准" in page.locator("#user-state").inner_text()
    new_user_path = page.url.removeprefix(server)
    page.screenshot(path=str(ARTIFACTS / "admin-user-pending-zh.png"), full_page=True)
    # the maker is not offered the approval of their own request
    page.click("text=待批准的角色")
    row = page.locator("#grants tr", has_text="browser.newcw")
    assert "须由另一名管理员决定" in row.inner_text() and row.locator("button").count() == 0
    axe_in_three(page, server, "/admin/grants")
    axe_in_three(page, server, "/admin/users")
    axe_in_three(page, server, new_user_path)
    page.context.close()

    # the second admin, in Tibetan, approves it
    other = sign_in(browser, server, "browser.admin2", "bo")
    other.goto(server + "/admin/grants")
    row = other.locator("#grants tr", has_text="browser.newcw")
    row.locator("button.primary").click()
    assert "འགན་ཁུར་ལ་ཆོག་མཆན་སྤྲད་ཟིན།" in other.locator(".flash").inner_text()
    assert other.locator("#grants tr", has_text="browser.newcw").count() == 0
    other.screenshot(path=str(ARTIFACTS / "admin-grants-bo.png"), full_page=True)
    # a token that reads personal data for a colleague's account: refused, said in view
    other.goto(server + new_user_path)
    assert other.locator("#user-state .job-done").count() == 1  # open now
    other.fill("#token-name", "HIS")
    other.check("#token-scope-registry-read")
    other.click("#token-form button[type=submit]")
    summary = other.locator("#token-form .error-summary")
    assert summary.is_visible() and "མི་སྒེར་གྱི་ཆ་འཕྲིན་ཀློག་པའི་ལག་ཁྱེར" in summary.inner_text()
    # the answer opens at the form: awaited, as the browser scrolls to #token-area after the
    # load (read at once, the check raced the scroll in a full run)
    other.wait_for_function(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        arg="#token-form .error-summary",
        timeout=10_000,
    )
    assert other.input_value("#token-name") == "HIS"
    other.context.close()

    # a service account's token: shown once, then revoked
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        before = len(s.query(ApiToken).all())
    page = sign_in(browser, server, "browser.admin1", "zh-CN")
    page.goto(server + "/admin/users")
    page.fill("#new-username", "browser.his")
    page.select_option("#new-role", "analyst")
    page.check("#new-service_account")
    page.click("#new-user button[type=submit]")
    assert "账户已创建" in page.locator(".flash").inner_text()
    page.fill("#token-name", "统计报表系统")
    page.check("#token-scope-aggregates-read")
    page.click("#token-form button[type=submit]")
    secret = page.locator("#secret").inner_text()
    assert in_view(page, "#secret")
    assert secret.startswith("msk_") and "只显示这一次" in page.locator("#secret-box").inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-token-once-zh.png"), full_page=True)
    assert violations(page) == []
    his_path = page.url.removeprefix(server).split("/tokens")[0]  # the account's page
    page.goto(server + his_path)  # shown once: a fresh look has only its first characters
    assert secret not in page.content() and secret[:12] in page.content()
    page.locator("#user-tokens button").click()
    assert "令牌已吊销" in page.locator(".flash").inner_text()
    assert "已吊销" in page.locator("#user-tokens").inner_text()
    page.click("text=API 令牌")
    assert "browser.his" in page.locator("#tokens").inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-tokens-zh.png"), full_page=True)
    axe_in_three(page, server, "/admin/tokens")
    page.context.close()
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        assert len(s.query(ApiToken).all()) == before + 1  # the refused one was not made
        assert s.query(User).filter_by(username="browser.newcw").one().active


def test_the_supervisor_runs_the_roll_and_a_scan(server: str, browser: Any) -> None:
    from sqlalchemy import func, select

    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.jobs import JobRun

    assert BROWSER_APP  # the server is up
    make_users(("browser.sup", "supervisor", "540000"))
    month = f"{dt.date.today():%Y-%m}"
    page = sign_in(browser, server, "browser.sup", "zh-CN")
    # the supervisor has many desks: they stand in one menu per programme, opened first
    page.click('header details.group:has(a:text("发放与预警扫描")) > summary')
    page.click("header >> text=发放与预警扫描")
    assert page.url.endswith("/assistance/runs")
    assert page.input_value("#payroll-month") == month
    page.select_option("#payroll-region", "540100")
    page.screenshot(path=str(ARTIFACTS / "admin-runs-zh.png"), full_page=True)
    page.dblclick("#payroll-form button[type=submit]")  # an impatient double click
    # the second click aborts the first navigation: wait for the job's page itself, not for
    # one navigation (a loaded machine reported the aborted one as an error)
    page.wait_for_selector("#job[data-state='done']", timeout=30_000)  # the page follows it
    assert re.search(r"/assistance/runs/\d+", page.url), page.url
    result = page.locator("#job-result").inner_text()
    assert "本次新增发放笔数" in result and "本月发放总额" in result
    assert page.locator("#job-bar").get_attribute("value") == "2"
    assert page.locator("text=下载本月花名册（CSV）").count() == 1
    page.screenshot(path=str(ARTIFACTS / "admin-run-payroll-zh.png"), full_page=True)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        jobs_for_month = s.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.subject == month)
        )
    assert jobs_for_month == 1  # the double click started one job
    job_path = page.url.removeprefix(server)
    axe_in_three(page, server, job_path)
    axe_in_three(page, server, "/assistance/runs")
    page.goto(server + "/assistance/runs")
    assert page.locator("#jobs tbody tr").count() == 1
    page.context.close()

    # in Tibetan, without JavaScript: the scan, followed by the reload link
    page = sign_in(browser, server, "browser.sup", "bo", java_script_enabled=False)
    page.goto(server + "/assistance/runs")
    assert page.locator("h1").inner_text() == "འགྲེམ་སྤྲོད་དང་ཉེན་བརྡའི་ཞིབ་བཤེར།"
    page.select_option("#scan-region", "540000")
    page.click("#scan-form button[type=submit]")
    assert "ལས་འགུལ་འགོ་ཚུགས་ཟིན།" in page.locator(".flash").inner_text()
    for _ in range(60):
        if page.locator("#job").get_attribute("data-state") != "running":
            break
        page.click("#job-reload")
    assert page.locator("#job").get_attribute("data-state") == "done"
    assert "ཞིབ་བཤེར་བྱས་པའི་ཁྱིམ་ཚང་།" in page.locator("#job-result").inner_text()
    assert page.locator("#job-bar").get_attribute("value") == "7"  # one step a prefecture
    page.screenshot(path=str(ARTIFACTS / "admin-run-scan-bo.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_the_desks_fit_a_375_px_phone(server: str, browser: Any, lang: str) -> None:
    make_users(
        (f"phone.admin.{lang}", "admin", "540000"),
        (f"phone.auditor.{lang}", "auditor", "540000"),
        (f"phone.sup.{lang}", "supervisor", "540000"),
    )
    desks = {
        f"phone.admin.{lang}": ["/admin/users", "/admin/users/1", "/admin/grants", "/admin/tokens"],
        f"phone.auditor.{lang}": ["/audit", "/audit/verify"],
        f"phone.sup.{lang}": ["/assistance/runs"],
    }
    wide = {}
    for who, paths in desks.items():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
        context.add_cookies([{"name": "lang", "value": lang, "url": server}])
        page = context.new_page()
        page.goto(server + "/login")
        page.fill("#username", who)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        for path in paths:
            page.goto(server + path)
            assert page.url == server + path  # signed in, on the page itself
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide[path] = width
        if who.startswith("phone.admin"):
            page.goto(server + "/admin/users")
            page.screenshot(path=str(ARTIFACTS / f"admin-users-phone-{lang}.png"), full_page=True)
        context.close()
    assert not wide, wide
