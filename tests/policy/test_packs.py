"""Region packs (issue 16 item 9): a folder of YAML configuring a pooling region beside Tibet's
files — loaded whole or not at all, every problem naming its file, path and rule."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.core.errors import MinshengError, tibetan_fallback
from minsheng.policy import load
from minsheng.policy.packs import ENV, apply_packs, read_pack, use_packs
from minsheng.policy.parameters import ParameterTree

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "region-pack-shigatse"
SCALE = "medical.critical_illness.scale"
D = dt.date
runner = CliRunner()


@pytest.fixture(scope="module")
def tibet() -> ParameterTree:
    return load()


@pytest.fixture(scope="module")
def packed(tibet: ParameterTree) -> ParameterTree:
    return apply_packs(tibet, [EXAMPLE])


def _values(tree: ParameterTree, region: str | None, day: dt.date) -> dict[str, object]:
    out: dict[str, object] = {}
    snap = tree.at(day, region)
    for leaf in tree.leaves():
        try:
            out[leaf.path] = snap.info(leaf.path).value
        except MinshengError:
            out[leaf.path] = None  # not yet in force on that day
    return out


@pytest.mark.parametrize("region", [None, "540000", "540100", "540102", "540300", "540600"])
@pytest.mark.parametrize("day", [D(2025, 6, 1), D(2026, 6, 1)])
def test_other_regions_keep_every_value(
    tibet: ParameterTree, packed: ParameterTree, region: str | None, day: dt.date
) -> None:
    assert _values(packed, region, day) == _values(tibet, region, day)
    assert packed.at(day, region).scale(SCALE) == tibet.at(day, region).scale(SCALE)


def test_the_pack_region_and_its_counties_get_the_packs_values(
    tibet: ParameterTree, packed: ParameterTree
) -> None:
    pack = read_pack(EXAMPLE)
    changed = {p for o in pack.overlays for p in o.changes if ".brackets[3]" not in p}
    for region in ("540200", "540202"):  # 日喀则市 and 桑珠孜区 inside it
        before = _values(tibet, region, D(2026, 6, 1))
        after = _values(packed, region, D(2026, 6, 1))
        assert {p for p in after if after[p] != before[p]} == changed
        snap = packed.at(D(2026, 6, 1), region)
        assert snap["assistance.dibao.standard.urban_monthly"] == 76_000
        assert snap["assistance.dibao.gap_method"] == "per_capita"
        assert snap["medical.assistance.annual_cap.ordinary"] == 12_000_000
        info = snap.info("assistance.dibao.standard.urban_monthly")
        assert info.source == "region:540200" and info.status == "assumed"
        assert info.reference[0].href == "illustrative"  # the pack's reference
    # before the pack's dates the region has Tibet's values
    assert _values(packed, "540200", D(2025, 6, 1)) == _values(tibet, "540200", D(2025, 6, 1))


def test_the_pack_removes_one_bracket_and_adds_another(
    tibet: ParameterTree, packed: ParameterTree
) -> None:
    """Tibet's 0 / 5万 / 10万 at 60/70/80 %; the pack's 0 / 10万 / 20万 at 60/80/90 %: on a
    300,000-yuan amount Tibet pays 30,000 + 35,000 + 160,000 = 225,000 and the pack
    60,000 + 80,000 + 90,000 = 230,000."""
    day = D(2026, 6, 1)
    base, pack = tibet.at(day, "540200").scale(SCALE), packed.at(day, "540200").scale(SCALE)
    assert base.thresholds == (0, 5_000_000, 10_000_000)
    assert pack.thresholds == (0, 10_000_000, 20_000_000)
    assert pack.rates == (Decimal("0.6"), Decimal("0.8"), Decimal("0.9"))
    assert base.calc(30_000_000) == 22_500_000
    assert pack.calc(30_000_000) == 23_000_000
    assert base.calc(7_500_000) == 4_750_000 and pack.calc(7_500_000) == 4_500_000
    assert [i.path for i in pack.infos][-2:] == [
        f"{SCALE}.brackets[3].threshold",
        f"{SCALE}.brackets[3].rate",
    ]
    assert packed.at(D(2025, 12, 31), "540200").scale(SCALE) == tibet.at(D(2025, 12, 31)).scale(
        SCALE
    )


# ------------------------------------------------------------------------------ bad packs


def _pack(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(EXAMPLE, root)
    for rel, text in files.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            f.write_bytes(text)
        else:
            f.write_text(text, encoding="utf-8")
    return root


OVERLAY = "overlays/more.yaml"
URBAN = "parameters/assistance/dibao/standard/urban_monthly.yaml"
BAD = [
    (  # a typo in a path
        {
            OVERLAY: "changes:\n  assistance.dibao.standard.urban_montly:\n    values: {2026-01-01: {value: 1}}\n"
        },
        OVERLAY,
        "assistance.dibao.standard.urban_montly",
        "unknown_parameter",
    ),
    (  # thresholds out of order: the 10万 bracket moved above the pack's added 20万
        {
            OVERLAY: "changes:\n"
            f"  {SCALE}.brackets[2].threshold:\n    values: {{2026-01-01: {{value: 250000}}}}\n"
        },
        OVERLAY,
        SCALE,
        "thresholds_not_ascending",
    ),
    (  # a rate above 1
        {
            OVERLAY: f"changes:\n  {SCALE}.brackets[0].rate:\n    values: {{2026-01-01: {{value: 1.2}}}}\n"
        },
        OVERLAY,
        f"{SCALE}.brackets[0].rate",
        "out_of_range",
    ),
    (  # a bad date, in the mirrored tree
        {URBAN: "metadata: {unit: currency-CNY}\nvalues:\n  2026-13-01: {value: 760}\n"},
        URBAN,
        "assistance.dibao.standard.urban_monthly",
        "date_format",
    ),
    (  # a file that is not YAML
        {OVERLAY: "changes:\n  medical.x: [unclosed\n"},
        OVERLAY,
        "line ",
        "not_yaml",
    ),
    (  # a file that is not UTF-8 (GBK)
        {OVERLAY: "description: 日喀则\nchanges: {}\n".encode("gbk")},
        OVERLAY,
        "",
        "not_utf8",
    ),
    (  # a word for an amount (the mirrored tree)
        {
            "parameters/medical/critical_illness/deductible.yaml": "values: {2026-01-01: {value: x}}\n"
        },
        "deductible.yaml",
        "medical.critical_illness.deductible",
        "value_type",
    ),
    (  # a unit other than the leaf's
        {
            OVERLAY: "changes:\n  assistance.dibao.standard.rural_yearly:\n    unit: /1\n    values: {2026-01-01: {value: 1}}\n"
        },
        OVERLAY,
        "assistance.dibao.standard.rural_yearly",
        "unit_mismatch",
    ),
    (  # a bracket added with a gap in the indices
        {
            OVERLAY: f"changes:\n  {SCALE}.brackets[5].threshold:\n    values: {{2026-01-01: {{value: 1}}}}\n"
            f"  {SCALE}.brackets[5].rate:\n    values: {{2026-01-01: {{value: 0.5}}}}\n"
        },
        OVERLAY,
        f"{SCALE}.brackets[5]",
        "bracket_gap",
    ),
    (  # half a bracket removed
        {
            OVERLAY: f"changes:\n  {SCALE}.brackets[2].rate:\n    values: {{2026-01-01: {{value: null}}}}\n"
        },
        OVERLAY,
        SCALE,
        "bracket_incomplete",
    ),
    (  # a layer the chain does not have (medical.layers.order lists its allowed codes)
        {
            OVERLAY: "changes:\n  medical.layers.order:\n"
            "    values: {2026-01-01: {value: basic dabing assistance}}\n"
        },
        OVERLAY,
        "medical.layers.order",
        "code_not_allowed",
    ),
    (  # a pack.yaml with a typo in a key, and an unknown region
        {"pack.yaml": "name: x\nregion: '549900'\nrefrence: a\n"},
        "pack.yaml",
        "",
        "unknown_key",
    ),
]


@pytest.mark.parametrize(("files", "file", "path", "rule"), BAD)
def test_a_bad_pack_names_file_path_and_rule_and_changes_nothing(
    tmp_path: Path,
    tibet: ParameterTree,
    files: dict[str, str | bytes],
    file: str,
    path: str,
    rule: str,
) -> None:
    root = _pack(tmp_path, files)
    before = _values(tibet, "540200", D(2026, 6, 1))
    with pytest.raises(MinshengError) as err:
        apply_packs(tibet, [root])
    problems = err.value.problems
    hit = [p for p in problems if p.rule == rule]
    assert hit, [p.to_dict() for p in problems]
    assert file in hit[0].field and path in hit[0].field
    assert hit[0].zh and hit[0].en
    assert hit[0].bo and hit[0].bo != tibetan_fallback(hit[0].field)  # a Tibetan line of its own
    assert _values(tibet, "540200", D(2026, 6, 1)) == before  # the tree given is unchanged


def test_a_pack_reorders_the_chain_and_switches_layers_on(
    tmp_path: Path, tibet: ParameterTree
) -> None:
    """The layer order is a codes leaf a pack sets like any figure: the pack's region settles
    医疗救助 before 大病 and adds 倾斜救助; every other region keeps Tibet's three layers."""
    from minsheng.medical.rules import MedicalParams

    root = _pack(
        tmp_path,
        {
            OVERLAY: "changes:\n  medical.layers.order:\n    values:\n"
            "      2026-01-01: {value: basic assistance critical_illness tilted_assistance}\n"
            "  medical.tilted_assistance.ratio.dibao:\n    values: {2026-01-01: {value: 0.5}}\n"
        },
    )
    r = runner.invoke(app, ["params", "check", str(root)])
    assert r.exit_code == 0 and "medical.layers.order" in r.output, r.output
    packed = apply_packs(tibet, [root])
    day = D(2026, 6, 1)
    order = MedicalParams.from_snapshot(packed.at(day, "540200")).t.order
    assert order == ("assistance", "critical_illness", "tilted_assistance")
    for region in ("540100", "540300", None):
        tibet_order = MedicalParams.from_snapshot(packed.at(day, region)).t.order
        assert tibet_order == ("critical_illness", "assistance")
    assert packed.at(D(2025, 6, 1), "540200")["medical.layers.order"] == (
        "basic critical_illness assistance"
    )


