"""The analyst's bench without a browser: the values by prefecture, a reform of one prefecture
or of the region (never silently of every prefecture), the refusals (negative, huge, out of
range, a prefecture that is not one) naming the field and changing nothing, and the scenario
store — save, the shared link, compare, CSV — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.sim import bench_form, population, runner
from minsheng.sim import pages as bench
from minsheng.sim.scenarios import SimScenario
from tests.conftest import make_app, staff_client

URBAN = bench_form.EDITABLE.index("assistance.dibao.standard.urban_monthly")
EDGE = bench_form.EDITABLE.index("assistance.dibao_edge.income_factor")
LHASA, SHIGATSE, REGION = "540100", "540200", "540000"
DAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bench") / "sim" / "population"
    population.write(d, 20_000, seed=4, year=2026, partition_size=10_000)
    return d


@pytest.fixture
def bench_app(engine: Engine, pop: Path) -> Any:
    app: Any = make_app(engine)
    target = Path(app.state.settings.data_dir) / "sim" / "population"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(pop, target_is_directory=True)
    return app


def analyst(app: Any, engine: Engine, name: str = "bench.analyst") -> Any:
    return staff_client(app, engine, "analyst", REGION, name)


def _cell(html: str, field: str) -> str:
    """The value in force shown beside a cell's input."""
    m = re.search(
        r'data-area="\d+">\s*<label for="' + re.escape(field.replace(".", "-")) + r'">.*?'
        r'<span class="current">([^<]+)</span>',
        html,
        re.S,
    )
    assert m, field
    return m.group(1)


def test_the_form_shows_each_prefectures_value(engine: Engine, bench_app: Any) -> None:
    with analyst(bench_app, engine) as c:
        html = c.get("/analysis").text
    assert _cell(html, bench_form.cell(URBAN, REGION)) == "700"
    assert _cell(html, bench_form.cell(URBAN, LHASA)) == "440"  # Lhasa's own, marked as such
    assert _cell(html, bench_form.cell(URBAN, SHIGATSE)) == "700"
    assert f'class="field area own" data-area="{LHASA}"' in html  # marked as its own
    assert f'class="field area" data-area="{SHIGATSE}"' in html


def test_one_prefecture_or_the_region_never_every_prefecture_silently(pop: Path) -> None:
    _, lhasa_only = bench_form.reform_of({bench_form.cell(URBAN, LHASA): "600"}, DAY)
    r = runner.run(pop, lhasa_only, "t", as_of=dt.date(2026, 6, 30))
    changed = {c for c, v in r["by_prefecture"].items() if v["reform"] != v["baseline"]}
    assert changed == {LHASA}
    assert r["poverty"][LHASA]["reform"]["people"] > r["poverty"][LHASA]["baseline"]["people"]
    # the region's value: every prefecture that follows it, and Lhasa keeps its own 440
    _, region = bench_form.reform_of({bench_form.cell(URBAN, REGION): "800"}, DAY)
    r = runner.run(pop, region, "t", as_of=dt.date(2026, 6, 30))
    changed = {c for c, v in r["by_prefecture"].items() if v["reform"] != v["baseline"]}
    assert LHASA not in changed and SHIGATSE in changed and len(changed) >= 5
    tree = runner.reform_tree(region, "t")
    assert tree.at(DAY, LHASA).info(bench_form.EDITABLE[URBAN]).value == 44000
    assert tree.at(DAY, SHIGATSE).info(bench_form.EDITABLE[URBAN]).value == 80000


@pytest.mark.parametrize(
    ("field", "typed", "rule_text"),
    [
        (bench_form.cell(URBAN, LHASA), "-100", "不能为负数"),
        (bench_form.cell(URBAN, REGION), "99999999999", "过大"),
        (bench_form.cell(URBAN, SHIGATSE), "7e2", "应为数字"),
        (bench_form.cell(URBAN, SHIGATSE), "700.123", "两位小数"),
        (bench_form.cell(EDGE, REGION), "9", "之间"),
    ],
)
def test_absurd_values_are_refused_next_to_their_field(
    engine: Engine, bench_app: Any, field: str, typed: str, rule_text: str
) -> None:
    with analyst(bench_app, engine) as c:
        r = c.post("/analysis", data={field: typed, "start": "2026-01-01", "name": "x"})
        assert r.status_code == 422
        fid = field.replace(".", "-")
        m = re.search(rf'<p class="field-error" id="{fid}-error">(.*?)</p>', r.text, re.S)
        assert m and rule_text in m.group(1), r.text[:2000]
        assert 'lang="bo"' in m.group(1)  # Tibetan beside the Chinese
        assert f'value="{typed}"' in r.text  # what was typed is kept
        assert 'id="result"' not in r.text  # nothing ran
        saved = c.post(
            "/analysis/scenarios", data={field: typed, "start": "2026-01-01", "name": "x"}
        )
        assert saved.status_code == 422
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(SimScenario)) == 0


