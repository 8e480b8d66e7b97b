"""The warning causes at their boundary days (tests/wages/cases/warnings.yaml), and the
properties: a level is monotone in the days past due (and in the count), and an open warning's
level never falls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from minsheng.policy import load
from minsheng.wages import warning_models
from minsheng.wages import warning_rules as wr

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "warnings.yaml").read_text("utf-8"))
LHASA = "540102"


def params(day: dt.date) -> wr.WarningParams:
    return wr.WarningParams.from_snapshot(load().at(day, LHASA))


def _d(v: Any) -> dt.date | None:
    return None if v is None else (v if isinstance(v, dt.date) else dt.date.fromisoformat(v))


def run(case: dict[str, Any]) -> wr.Finding | None:
    today = _d(case["today"])
    assert today is not None
    p = params(today)
    c = case["cause"]
    if c == "transfer_late":
        return wr.transfer_late(_d(case["last"]), _d(case["start"]), today, p)  # type: ignore[arg-type]
    if c in ("no_pay_sheet", "attendance_unpaid"):
        return getattr(wr, c)(case["month"], today, p)  # type: ignore[no-any-return]
    if c == "pay_below":
        return wr.pay_below(case["month"], case["shortfall"], today, p)
    if c == "account_missing":
        return wr.account_missing(
            _d(case["signed"]),  # type: ignore[arg-type]
            _d(case["opened"]),
            _d(case["filed"]),
            today,
            p,
        )
    if c == "deposit_missing":
        return wr.deposit_missing(_d(case["signed"]), case["lodged"], today, p)  # type: ignore[arg-type]
    if c == "no_contract":
        return wr.no_contract(_d(case["first"]), today, p)  # type: ignore[arg-type]
    if c == "balance_low":
        return wr.balance_low(case["balance"], case["next"], _d(case["payday"]), today, p)  # type: ignore[arg-type]
    assert c == "complaint_cluster"
    return wr.complaint_cluster(case["count"], p)


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['cause']}-{c['today']}-{c['expect']}" for c in CASES]
)
def test_worked_example(case: dict[str, Any]) -> None:
    found = run(case)
    if case["expect"] is None:
        assert found is None
        return
    assert found is not None
    assert found.level == case["expect"]
    assert found.cause == case["cause"]
    if "days" in case:
        assert found.value == case["days"]


def test_every_cause_has_examples_and_the_tables_agree() -> None:
    assert {c["cause"] for c in CASES} == set(wr.CAUSES)
    assert wr.CAUSES == warning_models.CAUSES
    assert wr.LEVELS == warning_models.LEVELS


def test_deposit_deadline_skips_losar() -> None:
    p = params(dt.date(2026, 3, 1))
    assert wr.deposit_due(dt.date(2026, 2, 10), p) == dt.date(2026, 3, 17)


def test_next_pay_day_and_due_months() -> None:
    p = params(dt.date(2026, 4, 20))
    assert wr.next_pay_day(dt.date(2026, 4, 20), p) == ("2026-03", dt.date(2026, 4, 30))
    assert wr.next_pay_day(dt.date(2026, 4, 30), p) == ("2026-03", dt.date(2026, 4, 30))
    assert wr.next_pay_day(dt.date(2026, 5, 1), p) == ("2026-04", dt.date(2026, 5, 30))
    assert wr.due_months(dt.date(2026, 5, 1), p) == ["2026-02", "2026-03"]


def test_deadline_by_level_in_working_days() -> None:
    p = params(dt.date(2026, 2, 13))
    friday = dt.date(2026, 2, 13)  # Spring Festival and Losar follow
    assert wr.deadline("red", friday, p) > wr.deadline("red", friday, p).replace(day=24)
    assert wr.deadline("blue", friday, p) >= wr.deadline("yellow", friday, p)
    assert wr.deadline("yellow", friday, p) >= wr.deadline("red", friday, p)


DAY_CAUSES = [c for c in wr.CAUSES if c != "complaint_cluster"]


@given(
    cause=st.sampled_from(DAY_CAUSES),
    days=st.integers(min_value=-400, max_value=400),
    more=st.integers(min_value=0, max_value=400),
)
def test_level_is_monotone_in_days_overdue(cause: str, days: int, more: int) -> None:
    p = params(dt.date(2026, 6, 1))
    assert wr.rank(wr.level(cause, days, p)) <= wr.rank(wr.level(cause, days + more, p))


@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 10, 1)),
    a=st.integers(min_value=0, max_value=200),
    b=st.integers(min_value=0, max_value=200),
)
def test_a_later_day_never_lowers_a_transfer_warning(start: dt.date, a: int, b: int) -> None:
    p = params(dt.date(2026, 6, 1))
    early, late = sorted((a, b))
    one = wr.transfer_late(start, start, start + dt.timedelta(days=early), p)
    two = wr.transfer_late(start, start, start + dt.timedelta(days=late), p)
    assert wr.rank(one.level if one else None) <= wr.rank(two.level if two else None)


@given(count=st.integers(min_value=0, max_value=50), more=st.integers(min_value=0, max_value=50))
def test_cluster_level_is_monotone_in_the_count(count: int, more: int) -> None:
    p = params(dt.date(2026, 6, 1))
    one, two = wr.complaint_cluster(count, p), wr.complaint_cluster(count + more, p)
    assert wr.rank(one.level if one else None) <= wr.rank(two.level if two else None)


@given(old=st.sampled_from(wr.LEVELS), new=st.sampled_from((*wr.LEVELS, None)))
def test_escalation_never_lowers_a_level(old: str, new: str | None) -> None:
    out = wr.escalate(old, new)
    assert wr.rank(out) == max(wr.rank(old), wr.rank(new))