def test_every_problem_of_a_pack_is_reported_at_once(tmp_path: Path, tibet: ParameterTree) -> None:
    root = _pack(
        tmp_path,
        {
            OVERLAY: "changes:\n  medical.nope:\n    values: {2026-01-01: {value: 1}}\n"
            "  medical.assistance.ratio.dibao:\n    values: {2026-01-01: {value: 80}}\n",
            URBAN: "values:\n  2026-02-30: {value: 760}\n",
        },
    )
    with pytest.raises(MinshengError) as err:
        apply_packs(tibet, [root])
    rules = sorted(p.rule for p in err.value.problems)
    assert rules == ["date_format", "out_of_range", "unknown_parameter"]


def test_a_second_pack_for_another_region_loads_beside(
    tmp_path: Path, tibet: ParameterTree
) -> None:
    nagqu = tmp_path / "nagqu"
    (nagqu / "overlays").mkdir(parents=True)
    (nagqu / "pack.yaml").write_text(
        "name: nagqu\nregion: '540600'\nreference: [{title: t, href: h}]\nstatus: assumed\n",
        encoding="utf-8",
    )
    (nagqu / "overlays" / "a.yaml").write_text(
        "changes:\n  assistance.dibao.standard.urban_monthly:\n"
        "    values: {2026-01-01: {value: 800}}\n",
        encoding="utf-8",
    )
    both = apply_packs(tibet, [EXAMPLE, nagqu])
    day = D(2026, 6, 1)
    path = "assistance.dibao.standard.urban_monthly"
    assert [both.at(day, r)[path] for r in (None, "540100", "540200", "540600")] == [
        70_000,
        44_000,
        76_000,
        80_000,
    ]


