"""The pensions extension of the synthetic population, and the demo seed's pensions data."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.demo.pensions import seed_pensions
from minsheng.demo.population import seed
from minsheng.pensions.models import PnAccount, PnContribution, PnEnrolment, PnStatement
from minsheng.pensions.population import EMPLOYEE, NONE, RESIDENT
from minsheng.population.extensions import extend
from minsheng.population.generator import generate


def test_contribution_histories_are_deterministic_and_plausible() -> None:
    a = extend(generate(5000, 7, 0, dt.date(2026, 6, 1), 0, 0), "parquet", only=("pensions",))
    b = extend(generate(5000, 7, 0, dt.date(2026, 6, 1), 0, 0), "parquet", only=("pensions",))
    pa, pb = a.persons, b.persons
    for col in ("pension_scheme", "contribution_years", "pension_tier", "contribution_index"):
        assert (pa[col] == pb[col]).all()
    young = pa["age"] < 16
    assert (pa["pension_scheme"][young] == NONE).all()
    resident = pa["pension_scheme"] == RESIDENT
    assert ((pa["pension_tier"][resident] >= 1) & (pa["pension_tier"][resident] <= 12)).all()
    assert (pa["pension_tier"][~resident] == 0).all()
    assert (pa["contribution_index"][pa["pension_scheme"] == EMPLOYEE] >= 600).all()
    assert (pa["contribution_years"] >= 0).all()
    assert np.count_nonzero(resident) > np.count_nonzero(pa["pension_scheme"] == EMPLOYEE)


def test_demo_seed_shows_enrolments_and_credited_accounts(engine: Engine) -> None:
    seed(engine, people=600, seed=3)
    out = seed_pensions(engine, seed=3)
    assert out["resident"] > 0 and out["contributions"] > 0
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(PnEnrolment)) >= out["resident"]
        assert s.scalar(select(func.count()).select_from(PnContribution)) >= out["contributions"]
        assert s.scalar(select(func.count()).select_from(PnStatement)) > 0
        assert s.scalar(select(func.min(PnAccount.balance))) >= 0
        assert s.scalar(select(func.count()).select_from(PnAccount).where(PnAccount.balance > 0))
