"""The help demo: on a population with 低保 and disabled persons and no seekers yet, it registers
a few unemployed seekers, opens their plans and works some (contacts, job leads, a training
offer, one moved away); seeding twice adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.employment.help_demo import seed_help
from minsheng.employment.help_models import EmHelpPlan
from tests.employment import help_kit as k


def test_demo_plans_are_worked_and_seeding_twice_adds_nothing(session: Session) -> None:
    s = session
    for i in range(5):
        pid = k.person(s, i + 1, birth=dt.date(1985, 1, 1 + i))
        k.status(s, pid, "disability" if i % 2 else "dibao")
    k.vacancy(s, k.employer(s))
    first = seed_help(s, k.BY, k.TODAY)
    assert first["seekers"] == 5 and first["plans"] == 5
    assert first["contacts"] == 5 and first["services"] >= 5 and first["closed"] == 1
    assert s.scalar(select(func.count()).select_from(EmHelpPlan)) == 5
    second = seed_help(s, k.BY, k.TODAY)
    assert second == {"seekers": 0, "plans": 0, "contacts": 0, "services": 0, "closed": 0}
