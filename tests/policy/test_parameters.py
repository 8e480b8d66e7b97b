import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from minsheng.core.errors import MinshengError
from minsheng.policy import load
from minsheng.policy.files import STATUSES
from minsheng.policy.overlays import parse_overlay
from minsheng.policy.parameters import load_tree

D = dt.date


@pytest.fixture(scope="module")
def tree():  # type: ignore[no-untyped-def]
    return load()


def test_every_leaf_is_dated_cited_and_has_a_status(tree) -> None:  # type: ignore[no-untyped-def]
    leaves = list(tree.leaves())
    assert len(leaves) > 60
    for leaf in leaves:
        assert leaf.unit, leaf.path
        for e in leaf.entries:
            assert e.reference and all(r.title for r in e.reference), leaf.path
            assert e.status in STATUSES, leaf.path


def test_values_by_date(tree) -> None:  # type: ignore[no-untyped-def]
    path = "medical.employee_outpatient.deductible.active"
    assert tree.at(D(2022, 6, 1))[path] == 30000  # 300 yuan in fen
    info = tree.at(D(2023, 6, 1)).info(path)
    assert info.value == 20000
    assert info.start == D(2023, 1, 1)
    assert info.status == "assumed"  # the date of the change is assumed
    assert "seed 002" in info.reference[0].title
    assert info.unit == "currency-CNY"


def test_ratio_is_exact_decimal(tree) -> None:  # type: ignore[no-untyped-def]
    value = tree.at(D(2024, 1, 1)).medical.employee_outpatient.ratio.retired.level_2
    assert value == Decimal("0.8") and isinstance(value, Decimal)


def test_region_override_and_inheritance(tree) -> None:  # type: ignore[no-untyped-def]
    path = "medical.assistance.annual_cap.ordinary"
    day = D(2024, 3, 1)
    assert tree.at(day)[path] == 15_000_000
    assert tree.at(day, "540202")[path] == 15_000_000  # Shigatse: region-wide value
    lhasa = tree.at(day, "540100").info(path)
    assert lhasa.value == 10_000_000 and lhasa.source == "region:540100"
    assert tree.at(day, "540102")[path] == 10_000_000  # a Lhasa county inherits
    assert tree.at(D(2022, 6, 1), "540100")[path] == 15_000_000  # before the override


def test_not_in_force_names_the_parameter(tree) -> None:  # type: ignore[no-untyped-def]
    path = "medical.employee_outpatient.annual_cap"
    with pytest.raises(MinshengError) as err:
        tree.at(D(2021, 12, 31))[path]
    assert err.value.rule == "not_in_force"
    assert err.value.field == path
    assert "2022-01-01" in err.value.en


def test_unknown_parameter(tree) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MinshengError) as err:
        tree.at(D(2024, 1, 1))["medical.no_such.thing"]
    assert err.value.rule == "unknown_parameter"
    assert "medical.no_such.thing" in err.value.zh


def test_attribute_access_of_nodes(tree) -> None:  # type: ignore[no-untyped-def]
    snap = tree.at(D(2024, 1, 1))
    assert snap.medical.critical_illness.special_groups.cap_removed is True
    assert snap.assistance.dibao.standard.rural_yearly == 471_300


def reform(changes: dict, **extra):  # type: ignore[no-untyped-def,type-arg]
    return parse_overlay({"description": "test", "changes": changes, **extra}, "test-reform")


def test_reform_overlay_changes_values_from_a_date(tree) -> None:  # type: ignore[no-untyped-def]
    path = "assistance.dibao.standard.rural_yearly"
    r = tree.with_overlay(
        reform(
            {
                path: {
                    "unit": "currency-CNY",
                    "values": {D(2025, 1, 1): {"value": Decimal("5184.30")}},
                }
            }
        )
    )
    assert r.at(D(2024, 12, 31))[path] == 471_300
    info = r.at(D(2025, 1, 1)).info(path)
    assert info.value == 518_430 and info.source == "reform:test-reform"
    assert tree.at(D(2025, 1, 1))[path] == 471_300  # the base tree is untouched


def test_reform_applies_on_top_of_region_override(tree) -> None:  # type: ignore[no-untyped-def]
    path = "medical.assistance.annual_cap.ordinary"
    r = tree.with_overlay(reform({path: {"values": {D(2025, 1, 1): {"value": 200000}}}}))
    assert r.at(D(2025, 6, 1), "540100")[path] == 20_000_000
    assert r.at(D(2024, 6, 1), "540100")[path] == 10_000_000