def test_env_and_use_packs_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "")  # recorded as unset, so that the teardown leaves it unset
    path = "assistance.dibao.standard.urban_monthly"
    bad = _pack(tmp_path, {URBAN: "values:\n  2026-01-01: {value: -5}\n"})
    try:
        with pytest.raises(MinshengError):
            use_packs([bad])
        assert __import__("os").environ[ENV] == ""  # unchanged: no pack named
        assert load().at(D(2026, 6, 1), "540200")[path] == 70_000
        use_packs([EXAMPLE])
        assert load().at(D(2026, 6, 1), "540200")[path] == 76_000
    finally:  # not monkeypatch.delenv: its undo would put the pack back for later tests
        os.environ.pop(ENV, None)
        load.cache_clear()
    assert load().at(D(2026, 6, 1), "540200")[path] == 70_000


# ------------------------------------------------------------------------------ the commands


def test_params_check_lists_the_changes_or_every_problem(tmp_path: Path) -> None:
    r = runner.invoke(app, ["params", "check", str(EXAMPLE)])
    assert r.exit_code == 0, r.output
    assert "shigatse-example → 540200: 7 changes" in r.output
    bad = _pack(
        tmp_path,
        {
            OVERLAY: "changes:\n  medical.nope:\n    values: {2026-01-01: {value: 1}}\n",
            URBAN: "values: {2026-01-01: {value: 1.001}}\n",
        },
    )
    r = runner.invoke(app, ["params", "check", str(bad)])
    assert r.exit_code == 1
    assert "[unknown_parameter]" in r.output and "[two_decimals]" in r.output
    assert "more.yaml" in r.output and "urban_monthly.yaml" in r.output


