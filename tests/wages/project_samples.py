"""Route-matrix samples of the projects area, and the records every wages area builds on: a
Lhasa (城关区 540102) project whose general contractor is the matrix's Lhasa employer, with a
developer, a team, the matrix's Lhasa resident (P1, the citizen "inside") as a real-name worker
with a labour contract, a labour-cost schedule, and the matrix's Lhasa contractor user
(``contractor.540100``) bound to the general contractor. The Shigatse contractor
(``contractor.540200``) is bound to a Shigatse firm with no part in the project.

Other areas reuse ``w.ids["wg_project"]``, ``w.ids["wg_team"]``, ``w.ids["wg_worker"]``,
``w.ids["wg_general"]`` (the general contractor's employer id), ``w.ids["wg_developer"]``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.models import User
from minsheng.core import ids
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn
from minsheng.wages.models import (
    WgFirmUser,
    WgProject,
    WgProjectFirm,
    WgScheduleItem,
    WgTeam,
    WgWorker,
)
from tests.route_kit import BY, INSIDE, OUTSIDE, Samples, World

COLLECTIONS: set[tuple[str, str]] = set()
REGION_FREE: set[tuple[str, str]] = set()

MARKER = "拉萨测试工地"  # the Lhasa project's name: must not leak outside
DEVELOPER_CODE = ids.make_credit_code("540102", 78)
SHIGATSE_FIRM_CODE = ids.make_credit_code("540202", 79)


def _user(s: Session, username: str) -> int:
    found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None, username
    return found


def populate(s: Session, w: World) -> None:
    developer = create_employer(
        s,
        EmployerIn(credit_code=DEVELOPER_CODE, name="拉萨测试建设单位", division_code="540102"),
        BY,
    )
    elsewhere = create_employer(
        s,
        EmployerIn(
            credit_code=SHIGATSE_FIRM_CODE, name="日喀则测试施工单位", division_code="540202"
        ),
        BY,
    )
    today = dt.date.today()
    start = today.replace(day=1) - dt.timedelta(days=90)
    project = WgProject(
        code="WG-540102-0001",
        name=MARKER,
        division_code="540102",
        contract_value=500_000_000,  # 5,000,000 元
        contract_signed_on=start - dt.timedelta(days=10),
        start_date=start,
        end_date=start + dt.timedelta(days=720),
        permit_no="540102202600001",
        officer_name="测试劳资员",
        state="active",
    )
    s.add(project)
    s.flush()
    general = WgProjectFirm(project_id=project.id, employer_id=w.ids["employer"], role="general")
    s.add_all(
        [general, WgProjectFirm(project_id=project.id, employer_id=developer.id, role="developer")]
    )
    s.flush()
    team = WgTeam(project_id=project.id, firm_id=general.id, name="测试钢筋班组")
    s.add(team)
    s.flush()
    worker = WgWorker(
        project_id=project.id,
        team_id=team.id,
        person_id=w.ids["person"],
        division_code="540102",
        contract_no="HT-0001",
        contract_signed_on=start,
        rate_kind="day",
        rate=30_000,  # 300 元 a day
        overtime_rate=5_000,
        entry_on=start,
        open_key=w.ids["person"],
    )
    s.add(worker)
    s.add_all(
        WgScheduleItem(project_id=project.id, due_on=start + dt.timedelta(days=30 * i), amount=1)
        for i in range(1, 4)
    )
    s.add_all(
        [
            WgFirmUser(user_id=_user(s, f"contractor.{INSIDE}"), employer_id=w.ids["employer"]),
            WgFirmUser(user_id=_user(s, f"contractor.{OUTSIDE}"), employer_id=elsewhere.id),
        ]
    )
    s.flush()
    w.ids.update(
        wg_project=project.id,
        wg_team=team.id,
        wg_worker=worker.id,
        wg_general=w.ids["employer"],
        wg_developer=developer.id,
        wg_general_firm=general.id,
    )


def samples(w: World) -> Samples:
    return {}
