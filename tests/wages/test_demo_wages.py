"""The demo's wage-protection data (issue 13 point 10): projects in four counties, workers,
months of attendance and pay, some arrears, complaints and deposits — and the scan finds each
seeded fault and nothing on the clean projects; a second seed adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from minsheng.db import make_sessionmaker
from minsheng.demo.population import seed
from minsheng.demo.wages import PROJECTS, seed_wages
from minsheng.wages.models import WgProject
from minsheng.wages.warning_models import WgWarning

TODAY = dt.date(2026, 12, 2)


def test_demo_projects_and_their_warnings(engine: Engine) -> None:
    seed(engine, people=600, seed=3)
    out = seed_wages(engine, today=TODAY)
    assert out["projects"] == len(PROJECTS) and out["warnings"] > 0
    with make_sessionmaker(engine)() as s:
        counties = set(s.scalars(select(WgProject.division_code)))
        assert len(counties) == 4
        found = {
            (name, cause)
            for name, cause in s.execute(
                select(WgProject.name, WgWarning.cause).join(
                    WgWarning, WgWarning.project_id == WgProject.id
                )
            )
        }
    faults = {name: fault for name, _, fault in PROJECTS}
    expect = {
        "unpaid": "attendance_unpaid",
        "short": "pay_below",
        "transfer": "transfer_late",
        "no_account": "account_missing",
        "complaints": "complaint_cluster",
        "no_contract": "no_contract",
        "no_deposit": "deposit_missing",
    }
    for name, fault in faults.items():
        causes = {c for n, c in found if n == name}
        if fault:
            assert expect[fault] in causes, (name, causes)
        else:
            assert causes == set(), (name, causes)
    again = seed_wages(engine, today=TODAY)
    assert again["projects"] == 0
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgProject)) == len(PROJECTS)
