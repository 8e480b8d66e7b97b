"""Properties of the register: an account never goes negative and its statements add up;
crediting a year twice changes nothing; the government-paid run is idempotent."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from itertools import count
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from minsheng.core import ids
from minsheng.db import make_sessionmaker
from minsheng.foundation.principals import system
from minsheng.pensions import accounts, contributions, enrolment, government, rules
from minsheng.pensions.models import PnAccount, PnContribution, PnStatement
from minsheng.pensions.schemas import EnrolIn, ResidentContributionIn
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn, StatusIn
from minsheng.registry.statuses import add_status

BY = system("test")
TODAY = dt.date(2025, 12, 31)
TIERS = ["100", "200", "300", "400", "500", "600", "700", "800", "900", "1000", "1500", "2000"]
SEQ = count(100)
SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@given(
    opening=st.lists(st.integers(0, rules.MAX_ACCOUNT_FEN // 2), min_size=1, max_size=40),
    rate=st.fractions(min_value=0, max_value=Fraction(1, 5), max_denominator=10_000),
    monthly=st.booleans(),
    data=st.data(),
)
def test_credit_interest_never_below_what_went_in(
    opening: list[int], rate: Fraction, monthly: bool, data: Any
) -> None:
    credited = data.draw(
        st.lists(st.integers(0, 10**9), min_size=len(opening), max_size=len(opening))
    )
    o, c = np.array(opening, np.int64), np.array(credited, np.int64)
    interest, closing = rules.credit_interest(o, c, rate, monthly)
    assert (interest >= 0).all() and (closing == o + c + interest).all()
    # crediting one account alone gives what it gets in the column (vectorised = scalar)
    i0, z0 = rules.credit_interest(o[:1], c[:1], rate, monthly)
    assert (i0[0], z0[0]) == (interest[0], closing[0])


@SLOW
@given(
    years=st.lists(
        st.tuples(st.integers(2023, 2025), st.sampled_from(TIERS)), min_size=0, max_size=3
    ),
    credit_twice=st.booleans(),
)
def test_accounts_never_negative_and_crediting_twice_changes_nothing(
    engine: Engine, years: list[tuple[int, str]], credit_twice: bool
) -> None:
    with make_sessionmaker(engine)() as s:
        p = registry.create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id("540102", dt.date(1970, 1, 1), next(SEQ)),
                name_zh="性质",
                hukou="rural",
            ),
            BY,
        )
        enrolment.enrol(
            s,
            EnrolIn(person_id=p.id, scheme="resident_pension", start_date=dt.date(2023, 1, 1)),
            BY,
        )
        for year, tier in years:
            try:
                contributions.record_resident(
                    s,
                    ResidentContributionIn(person_id=p.id, year=year, tier=tier),
                    BY,
                    today=TODAY,
                )
            except Exception as err:  # the same year again with another tier: refused
                assert getattr(err, "rule", "") == "already_paid"
        for year in (2023, 2024, 2025):
            accounts.credit_year(s, year, BY, today=TODAY)
            if credit_twice:
                before = list(s.execute(select(PnAccount.id, PnAccount.balance)).all())
                n = s.scalar(select(func.count()).select_from(PnStatement))
                again = accounts.credit_year(s, year, BY, today=TODAY)
                assert again.accounts == 0
                assert list(s.execute(select(PnAccount.id, PnAccount.balance)).all()) == before
                assert s.scalar(select(func.count()).select_from(PnStatement)) == n
        for a in s.scalars(select(PnAccount)):
            assert a.balance >= 0
        for x in s.scalars(select(PnStatement)):
            assert x.closing == x.opening + x.credited + x.interest >= x.opening
        s.rollback()


@SLOW
@given(
    kinds=st.lists(
        st.sampled_from(["dibao", "tekun", "poverty_return", "disability", "unemployed", None]),
        min_size=1,
        max_size=4,
    ),
    grade=st.integers(1, 4),
    runs=st.integers(1, 3),
)
def test_government_paid_run_is_idempotent(
    engine: Engine, kinds: list[str | None], grade: int, runs: int
) -> None:
    with make_sessionmaker(engine)() as s:
        for kind in kinds:
            p = registry.create_person(
                s,
                PersonIn(
                    id_number=ids.make_resident_id("540102", dt.date(1970, 1, 1), next(SEQ)),
                    name_zh="代缴",
                    hukou="rural",
                ),
                BY,
            )
            enrolment.enrol(
                s,
                EnrolIn(person_id=p.id, scheme="resident_pension", start_date=dt.date(2024, 1, 1)),
                BY,
            )
            if kind:
                add_status(
                    s,
                    p.id,
                    StatusIn(
                        kind=kind,
                        start_date=dt.date(2024, 1, 1),
                        disability_grade=grade if kind == "disability" else None,
                    ),
                    BY,
                )
        first = government.government_paid(s, 2025, BY, today=TODAY)
        expected = sum(
            1
            for k in kinds
            if k in ("dibao", "tekun", "poverty_return") or (k == "disability" and grade <= 2)
        )
        assert first.new == expected
        n = s.scalar(select(func.count()).select_from(PnContribution))
        for _ in range(runs):
            again = government.government_paid(s, 2025, BY, today=TODAY)
            assert again.new == 0 and again.listed == first.listed
        assert s.scalar(select(func.count()).select_from(PnContribution)) == n
        s.rollback()
