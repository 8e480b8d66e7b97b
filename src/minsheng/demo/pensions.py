"""Demo pensions data on top of a seeded population, through the real services: employees of
the registry's employers (职工医保 in-work enrolments) in the employee pension scheme with two
years of monthly contributions; other adults in the resident scheme paying a tier drawn from
the pensions shapes (``population/assumptions.yaml``); the government-paid run for people in
difficulty; and the accounts credited for every past year — so ``make run`` shows enrolments,
contributions, accounts and statements; and pensioners with their signs of life, a few deaths
among them (``demo.claimants``), for the yearly certification."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from minsheng.core import money
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.demo import claimants
from minsheng.foundation.principals import system
from minsheng.pensions import accounts, contributions, enrolment, government
from minsheng.pensions.population import EXTENSION  # registers the population columns
from minsheng.pensions.schemas import EmployeeContributionIn, EnrolIn, ResidentContributionIn
from minsheng.population.generator import assumptions
from minsheng.registry.models import Employer, Enrolment, Person

BY = system("demo")
__all__ = ["EXTENSION", "seed_pensions"]


def seed_pensions(engine: Engine, seed: int = 1, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    shapes = assumptions()["pensions"]
    rng = np.random.default_rng(seed + 2000)
    first_year = today.year - 2
    start = dt.date(first_year, 1, 1)
    weights = np.asarray(shapes["tier_weights"], dtype=float)
    counts = {"employee": 0, "resident": 0, "contributions": 0}
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        rows = s.execute(
            select(Person.id, Enrolment.scheme, Employer.credit_code)
            .outerjoin(Enrolment, Enrolment.person_id == Person.id)
            .outerjoin(Employer, Employer.id == Enrolment.employer_id)
            .where(Person.death_date.is_(None), Person.birth_date <= dt.date(first_year - 16, 1, 1))
            .order_by(Person.id)
            .limit(int(shapes["demo_people"]))
        ).all()
    tiers = [money.to_str(a) for a, _ in enrolment.params(today, None).tiers()]
    for pid, scheme, code in rows:  # a small unit of work per person: one failing stays out
        with contextlib.suppress(MinshengError), unit_of_work(factory) as s:
            if scheme == "employee_active" and code:
                wage = str(int(rng.lognormal(np.log(7000), 0.3)))
                enrolment.enrol(
                    s,
                    EnrolIn(
                        person_id=pid,
                        scheme="employee_pension",
                        credit_code=code,
                        wage=wage,
                        start_date=start,
                    ),
                    BY,
                )
                for year in (first_year, first_year + 1):
                    r = contributions.record_employee(
                        s, EmployeeContributionIn(person_id=pid, year=year), BY, today
                    )
                    counts["contributions"] += len(r.rows)
                counts["employee"] += 1
            elif scheme != "employee_retired":
                enrolment.enrol(
                    s, EnrolIn(person_id=pid, scheme="resident_pension", start_date=start), BY
                )
                tier = tiers[int(rng.choice(len(weights), p=weights / weights.sum()))]
                for year in (first_year, first_year + 1):
                    contributions.record_resident(
                        s, ResidentContributionIn(person_id=pid, year=year, tier=tier), BY, today
                    )
                    counts["contributions"] += 1
                counts["resident"] += 1
    picked = claimants.pick(factory, today, {int(r[0]) for r in rows})
    enrolled = claimants.enrol(factory, picked, today)
    with unit_of_work(factory) as s:
        run = government.government_paid(s, today.year, BY, today)
        for year in range(first_year, today.year):
            accounts.credit_year(s, year, BY, today)
    pensioners = claimants.claim(factory, picked, enrolled, today, rng)
    return {**counts, "government_paid": run.new, "pensioners": pensioners}
