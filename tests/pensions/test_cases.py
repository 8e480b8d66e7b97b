"""Worked examples, computed by hand (the comments in each YAML file under cases/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from minsheng.core import money
from minsheng.pensions import estimate, rules
from minsheng.policy import load

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 12, 1)


def _case(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples were worked on 2026-12-01 (which parameters are 'today's')."""

    class Today(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return TODAY

    monkeypatch.setattr(estimate.dt, "date", Today)


@pytest.mark.parametrize("row", _case("retirement_ages.yaml")["cases"], ids=lambda r: r["birth"])
def test_retirement_ages(row: dict[str, Any]) -> None:
    p = rules.PensionParams.from_snapshot(load().at(TODAY))
    year, month = map(int, row["birth"].split("-"))
    got = rules.retirement(p, rules.month_index(year, month), row["sex"], row["category"])
    out = got.to_dict()
    want = row["expect"]
    assert out["retirement_date"] == want["retirement_date"]
    assert out["age"] == {"years": want["years"], "months": want["months"]}
    assert out["minimum_contribution_months"] == want["minimum_contribution_months"]


@pytest.mark.parametrize("name", ["resident_pension.yaml", "employee_pension.yaml"])
def test_pension_estimates(name: str) -> None:
    case = _case(name)
    got = estimate.estimate(load(), case["file"]).to_dict()
    want = case["expect"]
    assert got["retirement_date"] == want["retirement_date"]
    assert got["contribution_months"] == want["contribution_months"]
    assert got["account_balance"] == want["account_balance"]
    assert got["monthly_pension"] == want["monthly_pension"]
    assert {p["name"]: p["amount"] for p in got["parts"]} == want["parts"]
    closing = {y["year"]: y["closing"] for y in got["account"]}
    for year, amount in want["account"].items():
        assert closing[year] == amount, year


def test_benefits() -> None:
    case = _case("benefits.yaml")
    p = rules.PensionParams.from_snapshot(load().at(case["date"]))
    for row in case["unemployment"]:
        monthly, months = rules.unemployment_benefit(p, row["years"])
        assert money.to_str(monthly.amount) == row["expect"]["monthly"]
        assert months.amount == row["expect"]["months"]
    for row in case["maternity"]:
        (part,) = rules.maternity_allowance(
            p, money.parse(row["wage"]), row["difficult"], row["babies"]
        )
        assert money.to_str(part.amount) == row["expect"]
