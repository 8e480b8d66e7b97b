"""Worked examples (cases/*.yaml, computed by hand) and property tests of the assistance rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.assistance import dibao_shapes, examples, rules
from minsheng.assistance.figures import GAP_METHOD
from minsheng.core.errors import MinshengError
from minsheng.policy import load
from minsheng.policy.examples import read_examples

HERE = Path(__file__).parent / "cases"
CASES = sorted(HERE.rglob("*.yaml"))  # published/: examples a region published, each cited


def params(day: dt.date, region: str | None) -> rules.AssistanceParams:
    return rules.AssistanceParams.from_snapshot(load().at(day, region))


def run(case: dict[str, Any]) -> dict[str, Any]:
    """The rule the example names, on its inputs (the runner ``minsheng params test`` uses)."""
    p = params(case["date"], case["region"])
    return examples.RULES[case["rule"]](p, case["inputs"])


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(HERE)))
def test_worked_example(path: Path) -> None:
    """Each example (one a file or several under ``examples:``), with its own ``parameters:``,
    through the runner ``minsheng params test`` uses: no expected figure missed."""
    found = read_examples([path])
    assert found
    for example in found:
        assert examples.run(example) == [], example.line()


def test_the_examples_cover_every_rule() -> None:
    seen = {str(e.data["rule"]) for e in read_examples(CASES)}
    assert seen == set(examples.RULES)


households = st.lists(
    st.tuples(
        st.sampled_from(rules.AREAS),
        st.integers(1, 12),
        st.integers(0, 5_000_000),
        st.integers(0, 100_000_000),
        st.integers(0, 10_000_000),
    ),
    min_size=1,
    max_size=50,
)


@settings(max_examples=200, deadline=None)
@given(households, st.sampled_from([None, "540100", "540200"]))
def test_benefit_never_negative_and_reaches_the_standard(
    rows: list[Any], region: str | None
) -> None:
    p = params(dt.date(2026, 6, 1), region)
    h = rules.Households.of(*[list(c) for c in zip(*rows, strict=True)])
    d = rules.determine(p, h)
    assert (d.dibao_amount >= 0).all()
    paid = d.dibao
    # household income plus the benefit is the standard for every member, to the fen
    assert (h.income[paid] + d.dibao_amount[paid] == d.standard[paid] * h.members[paid]).all()
    assert not (d.dibao & d.edge).any() and not (d.rigid & (d.dibao | d.edge)).any()
    assert (d.dibao_amount[~d.dibao] == 0).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(rules.INCOME_KINDS), st.integers(0, 10**7)),
        min_size=1,
        max_size=20,
    ),
    st.randoms(),
)
def test_a_decision_does_not_depend_on_the_order_of_members_or_records(
    items: list[Any], rnd: Any
) -> None:
    p = params(dt.date(2026, 6, 1), None)
    kinds = np.array([rules.INCOME_KINDS.index(k) for k, _ in items], dtype=np.int64)
    amounts = np.array([a for _, a in items], dtype=np.int64)
    order = list(range(len(items)))
    rnd.shuffle(order)
    a = int(rules.counted_income(p, kinds, amounts).sum())
    b = int(rules.counted_income(p, kinds[order], amounts[order]).sum())
    assert a == b
    d1 = rules.determine(p, rules.Households.of(["urban"], [len(items)], [a // 12], [0], [0]))
    d2 = rules.determine(p, rules.Households.of(["urban"], [len(items)], [b // 12], [0], [0]))
    assert d1.dibao_amount[0] == d2.dibao_amount[0]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 120),
    st.integers(0, 4),
    st.integers(0, 200_000),
    st.booleans(),
    st.sampled_from(rules.CARE_LEVELS),
)
def test_tekun_pays_standard_plus_care_or_nothing(
    age: int, grade: int, income: int, supporter: bool, care: str
) -> None:
    p = params(dt.date(2026, 6, 1), "540100")
    t = rules.tekun(
        p,
        np.array([1]),
        np.array([age]),
        np.array([grade]),
        np.array([income]),
        np.array([supporter]),
        np.array([rules.CARE_LEVELS.index(care)]),
    )
    if t.eligible[0]:
        assert t.amount[0] == p.tekun_standard("rural") + int(
            p.care_allowances()[rules.CARE_LEVELS.index(care)]
        )
        assert t.basic[0] >= -(-p.standard("rural") * 13 // 10)
    else:
        assert t.amount[0] == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5_000_000), st.integers(1, 8), st.integers(0, 10**7)),
        min_size=1,
        max_size=30,
    )
)
def test_scan_flags_only_households_below_the_lines(rows: list[Any]) -> None:
    p = params(dt.date(2026, 6, 1), None)
    n = len(rows)
    none = np.full(n, rules.NO_DATE, dtype=np.int64)
    income = np.array([r[0] for r in rows], dtype=np.int64)
    members = np.array([r[1] for r in rows], dtype=np.int64)
    x = rules.ScanInput(
        np.zeros(n, dtype=np.int64), members, income, np.zeros(n, bool), np.zeros(n, bool),
        np.array([r[2] for r in rows], dtype=np.int64), none, none, none, none, none,
    )  # fmt: skip
    out = rules.scan(p, x)
    below = income // members < 70000
    assert (out["income_below_standard"] == below).all()
    assert not (out["income_below_standard"] & out["income_below_edge"]).any()
    assert not out["review_due"].any() and not out["certificate_expiring"].any()


@pytest.mark.parametrize(
    ("column", "days", "cause", "raised"),
    [
        ("review_in", 30, "review_due", True),  # reminder: 30 days ahead
        ("review_in", 31, "review_due", False),
        ("review_in", -5, "review_due", True),  # overdue
        ("certificate_in", 60, "certificate_expiring", True),
        ("certificate_in", 61, "certificate_expiring", False),
        ("disabled_since", 31, "member_disabled", True),  # window: 31 days back
        ("disabled_since", 32, "member_disabled", False),
        ("deceased_since", 0, "member_deceased", True),
        ("unemployed_since", -1, "member_unemployed", False),  # not yet begun
    ],
)
def test_scan_boundaries(column: str, days: int, cause: str, raised: bool) -> None:
    p = params(dt.date(2026, 6, 1), None)
    none = np.array([rules.NO_DATE], dtype=np.int64)
    cols: dict[str, Any] = {
        "area": np.array([0]),
        "members": np.array([1]),
        "income": np.array([1_000_000]),  # far above every line
        "on_dibao": np.array([False]),
        "on_edge": np.array([False]),
        "medical_selfpay": np.array([0]),
        "review_in": none,
        "disabled_since": none,
        "deceased_since": none,
        "unemployed_since": none,
        "certificate_in": none,
    }
    cols[column] = np.array([days], dtype=np.int64)
    out = rules.scan(p, rules.ScanInput(**cols))
    assert bool(out[cause][0]) is raised
    assert sum(bool(v[0]) for v in out.values()) == int(raised)  # nothing else


@pytest.mark.parametrize(("selfpay", "raised"), [(0, False), (6_000_000, False), (6_000_001, True)])
def test_medical_burden_needs_more_than_the_share(selfpay: int, raised: bool) -> None:
    """Income 10,000 a month → 120,000 a year; the warning needs self-pay above 50% of it."""
    p = params(dt.date(2026, 6, 1), None)
    none = np.array([rules.NO_DATE], dtype=np.int64)
    x = rules.ScanInput(
        np.array([0]), np.array([1]), np.array([1_000_000]), np.array([False]),
        np.array([False]), np.array([selfpay]), none, none, none, none, none,
    )  # fmt: skip
    assert bool(rules.scan(p, x)["medical_burden"][0]) is raised


def _with_gap_method(p: rules.AssistanceParams, method: str) -> rules.AssistanceParams:
    infos = dict(p.infos)
    infos[GAP_METHOD] = replace(infos[GAP_METHOD], value=method)
    return rules.AssistanceParams(infos)


@settings(max_examples=200, deadline=None)
@given(households)
def test_the_per_capita_alternative_pays_at_most_members_minus_one_fen_more(
    rows: list[Any],
) -> None:
    """``gap_method: per_capita`` (a region whose rule rounds the per-capita income first) pays
    between 0 and members − 1 fen more than the exact gap, and decides the same households."""
    base = params(dt.date(2026, 6, 1), None)
    assert base.gap_method() == "exact"  # Tibet's figures: the published formula
    h = rules.Households.of(*[list(c) for c in zip(*rows, strict=True)])
    exact = rules.determine(base, h)
    rounded = rules.determine(_with_gap_method(base, "per_capita"), h)
    assert (exact.dibao == rounded.dibao).all()
    extra = rounded.dibao_amount - exact.dibao_amount
    members = np.maximum(h.members, 1)
    assert (extra >= 0).all() and (extra <= members - 1).all()
    assert (extra[~exact.dibao] == 0).all()


def test_the_gap_methods_on_the_published_three_person_household() -> None:
    p = params(dt.date(2026, 6, 1), None)
    h = rules.Households.of(["urban"], [3], [100_000], [0], [0])
    assert int(rules.determine(p, h).dibao_amount[0]) == 110_000  # 1,100.00
    alt = _with_gap_method(p, "per_capita")
    assert int(rules.determine(alt, h).dibao_amount[0]) == 110_001  # 1,100.01
    with pytest.raises(MinshengError, match=r"assistance\.dibao\.gap_method") as err:
        _with_gap_method(p, "rounded").gap_method()
    assert err.value.field == "assistance.dibao.gap_method"
    with pytest.raises(MinshengError) as err:
        rules.determine(
            _with(p, assistance__dibao__rounding__benefit="yuan"),
            rules.Households.of(["urban"], [1], [0], [0], [0]),
        )
    assert err.value.field == "assistance.dibao.rounding.benefit"


# ------------------------------------------------------------------ issue 16 item 8: the shapes

ROUNDINGS = ("fen", "yuan_half_up", "yuan_up", "yuan_down")
CATEGORIES = rules.ADDON_CATEGORIES


def _with(p: rules.AssistanceParams, **values: Any) -> rules.AssistanceParams:
    """``p`` with some figures replaced (the path with ``__`` for ``.``)."""
    infos = dict(p.infos)
    for key, value in values.items():
        path = key.replace("__", ".")
        infos[path] = replace(infos[path], value=value)
    return rules.AssistanceParams(infos)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.integers(1, 10**6), st.sampled_from(ROUNDINGS))
def test_rounding_never_moves_an_amount_by_a_yuan(num: int, den: int, rule: str) -> None:
    exact = Fraction(num, den)
    got = int(dibao_shapes.round_money(np.array([num]), den, rule)[0])
    assert got >= 0 and abs(got - exact) < 100
    if rule == "fen":
        assert abs(got - exact) <= Fraction(1, 2)
    else:
        assert got % 100 == 0
    if rule == "yuan_up":
        assert got >= exact
    if rule == "yuan_down":
        assert got <= exact


shape_households = st.lists(
    st.tuples(st.sampled_from(["urban", "rural"]), st.integers(1, 8), st.integers(0, 800_000)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    shape_households,
    st.sampled_from(["exact", "per_capita", "banded"]),
    st.sampled_from(ROUNDINGS),
    st.integers(0, 100),
    st.booleans(),
)
def test_the_payment_is_never_negative_and_honours_the_minimum(
    rows: list[Any], method: str, rule: str, minimum: int, full: bool
) -> None:
    base = params(dt.date(2026, 6, 1), None)
    p = _with(
        base,
        assistance__dibao__gap_method=method,
        assistance__dibao__rounding__benefit=rule,
        assistance__dibao__minimum_payment_share=Decimal(minimum) / 100,  # percent
        assistance__dibao__sanwu_payment="full" if full else "gap",
    )
    area, members, income = (list(c) for c in zip(*rows, strict=True))
    h = rules.Households.of(area, members, income, [0] * len(rows), [0] * len(rows))
    d = rules.determine(p, h)
    sanwu = np.array([i % 2 == 0 for i in range(len(rows))])
    amount = rules.dibao_payment(p, d.standard, h.income, h.members, d.dibao, sanwu)
    assert (amount >= 0).all()
    assert (amount[~d.dibao] == 0).all()
    share = p.ratio("assistance.dibao.minimum_payment_share")
    floor = dibao_shapes.share_of(d.standard, share, "fen") * h.members
    assert (amount[d.dibao] >= floor[d.dibao]).all()
    if full:
        assert (amount[d.dibao & sanwu] >= (d.standard * h.members)[d.dibao & sanwu] - 99).all()
    if method != "banded" and share == 0 and not full and rule == "fen":
        assert (amount == d.dibao_amount).all()  # Tibet's shape: the plain gap


BANDS = [(Fraction(0), Fraction(1)), (Fraction(3, 10), Fraction(3, 5)), (Fraction(3, 5), Fraction(3, 10)), (Fraction(9, 10), Fraction(1, 10))]  # fmt: skip


def _banded(p: rules.AssistanceParams) -> rules.AssistanceParams:
    values: dict[str, Any] = {"assistance__dibao__gap_method": "banded"}
    for i, (t, r) in enumerate(BANDS):
        values[f"assistance__dibao__bands__brackets[{i}]__threshold"] = (
            Decimal(t.numerator) / t.denominator
        )
        values[f"assistance__dibao__bands__brackets[{i}]__rate"] = (
            Decimal(r.numerator) / r.denominator
        )
    return _with(p, **values)


@settings(max_examples=200, deadline=None)
@given(shape_households)
def test_banded_pays_the_band_amount(rows: list[Any]) -> None:
    p = _banded(params(dt.date(2026, 6, 1), None))
    area, members, income = (list(c) for c in zip(*rows, strict=True))
    h = rules.Households.of(area, members, income, [0] * len(rows), [0] * len(rows))
    d = rules.determine(p, h)
    for i in range(len(rows)):
        if not d.dibao[i]:
            assert d.dibao_amount[i] == 0
            continue
        ratio = Fraction(int(d.per_capita[i]), int(d.standard[i]))
        share = [r for t, r in BANDS if ratio >= t][-1]
        per_member = int(dibao_shapes.share_of(d.standard[i : i + 1], share, "fen")[0])
        assert d.dibao_amount[i] == per_member * h.members[i]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(CATEGORIES), max_size=3), min_size=1, max_size=8),
    st.sampled_from(["highest", "sum"]),
    st.integers(0, 200_000),
)
def test_addons_follow_the_categories(cats: list[list[str]], combine: str, standard: int) -> None:
    p = params(dt.date(2026, 6, 1), None)
    flags = np.array([[c in m for c in CATEGORIES] for m in cats], dtype=np.bool_)
    std = np.full(len(cats), standard, dtype=np.int64)
    assert (rules.addon_amounts(p, std, flags) == 0).all()  # Tibet: no add-on
    values: dict[str, Any] = {"assistance__dibao__addon__combine": combine}
    for k, c in enumerate(CATEGORIES):  # category k: fixed k yuan, or k % of the standard
        if k % 2:
            values[f"assistance__dibao__addon__{c}__kind"] = "share"
            values[f"assistance__dibao__addon__{c}__share"] = Decimal(k) / 100
        else:
            values[f"assistance__dibao__addon__{c}__amount"] = (k + 1) * 100
    q = _with(p, **values)
    each = [(standard * k + 50) // 100 if k % 2 else (k + 1) * 100 for k in range(len(CATEGORIES))]
    got = rules.addon_amounts(q, std, flags)
    for m, row in enumerate(cats):
        mine = [each[CATEGORIES.index(c)] for c in set(row)]
        want = sum(mine) if combine == "sum" else max(mine, default=0)
        assert got[m] == want
