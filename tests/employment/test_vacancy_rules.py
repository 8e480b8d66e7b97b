"""The posting rules (pure): worked examples at the boundaries and properties."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from minsheng.employment import vacancies
from minsheng.employment.vacancy_rules import (
    Limits,
    Posting,
    banned_in,
    posting_problems,
    words,
)

TODAY = dt.date(2026, 11, 20)
# text around a word that cannot merge with it under NFKC: ASCII, CJK, white space
TEXT = st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.characters(
    min_codepoint=0x4E00, max_codepoint=0x9FFF
)
LIMITS = vacancies.limits(TODAY, "540102")


def posting(**over: object) -> Posting:
    data: dict[str, object] = {
        "title": "电工",
        "occupation_known": True,
        "count": 5,
        "wage_min": 300_000,
        "wage_max": 500_000,
        "division_code": "540102",
        "requirements": "持证上岗",
        "closing_on": TODAY + dt.timedelta(days=30),
    }
    data.update(over)
    return Posting(**data)  # type: ignore[arg-type]


def rules(p: Posting, limits: Limits = LIMITS) -> set[tuple[str, str]]:
    return {(x.field, x.rule) for x in posting_problems(p, TODAY, limits)}


def test_the_parameters_in_force() -> None:
    assert LIMITS.minimum_wage == 210_000  # 2,100 yuan (seed 000)
    assert LIMITS.max_open_days == 180
    assert "押金" in LIMITS.banned_words and "扣押身份证" in LIMITS.banned_words


def test_a_good_posting_passes() -> None:
    assert rules(posting()) == set()


def test_minimum_wage_boundary() -> None:
    assert rules(posting(wage_min=209_999)) == {("wage_min", "minimum_wage")}  # 2,099.99
    assert rules(posting(wage_min=210_000)) == set()  # 2,100.00


def test_wage_order_and_maximum() -> None:
    assert rules(posting(wage_min=400_000, wage_max=399_999)) == {("wage_max", "order")}
    assert rules(posting(wage_max=LIMITS.max_wage)) == set()
    assert rules(posting(wage_max=LIMITS.max_wage + 1)) == {("wage_max", "maximum")}


def test_count_boundaries() -> None:
    assert rules(posting(count=0)) == {("count", "range")}
    assert rules(posting(count=1)) == set()
    assert rules(posting(count=10_000)) == set()
    assert rules(posting(count=10_001)) == {("count", "range")}


def test_closing_date_boundaries() -> None:
    assert rules(posting(closing_on=TODAY)) == {("closing_on", "past")}
    assert rules(posting(closing_on=TODAY + dt.timedelta(1))) == set()
    assert rules(posting(closing_on=TODAY + dt.timedelta(180))) == set()
    assert rules(posting(closing_on=TODAY + dt.timedelta(181))) == {("closing_on", "too_far")}


def test_place_occupation_employer_title() -> None:
    assert rules(posting(division_code="540100")) == {("division_code", "county")}  # a city
    assert rules(posting(division_code="110101")) == {("division_code", "county")}
    assert rules(posting(occupation_known=False)) == {("occupation", "occupation")}
    assert rules(posting(employer_known=False)) == {("employer_id", "registered")}
    assert rules(posting(title="  ")) == {("title", "required")}


def test_fees_deposits_and_id_documents_are_found() -> None:
    assert rules(posting(requirements="入职需交押 金300元")) == {("requirements", "banned_word")}
    assert rules(posting(title="保安（收服装费）")) == {("title", "banned_word")}
    assert rules(posting(requirements="入职时扣押身份证")) == {("requirements", "banned_word")}
    assert rules(posting(requirements="ཐོ་འགོད་གླ་ཆ་སྒོར་ 50")) == {("requirements", "banned_word")}
    both = posting(title="押金岗", requirements="报名费100元")
    assert rules(both) == {("title", "banned_word"), ("requirements", "banned_word")}
    assert rules(posting(requirements="包吃住，五险一金")) == set()


def test_every_reason_speaks_three_languages() -> None:
    bad = posting(
        title="",
        occupation_known=False,
        count=0,
        wage_min=1,
        wage_max=0,
        division_code="x",
        requirements="保证金",
        closing_on=TODAY,
        employer_known=False,
    )
    found = posting_problems(bad, TODAY, LIMITS)
    assert len(found) == 9
    assert all(p.zh and p.en and p.bo for p in found)


def test_words_are_normalised() -> None:
    assert words(" 押金  ＡＢＣ ཐོ་འགོད་། ") == ("押金", "abc", "ཐོ་འགོད")
    assert banned_in("交ＡＢＣ费", ("abc",)) == ["abc"]


@given(
    low=st.integers(0, 10**8),
    spread=st.integers(0, 10**8),
    count=st.integers(-5, 10_010),
    days=st.integers(-400, 400),
)
def test_the_numeric_rules_are_exactly_their_bounds(
    low: int, spread: int, count: int, days: int
) -> None:
    p = posting(
        wage_min=low, wage_max=low + spread, count=count, closing_on=TODAY + dt.timedelta(days)
    )
    got = rules(p)
    assert (("wage_min", "minimum_wage") in got) == (low < LIMITS.minimum_wage)
    assert (("wage_max", "maximum") in got) == (low + spread > LIMITS.max_wage)
    assert (("count", "range") in got) == (not 1 <= count <= 10_000)
    assert (("closing_on", "past") in got) == (days <= 0)
    assert (("closing_on", "too_far") in got) == (days > 180)
    assert ("wage_max", "order") not in got


@given(
    prefix=st.text(TEXT, max_size=20),
    suffix=st.text(TEXT, max_size=20),
    word=st.sampled_from(LIMITS.banned_words),
)
def test_a_banned_word_anywhere_is_refused(prefix: str, suffix: str, word: str) -> None:
    p = posting(requirements=f"{prefix}{word}{suffix}")
    assert ("requirements", "banned_word") in rules(p)
