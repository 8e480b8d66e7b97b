"""The wage-deposit and blacklist rules: the worked examples of tests/wages/cases/deposits.yaml
at every boundary (rate, exemption, cap, rounding, deadlines over Spring Festival and Losar,
listing criteria and terms), and a property: no sequence of movements takes the balance
below zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.core import money
from minsheng.core.errors import MinshengError
from minsheng.policy import load
from minsheng.wages import deposit_rules as r
from minsheng.wages import rules as published

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "deposits.yaml").read_text("utf-8"))


def _p(day: dt.date) -> r.DepositParams:
    return r.DepositParams.from_snapshot(load().at(day, "540102"))


def _bp(day: dt.date) -> r.BlacklistParams:
    return r.BlacklistParams.from_snapshot(load().at(day, "540102"))


def _fen(yuan: str) -> int:
    return money.parse(yuan)


@pytest.mark.parametrize("case", CASES["rate"], ids=lambda c: c["name"])
def test_rate(case: dict[str, Any]) -> None:
    a = r.assess(
        _fen(case["value"]), case["signed"], case["since"], case["arrears"], _p(case["signed"])
    )
    assert a.band == case["band"]
    assert a.required == _fen(case["required"])
    assert a.exempt == (case["band"] == "exempt")
    assert a.reason == case.get("reason")
    assert all(s.startswith("wages.deposits.") for s in a.steps)


def test_rates_are_the_parameters() -> None:
    p = _p(dt.date(2026, 6, 1))
    assert (p.base, p.lower, p.higher) == (Decimal("0.02"), Decimal("0.01"), Decimal("0.03"))
    assert Decimal("0.01") <= p.lower <= p.base <= p.higher <= Decimal("0.03")
    assert p.small_below == 300_000_000  # 300万元 in fen


@pytest.mark.parametrize("case", CASES["deadlines"], ids=lambda c: c["name"])
def test_deadline(case: dict[str, Any]) -> None:
    fn = getattr(r, case["kind"])
    assert fn(case["from"], _p(case["from"])) == case["due"]


@pytest.mark.parametrize("case", CASES["blacklist"]["criteria"], ids=lambda c: c["name"])
def test_listing_criteria(case: dict[str, Any]) -> None:
    owed = [(m, _fen(a)) for m, a in case["owed"]]
    assert r.listing_reason(owed, case["incident"], _bp(dt.date(2026, 6, 1))) == case["reason"]


@pytest.mark.parametrize("case", CASES["blacklist"]["terms"], ids=lambda c: c["name"])
def test_listing_term(case: dict[str, Any]) -> None:
    until = r.listed_until(case["listed"], _bp(case["listed"]))
    assert until == case["until"]
    assert r.is_listed(case["listed"], until, None, until - dt.timedelta(days=1))
    assert not r.is_listed(case["listed"], until, None, until)
    assert not r.is_listed(case["listed"], until, None, case["listed"] - dt.timedelta(days=1))


@pytest.mark.parametrize("case", CASES["blacklist"]["removal"], ids=lambda c: c["name"])
def test_removal_from(case: dict[str, Any]) -> None:
    assert r.removal_from(case["put_right"], _bp(case["put_right"])) == case["from"]


def test_removed_listing_ends_on_its_removal_day() -> None:
    on, until = dt.date(2026, 1, 1), dt.date(2029, 1, 1)
    assert r.is_listed(on, until, dt.date(2026, 8, 1), dt.date(2026, 7, 31))
    assert not r.is_listed(on, until, dt.date(2026, 8, 1), dt.date(2026, 8, 1))


def test_published_through_wages_rules() -> None:
    assert published.assess is r.assess
    assert published.next_balance is r.next_balance


def test_the_ledger_refuses_what_would_break_it() -> None:
    with pytest.raises(MinshengError) as e:
        r.next_balance(100, 100, "draw", 101)
    assert e.value.rule == "beyond_balance"
    with pytest.raises(MinshengError):
        r.next_balance(0, 100, "lodge", 99)  # below the required amount
    with pytest.raises(MinshengError):
        r.next_balance(100, 100, "lodge", 100)  # lodged twice
    with pytest.raises(MinshengError):
        r.next_balance(50, 100, "top_up", 51)  # past the required amount
    with pytest.raises(MinshengError):
        r.next_balance(50, 100, "return", 49)  # not the whole balance
    with pytest.raises(MinshengError):
        r.next_balance(50, 100, "draw", 0)
    assert r.next_balance(100, 100, "draw", 100) == 0


OPS = st.lists(
    st.tuples(
        st.sampled_from(r.KINDS),
        st.sampled_from(("zero", "balance", "room", "required")),  # what the amount is near
        st.one_of(
            st.integers(min_value=-3, max_value=3),
            st.integers(min_value=-(10**10), max_value=money.MAX_AMOUNT_FEN + 10),
        ),
    ),
    max_size=40,
)


@settings(max_examples=600, deadline=None)
@given(required=st.integers(min_value=0, max_value=10**10), ops=OPS)
def test_balance_never_negative(required: int, ops: list[tuple[str, str, int]]) -> None:
    """Any sequence of movements, amounts at and around the balance, the room left and the
    required amount: each either is refused (and changes nothing) or leaves the balance in
    [0, max(required, lodged)] and equal to the signed sum of the accepted movements."""
    balance, lodged, total = 0, 0, 0
    for kind, near, delta in ops:
        base = {"zero": 0, "balance": balance, "room": required - balance, "required": required}
        amount = base[near] + delta
        try:
            new = r.next_balance(balance, required, kind, amount)
        except MinshengError:
            continue
        sign = -1 if kind in ("draw", "return") else 1
        total += sign * amount
        if kind == "lodge":
            lodged = amount
        balance = new
        assert 0 <= balance <= max(required, lodged)
        assert balance == total