def test_a_prefecture_that_is_not_one_is_refused(engine: Engine, bench_app: Any) -> None:
    with analyst(bench_app, engine) as c:
        r = c.post("/analysis", data={f"p{URBAN}.540199": "500", "start": "2026-01-01"})
        assert r.status_code == 422
        assert "540199" in r.text and "不是本区的地市" in r.text
        assert 'id="result"' not in r.text


def test_a_run_puts_the_result_in_view(engine: Engine, bench_app: Any) -> None:
    with analyst(bench_app, engine) as c:
        html = c.get("/analysis").text
        assert 'action="/analysis#result"' in html  # the browser scrolls to the result
        r = c.post("/analysis", data={bench_form.cell(URBAN, LHASA): "600", "start": "2026-01-01"})
    assert r.status_code == 200
    assert 'id="result"' in r.text and 'id="poverty"' in r.text
    assert 'value="600"' in r.text  # the form keeps the figure, the save form carries it


def test_save_share_compare_and_csv(engine: Engine, bench_app: Any) -> None:
    with analyst(bench_app, engine) as c:
        r = c.post(
            "/analysis/scenarios",
            data={
                bench_form.cell(URBAN, LHASA): "600",
                "start": "2026-01-01",
                "name": "拉萨城市低保600",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        first = r.headers["location"]
        assert re.fullmatch(r"/analysis/scenarios/\d+", first)
        r = c.post(
            "/analysis/scenarios",
            data={bench_form.cell(URBAN, REGION): "800", "start": "2026-01-01", "name": "=全区800"},
            follow_redirects=False,
        )
        second = r.headers["location"]
        missing = c.post(
            "/analysis/scenarios",
            data={bench_form.cell(URBAN, LHASA): "600", "start": "2026-01-01"},
        )
        assert missing.status_code == 422 and "请为方案命名" in missing.text
        assert 'id="result"' in missing.text  # the run is shown, the name asked for
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(SimScenario)) == 2
        audited = s.scalars(select(AuditEntry).where(AuditEntry.resource == "sim_scenario")).all()
        assert [a.action for a in audited] == ["create", "create"]
    # another analyst opens the shared link and sees who saved it and when
    with analyst(bench_app, engine, "other.analyst") as other:
        page = other.get(first)
        assert page.status_code == 200
        assert "拉萨城市低保600" in page.text and "bench.analyst" in page.text
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", page.text)
        form = other.get(first.replace("/analysis/scenarios/", "/analysis?scenario="))
        assert 'value="600"' in form.text
        listing = other.get("/analysis/scenarios").text
        assert "拉萨城市低保600" in listing and "=全区800" in listing
        ids = [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
        cmp = other.get("/analysis/compare", params={"ids": ids})
        assert cmp.status_code == 200 and 'id="comparison"' in cmp.text
        assert all(f'href="/analysis/scenarios/{i}"' in cmp.text for i in ids)
        assert "拉萨城市低保600" in cmp.text and "=全区800" in cmp.text
        one = other.get("/analysis/compare", params={"ids": ids[:1]})
        assert one.status_code == 422 and "2到5个方案" in one.text
        raw = other.get(first + "/results.csv")
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/csv")
    body = raw.content
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(bench_csv_header())
    lhasa = next(r for r in rows if r[0] == "prefecture" and r[1] == LHASA)
    shigatse = next(r for r in rows if r[0] == "prefecture" and r[1] == SHIGATSE)
    assert lhasa[5] != "0.00" and shigatse[5] == "0.00"
    assert any(r[0] == "below_dibao_line_people" and r[1] == "total" for r in rows)


def bench_csv_header() -> tuple[str, ...]:
    from minsheng.sim.scenario_pages import CSV_HEADER

    return CSV_HEADER


def test_only_the_analysts_roles_open_a_scenario(engine: Engine, bench_app: Any) -> None:
    with analyst(bench_app, engine) as c:
        r = c.post(
            "/analysis/scenarios",
            data={bench_form.cell(URBAN, LHASA): "600", "start": "2026-01-01", "name": "s"},
            follow_redirects=False,
        )
        link = r.headers["location"]
    with staff_client(bench_app, engine, "caseworker", LHASA, "lhasa.cw") as cw:  # type: ignore[attr-defined]
        assert cw.get(link).status_code == 403
        assert cw.get(link + "/results.csv").status_code == 403


def test_the_poverty_table_is_the_microsimulations_own_output(pop: Path) -> None:
    _, reform = bench_form.reform_of({bench_form.cell(URBAN, REGION): "900"}, DAY)
    r = runner.run(pop, reform, "t", as_of=dt.date(2026, 6, 30))
    dibao = next(p for p in r["programmes"] if p["programme"] == "dibao")
    total = r["poverty"]["total"]
    assert total["baseline"]["households"] == dibao["beneficiaries_baseline"]
    assert total["reform"]["households"] == dibao["beneficiaries_reform"]
    assert total["people"] == r["population"]["people"]
    assert total["households"] == r["population"]["households"]
    assert sum(r["poverty"][c]["people"] for c in bench_form.PREFECTURES) == total["people"]
    assert total["reform"]["people"] > total["baseline"]["people"]  # a higher line: more below
    rows = bench.poverty_rows(r, "zh")
    assert rows[-1]["total"] and rows[-1]["pb_rate"] == bench.percent(
        total["baseline"]["people"], total["people"]
    )


def test_the_store_checks_names_and_pages(engine: Engine) -> None:
    from minsheng.core.errors import MinshengError
    from minsheng.foundation.principals import system
    from minsheng.sim import scenarios

    result = {"population": {"people": 1, "seed": 1}, "total": {"change": 0}}
    with make_sessionmaker(engine)() as s:
        for bad in ("", "   ", "x" * (scenarios.NAME_MAX + 1)):
            with pytest.raises(MinshengError) as err:
                scenarios.save(
                    s, system("t"), name=bad, start=DAY, cells={}, reform={}, result=result
                )
            assert err.value.field == "name" and err.value.bo
        ids = [
            scenarios.save(
                s, system("t"), name=f" s  {i} ", start=DAY, cells={}, reform={}, result=result
            ).id
            for i in range(30)
        ]
        s.commit()
        first, total = scenarios.listing(s, 0, 25)
        assert total == 30 and len(first) == 25 and first[0].id == ids[-1]
        assert scenarios.get(s, ids[0]).name == "s 0"  # spaces folded
        rest, _ = scenarios.listing(s, 25, 25)
        assert [x.id for x in rest] == ids[:5][::-1]
        with pytest.raises(MinshengError):
            scenarios.get(s, ids[-1] + 100)


def test_every_prefecture_only_when_ticked(engine: Engine, bench_app: Any, pop: Path) -> None:
    box = bench_form.everywhere(URBAN)
    cells, reform = bench_form.reform_of({bench_form.cell(URBAN, REGION): "800", box: "on"}, DAY)
    assert cells[box] == "on"
    tree = runner.reform_tree(reform, "t")
    assert tree.at(DAY, LHASA).info(bench_form.EDITABLE[URBAN]).value == 80000  # replaced: ticked
    assert tree.at(DAY, SHIGATSE).info(bench_form.EDITABLE[URBAN]).value == 80000
    # a figure typed for Lhasa wins over the box
    _, reform = bench_form.reform_of(
        {bench_form.cell(URBAN, REGION): "800", box: "on", bench_form.cell(URBAN, LHASA): "500"},
        DAY,
    )
    assert (
        runner.reform_tree(reform, "t").at(DAY, LHASA).info(bench_form.EDITABLE[URBAN]).value
        == 50000
    )
    with analyst(bench_app, engine) as c:
        html = c.get("/analysis").text
        assert f'name="{box}"' in html  # offered where a prefecture has its own value
        assert f'name="{bench_form.everywhere(EDGE)}"' not in html  # and only there
        r = c.post(
            "/analysis",
            data={bench_form.cell(URBAN, REGION): "800", box: "on", "start": "2026-01-01"},
        )
        assert r.status_code == 200
        changes = r.text[r.text.index('id="changes"') :]
        assert "拉萨市" in changes[:3000]  # the table of changes says Lhasa is replaced too


def test_a_parameters_description_is_in_the_pages_language() -> None:
    """The files give Chinese then English: the Chinese page shows the Chinese, the English
    page the English (a scale's bracket named in words), the Tibetan page both — never the
    Chinese alone where English exists (issue 15 point 3)."""
    from minsheng.core.text import zh_en
    from minsheng.sim.pages import describe

    assert zh_en("城市低保标准（元/人/月） urban standard (yuan)") == (
        "城市低保标准（元/人/月）",
        "urban standard (yuan)",
    )
    assert zh_en("只有中文（说明）") == ("只有中文（说明）", "")
    assert zh_en("minimum living allowance (低保)") == ("minimum living allowance (低保)", "")
    assert zh_en("English only") == ("", "English only")
    path = "assistance.dibao.standard.urban_monthly"
    assert describe(path, "zh") == "城市低保标准（元/人/月）"
    assert describe(path, "en").startswith("urban minimum living standard")
    assert describe(path, "bo").startswith("城市低保标准") and "urban" in describe(path, "bo")
    bracket = "medical.critical_illness.scale.brackets[1].rate"
    assert describe(bracket, "en").endswith(": rate of bracket 2")
    assert describe(bracket, "zh").endswith("：第2段比例")
    for p in bench_form.EDITABLE:  # every editable parameter has its English
        assert describe(p, "en") and not any("\u4e00" <= ch <= "\u9fff" for ch in describe(p, "en"))
