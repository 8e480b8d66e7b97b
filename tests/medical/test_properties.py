"""Properties of the settlement rules on random people and bill sequences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.medical.rules import (
    AREAS,
    GROUPS,
    SCHEMES,
    VISITS,
    Bills,
    Lines,
    MedicalParams,
    Totals,
    settle,
    settle_in_order,
    split_lines,
)
from minsheng.medical.tables import Scheme, Visit, ceiling_path
from minsheng.policy import load
from minsheng.policy.overlays import parse_overlay


def _on(value: Any) -> dict[str, Any]:
    return {"values": {"2024-01-01": {"value": value}}}


def _bands(base: str, level: int, points: tuple[str, str], at: tuple[int, int]) -> dict[str, Any]:
    """Two bands above the first at one level (0: a scheme with one ratio for all levels)."""
    scale = f"{base}.ratio_bands" + (f".level_{level}" if level else "")
    out: dict[str, Any] = {}
    for i, (rate, threshold) in enumerate(zip(points, at, strict=True), start=1):
        out[f"{scale}.brackets[{i}].threshold"] = _on(threshold)
        out[f"{scale}.brackets[{i}].rate"] = _on(rate)
    return out


# every shape of issue 16 items 1–3 switched on at once (illustrative figures)
SHAPES = {
    "description": "every basic-insurance shape on",
    "region": None,
    "changes": {
        **_bands("medical.resident.inpatient", 3, ("0.05", "0.1"), (10000, 30000)),
        **_bands("medical.resident.inpatient", 1, ("0.1", "0.1"), (2000, 2000)),
        **_bands("medical.employee_inpatient", 2, ("0.02", "0.3"), (5000, 80000)),
        **_bands("medical.employee_outpatient", 1, ("0.05", "0.05"), (1000, 1000)),
        **_bands("medical.resident.outpatient", 0, ("0.01", "0.1"), (100, 2000)),
        "medical.employee_outpatient.eligible_ceiling": _on(10000),
        "medical.resident.inpatient.eligible_ceiling": _on(180000),
        "medical.employee_inpatient.admission_deductible_factors": _on("0.5 0.25 0"),
        "medical.resident.inpatient.admission_deductible_factors": _on("0"),
        "medical.employee_inpatient.referral_top_up": _on(True),
        "medical.resident.inpatient.referral_top_up": _on(True),
        "medical.critical_illness.includes_outpatient": _on(True),
        "medical.employee_supplementary.includes_outpatient": _on(True),
    },
}
PARAMS = {
    region: MedicalParams.from_snapshot(load().at(dt.date(2024, 6, 1), region))
    for region in ("540200", "540100")
}
PARAMS["shaped"] = MedicalParams.from_snapshot(
    load().with_overlay(parse_overlay(SHAPES, "shapes")).at(dt.date(2024, 6, 1), "540200")
)


@st.composite
def person_year(draw: Any) -> list[dict[str, Any]]:
    """One person's bills of one year: the person's traits are fixed, the bills vary."""
    person = {
        "scheme": draw(st.sampled_from(SCHEMES)),
        "special": draw(st.booleans()),
        "group": draw(st.sampled_from(GROUPS)),
        "border": draw(st.booleans()),
        "major_disease": draw(st.booleans()),
    }
    n = draw(st.integers(1, 8))
    bills = []
    for _ in range(n):
        parts = {
            "policy": draw(st.integers(0, 300_000_000)),  # up to 3,000,000 yuan
            "full_self": draw(st.integers(0, 5_000_000)),
            "over_limit": draw(st.integers(0, 1_000_000)),
            "self_first": draw(st.integers(0, 1_000_000)),
        }
        bills.append(
            {
                **person,
                **parts,
                "visit": draw(st.sampled_from(VISITS)),
                "level": draw(st.sampled_from([1, 2, 3])),
                "area": draw(st.sampled_from(AREAS)),
                "later_admission": draw(st.booleans()),
                "admission": draw(st.integers(0, 5)),  # 0: from later_admission
                "referred_from": draw(st.integers(0, 3)),
                "account_balance": draw(st.integers(0, 2_000_000)),
            }
        )
    return bills


def caps(p: MedicalParams, employee: bool) -> dict[str, int]:
    return {
        "op": p.fen(
            "medical.employee_outpatient.annual_cap"
            if employee
            else "medical.resident.outpatient.annual_cap"
        ),
        "ip": p.fen(
            "medical.employee_inpatient.annual_cap"
            if employee
            else "medical.resident.inpatient.annual_cap"
        ),
        "ci": p.fen(
            "medical.employee_supplementary.annual_cap"
            if employee
            else "medical.critical_illness.annual_cap"
        ),
    }


@settings(max_examples=300, deadline=None)
@given(rows=person_year(), region=st.sampled_from(sorted(PARAMS)))
def test_no_fund_pays_more_than_it_works_on_and_parts_add_up(
    rows: list[dict[str, Any]], region: str
) -> None:
    p = PARAMS[region]
    bills = Bills.of(rows)
    r, _ = settle_in_order(bills, p)
    assert np.all(r.basic >= 0) and np.all(r.basic <= bills.policy)
    assert np.all(r.basic_deductible <= bills.policy)
    assert np.all(r.basic <= r.basic_counted) and np.all(r.basic_counted <= r.basic_above)
    assert np.all(r.basic_above == bills.policy - r.basic_deductible)
    assert np.all(r.ci >= 0) and np.all(r.ci <= r.ci_base) and np.all(r.ci_base <= r.compliant)
    assert np.all(r.assistance >= 0) and np.all(r.assistance <= r.as_base)
    assert np.all(r.basic + r.ci + r.assistance + r.patient == bills.total)
    assert np.all(r.patient >= bills.full_self + bills.over_limit + bills.self_first)
    assert np.all(r.account + r.cash == r.patient) and np.all(r.account <= bills.account_balance)
    assert np.all(r.account >= 0) and np.all(r.cash >= 0)


@settings(max_examples=300, deadline=None)
@given(rows=person_year(), region=st.sampled_from(sorted(PARAMS)), data=st.data())
def test_no_yearly_cap_is_exceeded_in_any_order(
    rows: list[dict[str, Any]], region: str, data: Any
) -> None:
    p = PARAMS[region]
    order = data.draw(st.permutations(range(len(rows))))
    bills = Bills.of([rows[i] for i in order])
    _, totals = settle_in_order(bills, p)
    employee = rows[0]["scheme"] != "resident"
    c = caps(p, employee)
    assert int(totals.op_paid[0]) <= c["op"]
    assert int(totals.ip_paid[0]) <= c["ip"]
    uncapped = (not employee) and rows[0]["special"]
    if not uncapped:
        assert int(totals.ci_paid[0]) <= c["ci"]
    as_cap = p.fen(
        "medical.assistance.annual_cap.major_disease"
        if rows[0]["major_disease"]
        else "medical.assistance.annual_cap.ordinary"
    )
    assert int(totals.as_paid[0]) <= as_cap
    # the eligible-cost ceilings: the year's cost counted never passes them
    scheme = Scheme[rows[0]["scheme"].upper()]
    r, _ = settle_in_order(bills, p)
    for visit in Visit:
        ceiling = p.fen(ceiling_path(visit, scheme))
        mine = bills.visit == visit
        counted = int(r.basic_counted[mine].sum())
        assert counted <= int(r.basic_above[mine].sum())
        if ceiling:
            assert counted <= ceiling
            assert int(r.basic[mine].sum()) <= ceiling  # no ratio above 100%
    op_ded = int(totals.op_deductible[0])
    assert op_ded <= max(
        p.fen("medical.employee_outpatient.deductible.active"),
        p.fen("medical.employee_outpatient.deductible.retired"),
        p.fen("medical.resident.outpatient.deductible"),
    )


@settings(max_examples=200, deadline=None)
@given(rows=person_year(), region=st.sampled_from(sorted(PARAMS)))
def test_reverse_then_settle_again_gives_the_same_totals(
    rows: list[dict[str, Any]], region: str
) -> None:
    """A reversal (冲销) takes a bill's amounts out of the running totals exactly."""
    p = PARAMS[region]
    bills = Bills.of(rows)
    first, totals = settle_in_order(bills, p)
    last = len(rows) - 1
    before_last = Totals.zeros(1)
    for i in range(last):  # totals before the last bill
        before_last = before_last.after(settle(bills.row(i), before_last, p))
    again = settle(bills.row(last), before_last, p)
    assert before_last.after(again).__dict__.keys() == totals.__dict__.keys()
    for k in totals.__dict__:
        assert getattr(before_last.after(again), k).tolist() == getattr(totals, k).tolist()
    # reversing the last bill leaves exactly the totals before it
    reversed_totals = {
        k: getattr(totals, k) - getattr(Totals.zeros(1).after(again), k) for k in totals.__dict__
    }
    for k, v in reversed_totals.items():
        assert v.tolist() == getattr(before_last, k).tolist()
    assert int(again.basic[0]) == int(first.basic[last])


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(person_year(), min_size=1, max_size=6))
def test_many_people_in_one_vector_equal_each_alone(rows: list[list[dict[str, Any]]]) -> None:
    """One call over the first bill of many people equals one call per person."""
    p = PARAMS["540200"]
    firsts = [r[0] for r in rows]
    together = settle(Bills.of(firsts), Totals.zeros(len(firsts)), p)
    for i, row in enumerate(firsts):
        alone = settle(Bills.of([row]), Totals.zeros(1), p)
        for k in ("basic", "ci", "assistance", "patient", "account", "cash"):
            assert int(getattr(together, k)[i]) == int(getattr(alone, k)[0])


