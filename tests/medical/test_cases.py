"""Worked examples, computed by hand (see the comments in each YAML file), settled in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from minsheng.core import money
from minsheng.medical.examples import FUNDS, MONEY_KEYS, OUTPUTS, to_row
from minsheng.medical.rules import Bills, MedicalParams, settle_in_order
from minsheng.policy import load
from minsheng.policy.examples import Example, read_examples

HERE = Path(__file__).parent / "cases"
CASES = sorted(HERE.rglob("*.yaml"))  # published/: examples a region published, each cited
OUT = {k: k for k in OUTPUTS}


def _examples(paths: list[Path]) -> list[Example]:
    return [e for e in read_examples(paths) if e.programme == "medical"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(HERE)))
def test_worked_example(path: Path) -> None:
    found = _examples([path])  # one a file, or several under ``examples:``
    assert found
    for example in found:
        case = example.data
        day = example.date
        # its own figures (``parameters:``) over the files
        # region: a division code, or null (an example published outside Tibet: the files' own)
        params = MedicalParams.from_snapshot(example.tree(load()).at(day, example.region))
        bills = Bills.of([to_row(b["bill"]) for b in case["bills"]])
        result, _ = settle_in_order(bills, params)
        for i, b in enumerate(case["bills"]):
            for key, want in b["expect"].items():
                got = int(getattr(result, OUT[key])[i])
                assert got == money.parse(str(want)), (
                    f"{example.name} bill {i + 1} {key}: {money.fmt(got)} ≠ {want}"
                )
        parts = sum((getattr(result, f) for f in FUNDS), result.patient)  # new layers: 0 in Tibet
        assert parts.tolist() == bills.total.tolist()


def test_every_rule_has_an_example() -> None:
    """The worked examples, together, exercise every branch of the rules."""
    bills = [b["bill"] for e in _examples(CASES) for b in e.data["bills"]]
    seen = {(k, str(v)) for b in bills for k, v in b.items() if k not in MONEY_KEYS}
    wanted = {
        ("scheme", "resident"),
        ("scheme", "employee_active"),
        ("scheme", "employee_retired"),
        ("visit", "inpatient"),
        ("visit", "outpatient"),
        ("level", "1"),
        ("level", "2"),
        ("level", "3"),
        ("area", "filed"),
        ("area", "unfiled"),
        ("later_admission", "True"),
        ("admission", "3"),
        ("referred_from", "2"),
        ("special", "True"),
        ("border", "True"),
        ("major_disease", "True"),
        ("group", "dibao"),
        ("group", "dibao_edge"),
    }
    assert wanted <= seen, sorted(wanted - seen)
    assert any("account_balance" in b for b in bills)
    for fact in ("age", "enrolled_years", "zero_claim_years"):  # the terms of the person
        assert any(fact in b for b in bills), fact


def test_line_items_split_by_hand() -> None:
    """甲: 2 × 50.00 = 100.00, all in the policy range.
    乙: 1 × 300.00 with a price limit of 250.00 and 10% self-pay-first: 50.00 over the limit,
        25.00 (10% of 250.00) self-paid first, 225.00 in the policy range.
    丙: 0.5 × 80.00 = 40.00, fully self-paid (out of catalogue).
    Bill: 440.00 = 40.00 全自费 + 50.00 超限价 + 25.00 先行自付 + 325.00 政策范围内."""
    import numpy as np

    from minsheng.medical.rules import Lines, split_lines

    a = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    s = split_lines(
        Lines(
            category=a(0, 1, 2),
            unit_price=a(5000, 30000, 8000),
            qty_num=a(2, 1, 1),
            qty_den=a(1, 1, 2),
            price_limit=a(-1, 25000, -1),
            first_share_num=a(0, 1, 0),
            first_share_den=a(1, 10, 1),
        )
    )
    assert s.amount.tolist() == [10000, 30000, 4000]
    assert s.full_self.tolist() == [0, 0, 4000]
    assert s.over_limit.tolist() == [0, 5000, 0]
    assert s.self_first.tolist() == [0, 2500, 0]
    assert s.policy.tolist() == [10000, 22500, 0]
