"""Demo assistance data on top of a seeded population: a year of members' incomes (bulk), some
decided 低保 / 边缘 cases taken through the real workflow with past dates, a few open
applications for the queue, and one monitoring scan."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select

from minsheng.assistance import household, monitoring, service
from minsheng.assistance.models import Income
from minsheng.assistance.schemas import CaseIn
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import system
from minsheng.registry.models import Household, Person

BY = system("demo")  # opens and checks the cases
APPROVER = system("demo-approver")  # maker–checker: a second person approves


def seed_assistance(engine: Engine, seed: int = 1, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    rng = np.random.default_rng(seed + 1000)
    start, _ = household.months_back(today)
    months = [household.add_months(start, i) for i in range(12)]
    with engine.connect() as conn:
        people = [
            (int(pid), int(hid or 0), birth)
            for pid, hid, birth in conn.execute(
                select(Person.id, Person.household_id, Person.birth_date).where(
                    Person.household_id.is_not(None)
                )
            )
        ]
    ages = {pid: household.age_between(birth, today) for pid, _, birth in people}
    earners = [(pid, hid) for pid, hid, _ in people if ages[pid] >= 18]
    kinds = ["pension" if ages[pid] >= 60 else "wage" for pid, _ in earners]
    # monthly income per adult: wages log-normal around 2,500 yuan, pensions around 1,500;
    # about one in sixteen has little
    centre = np.array([1500 if k == "pension" else 2500 for k in kinds], dtype=float)
    base = np.exp(rng.normal(np.log(centre), 0.6))
    low = rng.random(len(earners)) < 0.06
    base[low] = rng.uniform(0, 250, int(low.sum()))
    rows = []
    for (pid, hid), amount, kind in zip(earners, base, kinds, strict=True):
        fen = int(amount * 100)
        for m in months:
            rows.append(
                {
                    "household_id": hid,
                    "person_id": pid,
                    "month": m,
                    "kind": kind,
                    "amount": fen,
                    "recorded_by": "demo",
                }
            )
    with engine.begin() as conn:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(Income), rows[i : i + 20_000])
    factory = make_sessionmaker(engine)
    # the Lhasa households with the lowest income per head are the ones that apply
    income: dict[int, int] = {}
    for (_, hid), amount in zip(earners, base, strict=True):
        income[hid] = income.get(hid, 0) + int(amount * 100)
    size: dict[int, int] = {}
    for _, hid, _ in people:
        size[hid] = size.get(hid, 0) + 1
    decided = opened = 0
    with unit_of_work(factory) as s:
        lhasa = s.scalars(select(Household.id).where(Household.division_code.like("5401%"))).all()
        poorest = sorted(lhasa, key=lambda h: income.get(h, 0) / size.get(h, 1))[:60]
        households = [s.get(Household, h) for h in poorest]
        past = today - dt.timedelta(days=60)
        for h in households:
            assert h is not None
            case = service.open_case(s, CaseIn(household_id=h.id, programme="dibao"), BY, past)
            service.act(s, case.id, "check", BY, today=past)
            if not case.eligible:
                service.act(s, case.id, "reject", BY, "审核不符合条件", today=past)
            elif decided < 40:
                service.act(s, case.id, "notice", BY, today=past)
                assert case.notice_end is not None
                service.act(
                    s, case.id, "approve", APPROVER, today=case.notice_end + dt.timedelta(days=1)
                )
                decided += 1
            elif opened < 6:  # left at the check, past its deadline: the queue flags it
                opened += 1
            else:
                service.act(s, case.id, "reject", BY, "演示数据", today=past)
        # a few fresh applications for the queue
        for h in households[-5:]:
            assert h is not None
            with contextlib.suppress(MinshengError):
                service.open_case(
                    s, CaseIn(household_id=h.id, programme="temporary", requested="800"), BY, today
                )
    with unit_of_work(factory) as s:
        result = monitoring.scan(s, BY, today=today)
    return {"income_rows": len(rows), "decided": decided, "warnings": result.raised}