@given(
    category=st.integers(0, 2),
    price=st.integers(0, 10_000_000),
    qty_num=st.integers(0, 1000),
    qty_den=st.sampled_from([1, 2, 4, 10]),
    limit=st.integers(-1, 10_000_000),
    share=st.sampled_from([(0, 1), (1, 10), (1, 5), (3, 10)]),
)
def test_line_split_adds_up(
    category: int, price: int, qty_num: int, qty_den: int, limit: int, share: tuple[int, int]
) -> None:
    a = lambda v: np.array([v], dtype=np.int64)  # noqa: E731
    s = split_lines(
        Lines(a(category), a(price), a(qty_num), a(qty_den), a(limit), a(share[0]), a(share[1]))
    )
    parts = s.full_self + s.over_limit + s.self_first + s.policy
    assert parts.tolist() == s.amount.tolist()
    assert all(int(x) >= 0 for x in (s.full_self[0], s.over_limit[0], s.self_first[0], s.policy[0]))
    if category == 2:
        assert int(s.policy[0]) == 0
    if limit < 0 or price <= limit:
        assert int(s.over_limit[0]) == 0


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(person_year(), min_size=1, max_size=6), region=st.sampled_from(sorted(PARAMS))
)
def test_replay_equals_one_by_one(people: list[list[dict[str, Any]]], region: str) -> None:
    """The vectorised replay of a whole population agrees with settling each bill in turn."""
    from minsheng.medical.rules import replay

    p = PARAMS[region]
    rows = [bill for person in people for bill in person]
    keys = np.array([i for i, person in enumerate(people) for _ in person], dtype=np.int64)
    together = replay(keys, Bills.of(rows), p)
    offset = 0
    for person in people:
        alone, _ = settle_in_order(Bills.of(person), p)
        for k in (
            "basic",
            "ci",
            "assistance",
            "patient",
            "account",
            "cash",
            "basic_deductible",
            "as_deductible",
        ):
            got = getattr(together, k)[offset : offset + len(person)].tolist()
            assert got == getattr(alone, k).tolist(), k
        offset += len(person)