def test_reform_of_a_scale_bracket(tree) -> None:  # type: ignore[no-untyped-def]
    path = "medical.critical_illness.scale.brackets[0].rate"
    r = tree.with_overlay(reform({path: {"values": {D(2025, 1, 1): {"value": Decimal("0.65")}}}}))
    scale = r.at(D(2025, 1, 1)).scale("medical.critical_illness.scale")
    assert scale.rates[0] == Decimal("0.65")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"medical.nope": {"values": {D(2025, 1, 1): {"value": 1}}}}, "unknown_parameter"),
        (
            {
                "medical.assistance.ratio.dibao": {
                    "unit": "currency-CNY",
                    "values": {D(2025, 1, 1): {"value": 1}},
                }
            },
            "unit_mismatch",
        ),
        (
            {"medical.assistance.ratio.dibao": {"values": {D(2025, 1, 1): {"value": 80}}}},
            "out_of_range",
        ),
        (
            {"medical.employee_outpatient.annual_cap": {"values": {D(2020, 1, 1): {"value": 1}}}},
            "before_first_value",
        ),
        (
            {"medical.employee_outpatient.annual_cap": {"values": {D(2025, 1, 1): {"value": "x"}}}},
            "value_type",
        ),
        (
            {
                "medical.employee_outpatient.annual_cap": {
                    "values": {D(2025, 1, 1): {"value": Decimal("1.234")}}
                }
            },
            "two_decimals",
        ),
    ],
)
def test_bad_reforms_fail_before_any_computing(tree, changes, rule) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MinshengError) as err:
        tree.with_overlay(reform(changes))
    assert err.value.rule == rule
    assert err.value.zh and err.value.en


def test_overlay_file_round_trip(tmp_path: Path, tree) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "raise-dibao.yaml"
    f.write_text(
        "description: 农村低保标准提高10%\n"
        "reference: [{title: 测算方案, href: internal}]\n"
        "changes:\n"
        "  assistance.dibao.standard.rural_yearly:\n"
        "    unit: currency-CNY\n"
        "    values:\n"
        "      2026-01-01: {value: 5184.3}\n",
        encoding="utf-8",
    )
    r = tree.with_overlay(f)
    assert r.at(D(2026, 1, 1)).assistance.dibao.standard.rural_yearly == 518_430


def _write(base: Path, rel: str, text: str) -> None:
    p = base / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "description: x\nreference: [{title: t}]\nmetadata: {status: official}\nvalues: {2024-01-01: {value: 1}}\n",
            "unit_missing",
        ),
        (
            "description: x\nmetadata: {unit: /1, status: official}\nvalues: {2024-01-01: {value: 0.1}}\n",
            "reference_missing",
        ),
        (
            "description: x\nreference: [{title: t}]\nmetadata: {unit: /1}\nvalues: {2024-01-01: {value: 0.1}}\n",
            "status_missing",
        ),
        (
            "description: x\nreference: [{title: t}]\nmetadata: {unit: /1, status: official, range: [0, 1]}\nvalues: {2024-01-01: {value: 2}}\n",
            "out_of_range",
        ),
        (
            "description: x\nreference: [{title: t}]\nmetadata: {unit: currency-CNY, status: official}\nvalues: {2024-01-01: {value: 0.001}}\n",
            "two_decimals",
        ),
    ],
)
def test_malformed_parameter_files_are_refused(tmp_path: Path, text: str, rule: str) -> None:
    _write(tmp_path, "a/b.yaml", text)
    with pytest.raises(MinshengError) as err:
        load_tree(tmp_path, None)
    assert err.value.rule == rule
    assert "a.b" in err.value.field


def test_value_level_reference_and_status_override_leaf_defaults(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "x.yaml",
        "description: x\nreference: [{title: leaf}]\nmetadata: {unit: currency-CNY, status: official}\n"
        "values:\n  2024-01-01: {value: 10}\n"
        "  2025-01-01: {value: 12, reference: [{title: notice, href: h}], metadata: {status: assumed}}\n",
    )
    t = load_tree(tmp_path, None)
    old, new = t.at(D(2024, 6, 1)).info("x"), t.at(D(2025, 6, 1)).info("x")
    assert (old.value, old.reference[0].title, old.status) == (1000, "leaf", "official")
    assert (new.value, new.reference[0].title, new.status) == (1200, "notice", "assumed")


@pytest.mark.parametrize(
    ("path", "typed", "rule"),
    [
        ("medical.person.age.from_age", "abc", "value_type"),
        ("medical.person.age.from_age", True, "value_type"),
        ("medical.person.age.from_age", "nan", "value_type"),
        ("medical.person.age.from_age", 50.5, "whole_number"),
        ("medical.person.age.from_age", "1e400", "out_of_range"),
        ("medical.person.age.from_age", -2_000_000, "out_of_range"),
        ("medical.person.schemes", 5, "value_type"),
    ],
)
def test_an_overlay_value_of_another_kind_is_refused(path: str, typed: object, rule: str) -> None:
    """A leaf in years, days or codes takes a value of its shipped kind: a string where the
    rules read a number passed the checks and crashed the window (an assertion, a 500) at the
    first bill; a huge one would wrap in int64."""
    from minsheng.core.errors import ValidationError

    change = {path: {"values": {dt.date(2022, 1, 1): {"value": typed}}}}
    with pytest.raises(ValidationError) as err:
        load().with_overlay(parse_overlay({"changes": change}, "typed"))
    assert err.value.rule == rule and path in err.value.field


def test_an_overlay_number_typed_as_text_is_read_as_the_number() -> None:
    path = "medical.person.age.from_age"
    change = {path: {"values": {dt.date(2022, 1, 1): {"value": " 50 "}}}}
    tree = load().with_overlay(parse_overlay({"changes": change}, "typed"))
    assert tree.at(dt.date(2026, 1, 2), "540100")[path] == 50
