"""A small world for the projects-area tests: Lhasa firms, persons, a filed project."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry import service as registry
from minsheng.registry.schemas import PersonIn
from minsheng.wages import projects
from minsheng.wages.models import WgProject
from minsheng.wages.schemas import ProjectIn, TeamIn, WorkerIn

BY = system("test")
DEVELOPER = ids.make_credit_code("540102", 501)
GENERAL = ids.make_credit_code("540102", 502)
SUB = ids.make_credit_code("510100", 503)  # a Chengdu subcontractor, new to the registry
START = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 11, 20)


def project_in(**over: Any) -> ProjectIn:
    data: dict[str, Any] = {
        "name": "拉萨市城关区保障房二期",
        "division_code": "540102",
        "contract_value": "12000000.00",
        "contract_signed_on": "2026-02-20",
        "start_date": START.isoformat(),
        "end_date": "2026-06-30",
        "permit_no": "540102202603020101",
        "officer_name": "次仁",
        "developer": {"credit_code": DEVELOPER, "name": "拉萨城投测试建设单位"},
        "general": {"credit_code": GENERAL, "name": "西藏测试建工集团"},
        "subcontractors": [{"credit_code": SUB, "name": "四川测试劳务公司"}],
        "schedule": [
            {"due_on": "2026-04-01", "amount": "300000.00"},
            {"due_on": "2026-05-01", "amount": "300000.00"},
            {"due_on": "2026-06-01", "amount": "300000.00"},
        ],
    }
    data.update(over)
    return ProjectIn.model_validate(data)


def person(s: Session, seq: int, county: str = "540102", name: str = "测试工人") -> tuple[int, str]:
    number = ids.make_resident_id(county, dt.date(1988, 4, 4), seq)
    p = registry.create_person(s, PersonIn(id_number=number, name_zh=name, hukou="rural"), BY)
    return p.id, number


def filed(s: Session, **over: Any) -> WgProject:
    project = projects.file_project(s, project_in(**over), BY, today=TODAY)
    projects.add_team(s, project.id, TeamIn(name="钢筋班组", credit_code=SUB), BY)
    return project


def worker_in(number: str, team_id: int, **over: Any) -> WorkerIn:
    data: dict[str, Any] = {
        "id_number": number,
        "team_id": team_id,
        "contract_no": "LD-2026-001",
        "contract_signed_on": "2026-03-01",
        "rate_kind": "day",
        "rate": "300.00",
        "overtime_rate": "56.25",
        "entry_on": "2026-03-02",
    }
    data.update(over)
    return WorkerIn.model_validate(data)


def contractor(
    s: Session, employer_id: int | None, region: str = "540100", n: int = 1
) -> Principal:
    user = create_user(s, BY, f"contractor.t{n}.{region}", "correct-horse-1", "contractor", region)
    if employer_id is not None:
        s.add(EmployerUser(user_id=user.id, employer_id=employer_id))
        s.flush()
    return staff(user.id, user.username, "contractor", region)


def counts(s: Session, *models: Any) -> tuple[int, ...]:
    return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in models)
