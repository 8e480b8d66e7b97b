"""An employee award over a working life that began before the platform: the indexed wage
reads the average wage of every contribution year, so ``economy.average_wage_yearly`` must
reach back to 1998 (the unified employee scheme, 国发〔1997〕26号) — a history from 2000 was
refused before the series was extended."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy import Engine

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import awards, enrolment, rules
from minsheng.pensions.models import PnAccount, PnContribution
from minsheng.pensions.schemas import ClaimIn, EnrolIn
from tests.bundles.kit import BY, CREDIT, TODAY, employer, person

BALANCE = 12_345_678


def test_a_history_from_2000_is_indexed_year_by_year(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        employer(s)
        pid = person(s, 7, born=dt.date(1964, 5, 10))
        e = enrolment.enrol(
            s,
            EnrolIn(
                person_id=pid,
                scheme="employee_pension",
                credit_code=CREDIT,
                wage="3000",
                start_date=dt.date(2000, 1, 1),
            ),
            BY,
        )
        months = 0
        for year in range(2000, 2024):
            p = enrolment.params(dt.date(year, 7, 1), "540102")
            average = p.int_("economy.average_wage_yearly")
            for month in range(1, 13):
                # exactly the year's average monthly wage, doubled: an index of 2 every year
                s.add(
                    PnContribution(
                        key=f"history:{pid}:{year}:{month}",
                        person_id=pid,
                        enrolment_id=e.id,
                        scheme="employee_pension",
                        kind="regular",
                        year=year,
                        month=month,
                        credit_year=year,
                        base=average * 2 // 12,
                        individual=0,
                        employer=0,
                        subsidy=0,
                        government_paid=False,
                        paid_by="employer",
                        division_code="540102",
                        recorded_by="test",
                    )
                )
                months += 1
        s.add(PnAccount(person_id=pid, scheme="employee_pension", balance=BALANCE))
        s.flush()
        award = awards.claim(
            s, ClaimIn(person_id=pid, scheme="employee_pension", category="worker"), BY, TODAY
        )
        p = enrolment.params(dt.date(2025, 6, 1), "540102")
        age = rules.month_index(2025, 6) - rules.month_index(1964, 5)
        expected = rules.total(rules.employee_pension(p, BALANCE, months, Fraction(2), age))
        assert months == 288
        assert award.monthly == expected
        # by hand: (average + 2 × average) ÷ 2 × 24 years × 1 %, per month, plus the account
        avg = Fraction(p.int_("economy.average_wage_yearly"), 12)
        assert award.monthly > int(avg * 3 / 2 * 24 / 100)
