"""The demo's pensioners and the yearly certification (issue 12, point 7): on a small demo
population seeded through the real services, the scan certifies at least 97 % of the living
claimants silently, the rest become county tasks, and the deaths terminate with recovery cases
— and the share comes from real matching: without the demo's electronic-card scans it falls."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import Engine, delete, func, select

from minsheng.cards.models import ECardUse
from minsheng.db import make_sessionmaker
from minsheng.demo import claimants
from minsheng.demo import pensions as demo_pensions
from minsheng.demo.pensions import seed_pensions
from minsheng.demo.population import seed
from minsheng.pensions import certification
from minsheng.pensions.models import PnAward, PnCertification, PnRecovery
from minsheng.population.generator import assumptions
from tests.pensions.award_kit import BY

TODAY = dt.date(2026, 6, 15)


def test_the_demo_certifies_at_least_97_percent_silently_by_real_matching(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claimants, "CLAIMANTS", 90)  # a small demo: the same shapes
    shapes = copy.deepcopy(assumptions())
    shapes["pensions"]["demo_people"] = 20  # the contributors of the demo: not what is tested
    monkeypatch.setattr(demo_pensions, "assumptions", lambda: shapes)
    seed(engine, people=2000, seed=3, today=TODAY)
    report = seed_pensions(engine, seed=3, today=TODAY)["pensioners"]
    assert report["claimants"] >= 80 and report["deaths"] >= 1 and report["no_sign"] >= 1
    with make_sessionmaker(engine)() as s:
        claimed = s.scalar(select(func.count(PnAward.id)))
        assert claimed == report["claimants"]
        r = certification.scan(s, "540000", BY, today=TODAY)
        living = r.scanned - len(r.terminated)
        silent = sum(r.silent.values())
        assert r.scanned == claimed and len(r.terminated) == report["deaths"]
        assert silent / living >= 0.97 and r.silent_share >= 0.97
        assert r.tasks_opened == living - silent >= 1  # the rest: county tasks
        assert r.silent.get("card", 0) > 0 and r.silent.get("medical", 0) > 0
        cases = s.scalars(select(PnRecovery)).all()
        assert len(cases) == report["deaths"] and all(c.owed > 0 for c in cases)
        assert s.scalar(select(func.count(PnCertification.id))) == r.tasks_opened
        s.rollback()
        # the same scan without the card scans: those only seen at a window now need a task
        s.execute(delete(ECardUse))
        without = certification.scan(s, "540000", BY, today=TODAY)
        assert sum(without.silent.values()) < silent
        assert without.tasks_opened > r.tasks_opened
        assert without.silent_share < 0.97
        s.rollback()
