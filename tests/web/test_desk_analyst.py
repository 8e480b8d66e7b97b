"""The analyst's day at the bench in a real browser, in Chinese and in Tibetan: open the bench,
see Lhasa's own 低保 standard (440) beside the region's (700), have a negative figure refused
next to its field, change Lhasa only, run, find the result in view with its charts drawn (units
on the axes), save, open the shared link as another analyst, compare two scenarios, download
the CSV; axe finds nothing on any of the pages in zh, bo and en; the result page's weight and
its load on slow 3G are measured."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.web.a11y import in_view, violations
from tests.web.test_browser import ARTIFACTS, BROWSER_APP, BROWSER_DB, browser, server

__all__ = ["browser", "server"]
pytestmark = pytest.mark.browser

URBAN = 0  # assistance.dibao.standard.urban_monthly is the bench's first parameter
LHASA, SHIGATSE, REGION = "540100", "540200", "540000"
SLOW_3G = {  # Chrome DevTools' "Slow 3G" preset
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 // 8,
    "uploadThroughput": 400 * 1000 // 8,
}
OLD_WEIGHT = 1_140_000  # bytes the result page weighed with the whole ECharts bundle


def cell(code: str, i: int = URBAN) -> str:
    return f"#p{i}-{code}"


@pytest.fixture(scope="module")
def analysts(server: str) -> str:
    from minsheng.auth import users
    from minsheng.db import make_engine, make_sessionmaker
    from minsheng.foundation.principals import system
    from minsheng.sim import population

    settings = BROWSER_APP[0].state.settings  # type: ignore[attr-defined]
    population.write(settings.data_dir / "sim" / "population", 20_000, seed=3, year=2026)
    with make_sessionmaker(make_engine(BROWSER_DB[0]))() as s:
        for name in ("bench.analyst", "second.analyst"):
            users.create_user(s, system("test"), name, "correct-horse-1", "analyst", REGION)
        s.commit()
    return server


def _sign_in(browser: Any, server: str, user: str, locale: str, lang: str) -> tuple[Any, Any]:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(server + f"/lang/{lang}?next=/login")
    page.goto(server + "/login?next=/analysis")
    page.fill("#username", user)
    page.fill("#password", "correct-horse-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/analysis$"))
    return context, page


def _clean(page: Any, what: str) -> None:
    found = violations(page)
    assert found == [], f"{what}: {found}"


def _charts_drawn(page: Any) -> str:
    for chart in ("programmes", "prefectures", "deciles", "poverty"):
        page.wait_for_selector(f"#chart-{chart}[data-rendered='1'] svg", timeout=20_000)
    return str(
        page.evaluate(
            "[...document.querySelectorAll('.chart svg')].map(s => s.textContent).join('|')"
        )
    )


def _change_of(page: Any, code: str) -> str:
    return str(page.locator(f"#by-prefecture tr[data-area='{code}'] td").nth(2).inner_text())


def test_analysts_day_in_chinese(analysts: str, browser: Any) -> None:
    server = analysts
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _sign_in(browser, server, "bench.analyst", "zh-CN", "zh")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # the values by prefecture: Lhasa's own 440 beside the region's 700
    lhasa = page.locator(f"[data-area='{LHASA}']").first
    assert lhasa.locator(".current").inner_text() == "440"
    assert "本地标准" in lhasa.inner_text()
    assert page.locator(f"[data-area='{REGION}']").first.locator(".current").inner_text() == "700"
    assert page.locator(f"[data-area='{SHIGATSE}']").first.locator(".current").inner_text() == "700"
    assert "拉萨市" in page.locator("#param-0 .keeps").inner_text()  # it says who keeps its own
    _clean(page, "bench zh")
    page.screenshot(path=str(ARTIFACTS / "analysis-bench-zh.png"), full_page=False)

    # a negative standard: refused, the message next to the field and in view, nothing run
    page.fill(cell(LHASA), "-100")
    page.click("#reform-form button[type=submit]")
    error = page.locator(f"{cell(LHASA)}-error")
    assert "不能为负数" in error.inner_text() and "拉萨市" in error.inner_text()
    assert in_view(page, f"{cell(LHASA)}-error", whole=False), "the error is out of view"
    assert page.locator("#result").count() == 0
    assert page.locator(cell(LHASA)).input_value() == "-100"
    _clean(page, "bench with an error zh")
    page.screenshot(path=str(ARTIFACTS / "analysis-error-zh.png"), full_page=False)

    # Lhasa only: the result comes into view, only Lhasa's cost moves
    page.fill(cell(LHASA), "600")
    page.fill("#start", "2026-01-01")
    page.click("#reform-form button[type=submit]")
    page.wait_for_selector("#result")
    assert page.url.endswith("#result")
    assert in_view(page, "#result h2", whole=False), "the result is out of view"
    assert _change_of(page, LHASA) != "¥0.00" and _change_of(page, SHIGATSE) == "¥0.00"
    changes = page.locator("#changes").inner_text()
    assert "拉萨市" in changes and "600" in changes
    assert page.locator("#poverty tr[data-area='540100']").count() == 1
    svg = _charts_drawn(page)
    assert "万元" in svg and "人" in svg and "元" in svg and "%" in svg  # units on the axes
    # no chart's title is drawn over its legend: titles are captions outside the chart
    assert page.locator(".chart svg text", has_text="各项目变化").count() == 0
    _clean(page, "result zh")
    page.screenshot(path=str(ARTIFACTS / "analysis-result-zh.png"), full_page=True)

    # save and share
    page.fill("#save-name", "拉萨城市低保提至600元")
    page.click("#save-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/analysis/scenarios/\d+$"))
    first = page.url
    assert "方案已保存" in page.locator(".flash").inner_text()
    assert "bench.analyst" in page.locator("#saved-by").inner_text()
    _charts_drawn(page)
    _clean(page, "scenario zh")
    page.screenshot(path=str(ARTIFACTS / "analysis-scenario-zh.png"), full_page=True)

    # a second reform, of the region: Lhasa keeps its own
    page.goto(server + "/analysis")
    page.fill(cell(REGION), "800")
    page.fill("#start", "2026-01-01")
    page.click("#reform-form button[type=submit]")
    page.wait_for_selector("#result")
    assert _change_of(page, LHASA) == "¥0.00" and _change_of(page, SHIGATSE) != "¥0.00"
    page.fill("#save-name", "全区城市低保800元")
    page.click("#save-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/analysis/scenarios/\d+$"))
    assert not errors, errors
    context.close()

    # another analyst opens the shared link, compares, downloads the CSV
    context, page = _sign_in(browser, server, "second.analyst", "zh-CN", "zh")
    page.goto(first)
    assert "拉萨城市低保提至600元" in page.locator("h1").inner_text()
    assert "bench.analyst" in page.locator("#saved-by").inner_text()
    page.click("#open-in-form")
    assert page.locator(cell(LHASA)).input_value() == "600"
    page.goto(server + "/analysis/scenarios")
    _clean(page, "scenarios zh")
    for box in page.locator("input[name=ids]").all()[:2]:
        box.check()
    page.click("#compare-form button[type=submit]")
    table = page.locator("#comparison").inner_text()
    assert "拉萨城市低保提至600元" in table and "全区城市低保800元" in table and "全部项目" in table
    _clean(page, "compare zh")
    page.screenshot(path=str(ARTIFACTS / "analysis-compare-zh.png"), full_page=True)
    page.goto(first)
    with page.expect_download() as got:
        page.click("#csv")
    body = Path(got.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "section,key,name_zh,baseline,reform,change,unit"
    assert re.search(r"^prefecture,540200,日喀则市,[\d.]+,[\d.]+,0\.00,yuan\r?$", text, re.M)
    assert "programme,dibao,最低生活保障" in text
    context.close()


def test_analysts_day_in_tibetan(analysts: str, browser: Any) -> None:
    server = analysts
    context, page = _sign_in(browser, server, "bench.analyst", "bo", "bo")
    assert page.locator("html").get_attribute("lang") == "bo"
    lhasa = page.locator(f"[data-area='{LHASA}']").first
    assert lhasa.locator(".current").inner_text() == "440"
    assert "རང་གི་གྲངས་ཐང་" in lhasa.inner_text()
    _clean(page, "bench bo")
    page.fill(cell(LHASA), "-5")
    page.click("#reform-form button[type=submit]")
    error = page.locator(f"{cell(LHASA)}-error [lang=bo]")
    assert "ཀླད་ཀོར་ལས་ཆུང་བ" in error.inner_text()
    assert in_view(page, f"{cell(LHASA)}-error", whole=False)
    _clean(page, "bench with an error bo")
    page.screenshot(path=str(ARTIFACTS / "analysis-error-bo.png"), full_page=False)
    page.fill(cell(LHASA), "600")
    page.fill("#start", "2026-01-01")
    page.click("#reform-form button[type=submit]")
    page.wait_for_selector("#result")
    assert in_view(page, "#result h2", whole=False)
    svg = _charts_drawn(page)
    assert "ཁྲི་སྒོར" in svg and "མི" in svg  # the axes' units in Tibetan
    _clean(page, "result bo")
    page.screenshot(path=str(ARTIFACTS / "analysis-result-bo.png"), full_page=True)
    page.fill("#save-name", "ལྷ་ས། 600")
    page.click("#save-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/analysis/scenarios/\d+$"))
    assert "འཆར་གཞི་ཉར་ཟིན" in page.locator(".flash").inner_text()
    _clean(page, "scenario bo")
    page.goto(server + "/analysis")  # a second reform, of the region, to compare with
    page.fill(cell(REGION), "800")
    page.fill("#start", "2026-01-01")
    page.click("#reform-form button[type=submit]")
    page.fill("#save-name", "ལྗོངས་ཡོངས། 800")
    page.click("#save-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/analysis/scenarios/\d+$"))
    page.goto(server + "/analysis/scenarios")
    _clean(page, "scenarios bo")
    for box in page.locator("input[name=ids]").all()[:2]:
        box.check()
    page.click("#compare-form button[type=submit]")
    assert page.locator("#comparison").count() == 1
    _clean(page, "compare bo")
    page.goto(server + "/analysis/compare?ids=1")
    assert "བསྡུར་བར་འཆར་གཞི" in page.locator("#ids-error").inner_text()
    _clean(page, "compare refused bo")
    context.close()


def test_every_bench_page_is_clean_in_english(analysts: str, browser: Any) -> None:
    server = analysts
    context, page = _sign_in(browser, server, "second.analyst", "en", "en")
    _clean(page, "bench en")
    page.fill(cell(REGION, 2), "9")  # the 低保边缘 factor: out of its range
    page.click("#reform-form button[type=submit]")
    assert "between" in page.locator(f"{cell(REGION, 2)}-error").inner_text()
    _clean(page, "bench with an error en")
    page.goto(server + "/analysis/scenarios")
    _clean(page, "scenarios en")
    page.locator("#scenarios a").first.click()
    _charts_drawn(page)
    _clean(page, "scenario en")
    page.goto(server + "/analysis/scenarios")
    for box in page.locator("input[name=ids]").all()[:2]:
        box.check()
    page.click("#compare-form button[type=submit]")
    _clean(page, "compare en")
    context.close()


def test_the_result_page_is_light_on_slow_3g(analysts: str, browser: Any) -> None:
    """A saved scenario's page (the result with its four charts), loaded on slow 3G: the bytes
    it transfers (the charts bundle is only the parts used) and the time until the charts are
    drawn. The figures are written to tests/artifacts/analysis-weight.txt."""
    server = analysts
    context, page = _sign_in(browser, server, "bench.analyst", "zh-CN", "zh")
    page.goto(server + "/analysis/scenarios")
    link = page.locator("#scenarios a").first.get_attribute("href")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    t0 = time.monotonic()
    page.goto(server + str(link), wait_until="commit")
    _charts_drawn(page)
    drawn = time.monotonic() - t0
    page.wait_for_load_state("load")
    first_table = float(
        page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime / 1000")
    )
    weight = sum(sizes.values())
    by_url = {urls.get(k, k): v for k, v in sizes.items()}
    (ARTIFACTS / "analysis-weight.txt").write_text(
        f"result page on slow 3G (400 kbit/s, 400 ms): {weight} bytes transferred, "
        f"first contentful paint (the tables) at {first_table:.1f} s, charts drawn at {drawn:.1f} s\n"
        + "".join(f"  {v:>8}  {u}\n" for u, v in sorted(by_url.items(), key=lambda x: -x[1]))
    )
    assert not any("echarts.min.js" in u for u in by_url), by_url  # the whole bundle is gone
    assert weight < OLD_WEIGHT / 2, by_url
    assert drawn < 27, drawn  # was 27 s with the whole bundle
    context.close()