def test_params_test_runs_examples_against_a_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "")  # recorded as unset: `--region-pack` sets it for the process
    examples = str(EXAMPLE / "examples")
    try:
        r = runner.invoke(app, ["params", "test", "--region-pack", str(EXAMPLE), examples])
        assert r.exit_code == 0, r.output
        assert "3 passed, 0 failed" in r.output
    finally:  # not monkeypatch.delenv: its undo would put the pack back for later tests
        os.environ.pop(ENV, None)
        load.cache_clear()
    r = runner.invoke(app, ["params", "test", examples])  # without the pack: Tibet's figures
    assert r.exit_code == 1 and "dibao_amount: want 128001, got 110000" in r.output
    assert "bill 1 ci: want ¥100,000.00, got ¥105,000.00" in r.output


def test_the_server_reads_the_packs_of_the_environment(
    engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``MINSHENG_REGION_PACKS`` (what ``serve --region-pack`` sets for its workers): the API
    answers with the pack's values for its region, Tibet's elsewhere."""
    from fastapi.testclient import TestClient

    from tests.conftest import make_app

    monkeypatch.setenv(ENV, str(EXAMPLE))
    load.cache_clear()
    try:
        with TestClient(make_app(engine)) as c:  # type: ignore[arg-type]
            url = "/api/parameters/medical.critical_illness.scale"
            day = {"date": "2026-06-01"}
            pack = c.get(url, params={**day, "region": "540202"}).json()
            tibet = c.get(url, params={**day, "region": "540100"}).json()
        assert [b["threshold"] for b in pack["brackets"]] == [0, 10_000_000, 20_000_000]
        assert [b["threshold"] for b in tibet["brackets"]] == [0, 5_000_000, 10_000_000]
    finally:  # not monkeypatch.delenv: its undo would put the pack back for later tests
        os.environ.pop(ENV, None)
        load.cache_clear()
