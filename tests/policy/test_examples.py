"""``minsheng params test``: an operator's worked examples run against the configuration."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from minsheng.cli import app
from minsheng.policy.examples import read_examples

runner = CliRunner()
TESTS = Path(__file__).parent.parent
MEDICAL = TESTS / "medical" / "cases"
ASSISTANCE = TESTS / "assistance" / "cases"


def test_every_shipped_example_passes() -> None:
    r = runner.invoke(app, ["params", "test", str(MEDICAL), str(ASSISTANCE)])
    assert r.exit_code == 0, r.stdout
    total = len(read_examples([MEDICAL, ASSISTANCE]))  # a file may hold several
    assert total > len(list(MEDICAL.glob("*.yaml")))
    assert f"{total} passed, 0 failed" in r.stdout
    assert "✗" not in r.stdout
    assert "✓ dabing_segments_faq_2024 (medical)" in r.stdout  # a folder's subfolders are read


def test_every_published_example_cites_where_it_was_published() -> None:
    """``published/``: examples whose figures a region published — each names its source (a
    title, and an address or the project's seed), none is marked illustrative."""
    found = read_examples([MEDICAL / "published", ASSISTANCE / "published"])
    assert {e.programme for e in found} == {"medical", "assistance"}
    for e in found:
        ref = e.reference
        assert ref and "illustrative" not in ref and "非某地文件" not in ref, e.name
        assert "http" in ref or "seed" in ref, e.name


def test_a_miss_shows_its_place_and_both_values(tmp_path: Path) -> None:
    case = yaml.safe_load((MEDICAL / "border_resident_lhasa.yaml").read_text(encoding="utf-8"))
    case["bills"][1]["expect"]["ci"] = "292399"  # one yuan off the published figure
    case["reference"] = "拉萨市医疗保障局 算例（测试用）"
    bad = tmp_path / "off_by_one.yaml"
    bad.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    r = runner.invoke(app, ["params", "test", str(bad)])
    assert r.exit_code == 1
    assert "✗ off_by_one (medical)" in r.stdout
    assert "bill 2 ci: want ¥292,399.00, got ¥292,398.00" in r.stdout
    assert "拉萨市医疗保障局" in r.stdout and "0 passed, 1 failed" in r.stdout


def test_an_example_carries_its_own_region_figures(tmp_path: Path) -> None:
    """``parameters:`` (an overlay's changes) configures the region the example was published
    for: a 600-yuan standard gives the three-person household 600 × 3 − 1,000 = 800.00."""
    examples = {
        "examples": [
            {
                "description": "三口之家，月收入1000元，标准600元",
                "reference": "issue 16 item 7",
                "date": "2026-06-01",
                "region": None,
                "parameters": {
                    "assistance.dibao.standard.urban_monthly": {
                        "values": {"2026-01-01": {"value": 600}}
                    }
                },
                "rule": "determine",
                "inputs": {
                    "area": "urban",
                    "members": 3,
                    "income": 100000,
                    "assets": 0,
                    "rigid": 0,
                },
                "expected": {"dibao": True, "dibao_amount": 80000},
            },
            {  # the same household under the files' own 700: a miss, shown
                "date": "2026-06-01",
                "region": None,
                "rule": "determine",
                "inputs": {
                    "area": "urban",
                    "members": 3,
                    "income": 100000,
                    "assets": 0,
                    "rigid": 0,
                },
                "expected": {"dibao_amount": 80000},
            },
        ]
    }
    f = tmp_path / "pack.yaml"
    f.write_text(yaml.safe_dump(examples, allow_unicode=True), encoding="utf-8")
    assert [e.programme for e in read_examples([f])] == ["assistance", "assistance"]
    r = runner.invoke(app, ["params", "test", str(f)])
    assert r.exit_code == 1
    assert "✓ pack#1 (assistance)" in r.stdout
    assert "✗ pack#2" in r.stdout and "dibao_amount: want 80000, got 110000" in r.stdout


def test_a_bad_file_names_the_file_and_the_rule(tmp_path: Path) -> None:
    f = tmp_path / "nothing.yaml"
    f.write_text("date: 2026-06-01\ninputs: {}\n", encoding="utf-8")
    r = runner.invoke(app, ["params", "test", str(f)])
    assert r.exit_code == 1
    assert "nothing.yaml" in r.output and "example_programme" in r.output
    f.write_text("rule: nonsense\ndate: 2026-06-01\n", encoding="utf-8")
    r = runner.invoke(app, ["params", "test", str(f)])
    assert r.exit_code == 1 and "example_rule" in r.output
    f.write_text("rule: determine\ndate: 2026-06-01\ninputs: {area: urban}\n", encoding="utf-8")
    r = runner.invoke(app, ["params", "test", str(f)])
    assert r.exit_code == 1 and "example_inputs" in r.output


def test_a_bureau_example_passes_only_with_its_own_figures(tmp_path: Path) -> None:
    """渝北区医疗保障局's published split (basic → 医疗救助 → 倾斜救助) is reproduced by its own
    configuration; under the files' figures alone (Tibet's order, no 倾斜救助) it is missed, each
    layer named with the published amount."""
    path = MEDICAL / "published" / "yubei_tilted_assistance_2023.yaml"
    r = runner.invoke(app, ["params", "test", str(path)])
    assert r.exit_code == 0 and "1 passed, 0 failed" in r.stdout, r.stdout
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    del case["parameters"]
    bare = tmp_path / "yubei_files_only.yaml"
    bare.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    r = runner.invoke(app, ["params", "test", str(bare)])
    assert r.exit_code == 1 and "0 passed, 1 failed" in r.stdout
    assert "bill 1 basic: want ¥34,790.00" in r.stdout
    assert "bill 1 tilted: want ¥937.80, got ¥0.00" in r.stdout
