"""The demo's job seekers: a few hundred from the demo population of working age, varied
profiles (occupations, counties, languages, wages), most consenting, some lapsed; a second seed
adds nothing."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.demo.population import seed
from minsheng.employment import seekers
from minsheng.employment.seeker_demo import seed_seeker
from minsheng.employment.seeker_models import EmSeeker
from minsheng.foundation.principals import system

TODAY = dt.date(2026, 12, 2)


def test_demo_seekers(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # the same code on both; once is enough for the demo
    seed(engine, people=600, seed=3)
    with unit_of_work(make_sessionmaker(engine)) as s:
        out = seed_seeker(s, system("demo"), TODAY)
    assert out["seekers"] >= 200 and out["consenting"] > out["seekers"] // 2
    assert 0 < out["lapsed"] < out["seekers"] // 4 and out["graduates"] > 0
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(EmSeeker)).all()
        assert len(rows) == out["seekers"]
        occupations = {c for r in rows for c in json.loads(r.occupations)}
        languages = {tuple(json.loads(r.languages)) for r in rows}
        assert len(occupations) >= 8 and len(languages) >= 3
        assert len({r.division_code for r in rows}) >= 5
        assert len({r.wage_min for r in rows}) > 20
        for r in rows[:50]:
            assert seekers.history(s, r.id)[-1].status == r.status
    with unit_of_work(make_sessionmaker(engine)) as s:
        assert seed_seeker(s, system("demo"), TODAY)["seekers"] == 0
