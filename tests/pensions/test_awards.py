"""Pension awards (issue 12, point 5 as records): a claim computes the monthly amount with the
live rules from the account and the contribution years, stores it with its parts, ends the
contributions; a claim too young, with too few years, twice, for a dead person is refused and
changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func, select

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import Principal, staff
from minsheng.pensions import awards, enrolment, rules
from minsheng.pensions.models import PnAward, PnEnrolment
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonPatch
from tests.pensions.award_kit import claim, resident


def test_a_resident_claim_is_the_rule_applied_and_stops_contributions(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = resident(s, 1, years=17, balance=1_390_000)
        award = claim(s, pid)
        p = enrolment.params(dt.date(2025, 6, 1), "540102")
        expected = rules.total(rules.resident_pension(p, 1_390_000, 17))
        # by hand: basic (2025 figure) + 2 × the 长缴多得 extra + 13,900 元 ÷ 139 = 100 元
        basic = p.int_("pensions.resident.basic_monthly")
        extra = p.int_("pensions.resident.long_contribution_extra_monthly")
        assert award.monthly == expected == basic + 2 * extra + 10_000
        assert award.state == "active"
        assert award.start_month == "2025-06"  # 60 in 2020-03; the claim is paid from now
        assert award.certification_due == dt.date(2026, 6, 1)
        parts = json.loads(award.parts)
        assert {x["name"] for x in parts} == {"basic", "long_contribution", "account"}
        assert all(x["parameters"] for x in parts)
        ended = s.scalar(select(PnEnrolment.end_date).where(PnEnrolment.person_id == pid))
        assert ended == dt.date(2025, 5, 31)


def test_a_back_dated_claim_keeps_its_first_month(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, 2), start="2025-03")
        assert award.start_month == "2025-03"


@pytest.mark.parametrize(
    ("kw", "start", "rule"),
    [
        ({"born": dt.date(1966, 1, 5)}, None, "too_young"),
        ({"born": dt.date(1965, 8, 5)}, "2025-06", "too_young"),  # 60 only in 2025-08
        ({"years": 14}, None, "too_few_years"),
    ],
)
def test_a_claim_that_does_not_qualify_is_refused_and_changes_nothing(
    engine: Engine, kw: dict[str, object], start: str | None, rule: str
) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        pid = resident(s, 3, **kw)  # type: ignore[arg-type]
    with pytest.raises(MinshengError) as e, unit_of_work(factory) as s:
        claim(s, pid, start=start)
    assert e.value.rule == rule
    with unit_of_work(factory) as s:
        assert s.scalar(select(func.count()).select_from(PnAward)) == 0
        assert s.scalar(select(PnEnrolment.end_date).where(PnEnrolment.person_id == pid)) is None


def test_twice_and_dead_are_refused(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        pid = resident(s, 4)
        claim(s, pid)
        dead = resident(s, 5)
        registry.update_person(s, dead, PersonPatch(death_date=dt.date(2025, 1, 2)), staff_by())
    for who, rule in ((pid, "already_claimed"), (dead, "dead")):
        with pytest.raises(MinshengError) as e, unit_of_work(factory) as s:
            claim(s, who)
        assert e.value.rule == rule
        assert e.value.field == "person_id"


def test_another_regions_award_answers_as_missing(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, 6))
        with pytest.raises(MinshengError) as e:
            awards.load_award(s, award.id, staff(1, "far", "caseworker", "540200"))
        assert e.value.field == "award_id"
        assert (
            awards.load_award(s, award.id, staff(2, "near", "caseworker", "540100")).id == award.id
        )


def test_a_bad_month_is_refused() -> None:
    for bad in ("2025-13", "25-01", "2025-1", "x", "2025-06-01"):
        with pytest.raises(MinshengError) as e:
            awards.month_of(bad, "start")
        assert e.value.field == "start"


def staff_by() -> Principal:
    return staff(2, "near", "caseworker", "540100")
