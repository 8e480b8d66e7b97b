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

from minsheng.auth.models import EmployerUser, User
from minsheng.core import ids
from minsheng.registry import service as registry
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn
from minsheng.wages import projects, workers
from minsheng.wages.models import WgProject
from minsheng.wages.project_rules import add_months
from minsheng.wages.schemas import FirmIn, InstalmentIn, ProjectIn, TeamIn, WorkerIn
from tests.route_kit import BY, INSIDE, OUTSIDE, P1_ID, Samples, World

COLLECTIONS: set[tuple[str, str]] = {("GET", "/api/wages/projects"), ("GET", "/wages/projects")}
REGION_FREE: set[tuple[str, str]] = set()

MARKER = "拉萨测试工地"  # the Lhasa project's name: must not leak outside
DEVELOPER_CODE = ids.make_credit_code("540102", 78)
SHIGATSE_FIRM_CODE = ids.make_credit_code("540202", 79)
GENERAL_CODE = ids.make_credit_code("540102", 77)  # the matrix's Lhasa employer


def _user(s: Session, username: str) -> int:
    found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None, username
    return found


def _file(s: Session, name: str, start: dt.date) -> WgProject:
    return projects.file_project(
        s,
        ProjectIn(
            name=name,
            division_code="540102",
            contract_value="5000000.00",
            contract_signed_on=start - dt.timedelta(days=10),
            start_date=start,
            permit_no="540102202600001",
            officer_name="测试劳资员",
            developer=FirmIn(credit_code=DEVELOPER_CODE, name="拉萨测试建设单位"),
            general=FirmIn(credit_code=GENERAL_CODE),
            schedule=[
                InstalmentIn(due_on=add_months(start, i), amount="100000.00") for i in (1, 2, 3)
            ],
        ),
        BY,
    )


def _enter(s: Session, project: WgProject, team: int, id_number: str, start: dt.date) -> int:
    return workers.enter(
        s,
        project.id,
        WorkerIn(
            id_number=id_number,
            team_id=team,
            contract_no="HT-0001",
            contract_signed_on=start,
            rate_kind="day",
            rate="300.00",
            overtime_rate="50.00",
            entry_on=start,
            work_injury=False,  # the pensions samples own the Lhasa resident's enrolments
        ),
        BY,
    ).id


def populate(s: Session, w: World) -> None:
    elsewhere = create_employer(
        s,
        EmployerIn(
            credit_code=SHIGATSE_FIRM_CODE, name="日喀则测试施工单位", division_code="540202"
        ),
        BY,
    )
    start = dt.date.today().replace(day=1) - dt.timedelta(days=90)
    project = _file(s, MARKER, start)
    team = projects.add_team(
        s, project.id, TeamIn(name="测试钢筋班组", credit_code=GENERAL_CODE), BY
    )
    worker = _enter(s, project, team.id, P1_ID, start)
    # a second project and worker that the samples complete, close and exit (the first stay
    # open for every other area's samples)
    spare = _file(s, "拉萨测试备用工地", start)
    spare_team = projects.add_team(
        s, spare.id, TeamIn(name="测试木工班组", credit_code=GENERAL_CODE), BY
    )
    leaver = registry.create_person(
        s, PersonIn(id_number=w.new_id(), name_zh="测试退场工人", hukou="rural"), BY
    )
    spare_worker = _enter(s, project, team.id, leaver.id_number, start)
    newcomers = []
    for _ in range(3):
        p = registry.create_person(
            s, PersonIn(id_number=w.new_id(), name_zh="测试进场工人", hukou="rural"), BY
        )
        newcomers.append(p.id_number)
    w.newcomers = newcomers  # type: ignore[attr-defined]
    s.add_all(
        [
            EmployerUser(user_id=_user(s, f"contractor.{INSIDE}"), employer_id=w.ids["employer"]),
            EmployerUser(user_id=_user(s, f"contractor.{OUTSIDE}"), employer_id=elsewhere.id),
        ]
    )
    s.flush()
    general = projects.general_of(s, project.id)
    w.ids.update(
        wg_project=project.id,
        wg_team=team.id,
        wg_worker=worker,
        wg_general=general.id,
        wg_developer=projects.firms_of(s, project.id)[0][1].id,
        wg_project_spare=spare.id,
        wg_team_spare=spare_team.id,
        wg_worker_spare=spare_worker,
    )


def samples(w: World) -> Samples:
    today = dt.date.today().isoformat()
    project = {"project_id": w.ids["wg_project"]}
    spare = {"project_id": w.ids["wg_project_spare"]}
    leaver = {"worker_id": w.ids["wg_worker_spare"]}
    newcomers = iter(getattr(w, "newcomers", []))

    def new_project() -> dict[str, object]:
        start = dt.date.today().replace(day=1)
        return {
            "name": f"拉萨测试新工地{w.n()}",
            "division_code": "540102",
            "contract_value": "2000000.00",
            "contract_signed_on": start.isoformat(),
            "start_date": start.isoformat(),
            "developer": {"credit_code": DEVELOPER_CODE},
            "general": {"credit_code": GENERAL_CODE},
        }

    def new_worker() -> dict[str, object]:
        start = (dt.date.today().replace(day=1) - dt.timedelta(days=90)).isoformat()
        return {
            "id_number": next(newcomers, P1_ID),
            "team_id": w.ids["wg_team"],
            "contract_no": f"HT-{w.n()}",
            "contract_signed_on": start,
            "rate_kind": "day",
            "rate": "280.00",
            "entry_on": start,
            "work_injury": False,
        }

    return {
        ("GET", "/api/wages/projects"): {"marker": MARKER},
        ("POST", "/api/wages/projects"): {"json": new_project},
        ("GET", "/api/wages/projects/{project_id}"): {"path": project},
        ("PATCH", "/api/wages/projects/{project_id}"): {
            "path": project,
            "json": {"officer_name": "测试劳资员"},
        },
        ("POST", "/api/wages/projects/{project_id}/complete"): {
            "path": spare,
            "json": {"completed_on": today},
        },
        ("POST", "/api/wages/projects/{project_id}/close"): {"path": spare},
        ("POST", "/api/wages/projects/{project_id}/firms"): {
            "path": project,
            "json": lambda: {
                "credit_code": ids.make_credit_code("540102", 7000 + w.n()),
                "name": "拉萨测试分包单位",
            },
        },
        ("PUT", "/api/wages/projects/{project_id}/schedule"): {
            "path": spare,
            "json": {"items": []},
        },
        ("POST", "/api/wages/projects/{project_id}/teams"): {
            "path": project,
            "json": lambda: {"name": f"测试班组{w.n()}", "credit_code": GENERAL_CODE},
        },
        ("GET", "/api/wages/projects/{project_id}/workers"): {"path": project},
        ("POST", "/api/wages/projects/{project_id}/workers"): {"path": project, "json": new_worker},
        ("POST", "/api/wages/workers/{worker_id}/exit"): {
            "path": leaver,
            "json": {"exit_on": today},
        },
        ("GET", "/wages/projects"): {"marker": MARKER},
        ("GET", "/wages/projects/{project_id}"): {"path": project},
        ("POST", "/wages/projects/{project_id}/workers"): {
            "path": project,
            "data": lambda: {k: str(v) for k, v in new_worker().items() if k != "work_injury"},
        },
        ("POST", "/wages/workers/{worker_id}/exit"): {"path": leaver, "data": {"exit_on": today}},
        ("POST", "/api/wages/workers/{worker_id}/team"): {
            "path": leaver,
            "json": {"team_id": w.ids["wg_team"]},
        },
    }
