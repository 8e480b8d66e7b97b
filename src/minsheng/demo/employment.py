"""Demonstration data of employment services: each area's ``seed_<area>(session, by, today)``
(``minsheng.employment.<area>_demo``) in order — seekers and vacancies first, the fairs, gigs,
training and help plans on top of them — once (skipped when seekers exist)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.employment import AREAS
from minsheng.employment.seeker_models import EmSeeker
from minsheng.foundation.principals import system


def seed_employment(engine: Engine, seed: int = 1, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    by = system("demo")
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        if s.scalar(select(func.count()).select_from(EmSeeker)):
            return {"skipped": "seekers exist"}
    out: dict[str, Any] = {}
    for area in AREAS:
        module = importlib.import_module(f"minsheng.employment.{area}_demo")
        with unit_of_work(factory) as s:
            out[area] = getattr(module, f"seed_{area}")(s, by, today)
    return out
