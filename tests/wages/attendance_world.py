"""A small site for the attendance tests: a Lhasa project with a team, real-name workers and a
registered device (built directly, as the projects area's services are not needed here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.foundation.principals import system
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn
from minsheng.registry.service import create_person
from minsheng.wages import attendance_devices
from minsheng.wages.attendance_models import WgDevice
from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker

BY = system("test")
ENTRY = dt.date(2026, 9, 1)


@dataclass
class Site:
    project_id: int
    workers: list[int]
    device: WgDevice
    secret: str


def site(
    s: Session,
    n_workers: int = 2,
    county: str = "540102",
    tag: int = 1,
    serial: str | None = None,
) -> Site:
    firm = create_employer(
        s,
        EmployerIn(
            credit_code=ids.make_credit_code(county, (10 + tag) % 1000),
            name=f"测试施工单位{tag}",
            division_code=county,
        ),
        BY,
    )
    project = WgProject(
        code=f"WG-{county}-{tag:04d}",
        name=f"考勤测试工地{tag}",
        division_code=county,
        contract_value=100_000_000,
        contract_signed_on=ENTRY - dt.timedelta(days=10),
        start_date=ENTRY,
        state="active",
    )
    s.add(project)
    s.flush()
    general = WgProjectFirm(project_id=project.id, employer_id=firm.id, role="general")
    s.add(general)
    s.flush()
    team = WgTeam(project_id=project.id, firm_id=general.id, name="钢筋班组")
    s.add(team)
    s.flush()
    workers = []
    for i in range(n_workers):
        person = create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id(county, dt.date(1985, 1, 1), (tag * 50 + i) % 1000),
                name_zh=f"工人{tag}-{i}",
                hukou="rural",
            ),
            BY,
        )
        w = WgWorker(
            project_id=project.id,
            team_id=team.id,
            person_id=person.id,
            division_code=county,
            contract_no=f"HT-{tag}-{i}",
            contract_signed_on=ENTRY,
            rate_kind="day",
            rate=30_000,
            entry_on=ENTRY,
            open_key=person.id,
        )
        s.add(w)
        s.flush()
        workers.append(w.id)
    device, secret = attendance_devices.register(
        s, project.id, serial or f"FACE-{county}-{tag}", "东门", BY
    )
    s.flush()
    return Site(project.id, workers, device, secret)
