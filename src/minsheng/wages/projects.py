"""Projects (工程建设项目) and their firms, teams and labour-cost payment schedule.

Filing a project checks everything before writing: the county lies in the caller's region, the
contract value is positive yuan within :data:`minsheng.core.money.MAX_AMOUNT_FEN`, the dates are
in order, every credit code passes GB 32100 (:func:`minsheng.core.ids.parse_credit_code`), no
firm is on the arrears blacklist (:func:`minsheng.wages.blacklist.listed`), and the schedule's
instalments are at most ``wages.projects.schedule.max_gap_months`` apart (art. 24). A firm not
yet in the registry's ``employers`` is registered there (``registry.organisations``) in the
project's county. Every write is audited; reads go through :mod:`minsheng.wages.access`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import divisions, ids, money
from minsheng.core.errors import ConflictError, MinshengError, Problem, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.checks import county
from minsheng.registry.models import Employer
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn
from minsheng.wages import blacklist
from minsheng.wages.access import get_project
from minsheng.wages.models import WgProject, WgProjectFirm, WgScheduleItem, WgTeam
from minsheng.wages.project_rules import schedule_problems
from minsheng.wages.schemas import (
    FirmIn,
    InstalmentIn,
    ProjectIn,
    ProjectPatch,
    TeamIn,
)

ROLE_LABELS = {  # (zh, bo, en)
    "developer": ("建设单位", "འཛུགས་སྐྲུན་ཚོགས་པ།", "developer"),
    "general": ("施工总承包单位", "ལས་འགན་སྤྱི་ཁྱབ་ཚོགས་པ།", "general contractor"),
    "sub": ("分包单位", "ལས་འགན་ཡན་ལག་ཚོགས་པ།", "subcontractor"),
}
STATE_LABELS = {
    "active": ("在建", "འཛུགས་བཞིན་པ།", "under construction"),
    "completed": ("已竣工", "ལེགས་གྲུབ།", "completed"),
    "closed": ("已关闭", "སྒོ་བརྒྱབ།", "closed"),
}


def max_gap_months(day: dt.date, division: str) -> int:
    return int(load().at(day, division)["wages.projects.schedule.max_gap_months"])  # type: ignore[arg-type]


def _raise(problems: list[Problem]) -> None:
    if problems:
        first, *more = problems
        raise MinshengError(
            field=first.field, rule=first.rule, zh=first.zh, en=first.en, bo=first.bo, more=more
        )


def contract_fen(text: str, field: str = "contract_value") -> int:
    fen = money.bounded(money.parse(text, field), field)
    if fen <= 0:
        raise invalid(
            field,
            "positive",
            "施工合同额须大于零",
            "the contract value is a positive amount",
            "ཆིངས་ཡིག་གི་དངུལ་འབོར་ཀླད་ཀོར་ལས་མང་དགོས།",
        )
    return fen


def check_dates(signed: dt.date, start: dt.date, end: dt.date | None, today: dt.date) -> None:
    if signed > today:
        raise invalid(
            "contract_signed_on",
            "future",
            "施工合同签订日期不能晚于今天",
            "the contract cannot be signed in the future",
            "ཆིངས་ཡིག་མ་འོངས་པའི་ཚེས་གྲངས་མི་རུང་།",
        )
    if end is not None and end < start:
        raise invalid(
            "end_date",
            "before_start",
            "计划竣工日期早于开工日期",
            "the planned completion is before the start",
            "ལེགས་གྲུབ་ཚེས་གྲངས་འགོ་འཛུགས་སྔོན་ལ་མི་རུང་།",
        )


def _schedule(
    items: list[InstalmentIn], start: dt.date, end: dt.date | None, signed: dt.date, division: str
) -> list[tuple[dt.date, int]]:
    amounts = [money.bounded(money.parse(i.amount, "amount"), "amount") for i in items]
    dues = [i.due_on for i in items]
    _raise(schedule_problems(start, end, signed, dues, amounts, max_gap_months(start, division)))
    return list(zip(dues, amounts, strict=True))


def find_firm(session: Session, credit_code: str, field: str = "credit_code") -> Employer | None:
    code = ids.parse_credit_code(credit_code, field).code
    return session.scalar(select(Employer).where(Employer.credit_code == code))


def _firm(
    session: Session, firm: FirmIn, field: str, division: str, by: Principal, on: dt.date
) -> Employer | None:
    """The registered employer of ``firm`` (None when it must be registered), checked."""
    employer = find_firm(session, firm.credit_code, f"{field}.credit_code")
    if employer is None and not firm.name:
        raise invalid(
            f"{field}.name",
            "required",
            "该单位尚未登记，请填写单位名称",
            "this firm is not registered yet: give its name",
            "ཚོགས་པ་འདི་ཐོ་འགོད་བྱས་མེད། མིང་འབྲི་དགོས།",
        )
    if employer is not None and blacklist.listed(session, employer.id, on):
        raise ConflictError(
            f"{field}.credit_code",
            "blacklisted",
            f"“{employer.name}”在拖欠农民工工资失信联合惩戒对象名单内，不能新报工程项目",
            f"{employer.name} is on the wage-arrears blacklist and cannot file a new project",
            "ཚོགས་པ་འདི་ཡིད་ཆེས་ཤོར་བའི་ཐོ་ཡིག་ནང་ཡོད།",
        )
    return employer


def _register(
    session: Session, firm: FirmIn, existing: Employer | None, division: str, by: Principal
) -> Employer:
    if existing is not None:
        return existing
    code = ids.parse_credit_code(firm.credit_code).code
    found = session.scalar(select(Employer).where(Employer.credit_code == code))
    if found is not None:  # the same new firm named twice in one filing
        return found
    assert firm.name
    return create_employer(
        session, EmployerIn(credit_code=code, name=firm.name, division_code=division), by
    )


def file_project(
    session: Session, data: ProjectIn, by: Principal, today: dt.date | None = None
) -> WgProject:
    """File a project with its developer, general contractor, subcontractors and schedule."""
    today = today or dt.date.today()
    division = county(data.division_code).code
    by.require_covers(division, "project")
    value = contract_fen(data.contract_value)
    check_dates(data.contract_signed_on, data.start_date, data.end_date, today)
    named: list[tuple[str, FirmIn, str]] = [
        ("developer", data.developer, "developer"),
        ("general", data.general, "general"),
        *(("sub", f, f"subcontractors.{i}") for i, f in enumerate(data.subcontractors)),
    ]
    codes = [
        ids.parse_credit_code(f.credit_code, f"{where}.credit_code").code for _, f, where in named
    ]
    if codes[1] in codes[2:]:
        raise invalid(
            "subcontractors",
            "is_general",
            "施工总承包单位不能同时是本项目的分包单位",
            "the general contractor cannot also be a subcontractor",
            "ལས་འགན་སྤྱི་ཁྱབ་ཚོགས་པ་ཡན་ལག་ཚོགས་པ་མི་རུང་།",
        )
    if len(set(codes[2:])) != len(codes[2:]):
        raise invalid(
            "subcontractors",
            "duplicate",
            "分包单位重复",
            "a subcontractor is named twice",
            "ཡན་ལག་ཚོགས་པ་བསྐྱར་ཟློས་བྱུང་།",
        )
    firms = [(role, f, _firm(session, f, where, division, by, today)) for role, f, where in named]
    schedule = _schedule(
        data.schedule, data.start_date, data.end_date, data.contract_signed_on, division
    )
    project = WgProject(
        code=f"tmp-{secrets.token_hex(8)}",
        name=data.name,
        division_code=division,
        contract_value=value,
        contract_signed_on=data.contract_signed_on,
        start_date=data.start_date,
        end_date=data.end_date,
        permit_no=data.permit_no or None,
        officer_name=data.officer_name or None,
        state="active",
    )
    session.add(project)
    session.flush()
    project.code = f"XM{division}{project.id:08d}"  # 项目编号: county + serial
    for role, firm, existing in firms:
        employer = _register(session, firm, existing, division, by)
        session.add(WgProjectFirm(project_id=project.id, employer_id=employer.id, role=role))
    session.add_all(
        WgScheduleItem(project_id=project.id, due_on=due, amount=amount) for due, amount in schedule
    )
    session.flush()
    audit.record(
        session,
        by,
        "create",
        "wg_project",
        project.id,
        division,
        {"code": project.code, "firms": len(firms), "instalments": len(schedule)},
    )
    return project


def _active(project: WgProject, what_zh: str, what_en: str) -> None:
    if project.state != "active":
        zh, _, en = STATE_LABELS[project.state]
        raise ConflictError(
            "project_id",
            "not_active",
            f"项目{zh}，不能{what_zh}",
            f"the project is {en}: cannot {what_en}",
            "ལས་གཞི་འཛུགས་བཞིན་མེད།",
        )


def update_project(
    session: Session, project_id: int, patch: ProjectPatch, by: Principal
) -> WgProject:
    project = get_project(session, project_id, by, for_update=True)
    if project.state == "closed":
        _active(project, "修改", "change it")
    changes: dict[str, Any] = {}
    value = contract_fen(patch.contract_value) if patch.contract_value is not None else None
    if patch.end_date is not None:
        check_dates(project.contract_signed_on, project.start_date, patch.end_date, dt.date.max)
    for name in ("name", "end_date", "permit_no", "officer_name"):
        new = getattr(patch, name)
        if new is not None and new != getattr(project, name):
            setattr(project, name, new)
            changes[name] = str(new)
    if value is not None and value != project.contract_value:
        project.contract_value = value
        changes["contract_value"] = value
    session.flush()
    audit.record(session, by, "update", "wg_project", project.id, project.division_code, changes)
    return project


def complete_project(
    session: Session,
    project_id: int,
    completed_on: dt.date,
    by: Principal,
    today: dt.date | None = None,
) -> WgProject:
    """Completion (竣工验收): from then on no worker enters; the deposit may be returned."""
    project = get_project(session, project_id, by, for_update=True)
    _active(project, "竣工", "complete it")
    if completed_on < project.start_date or completed_on > (today or dt.date.today()):
        raise invalid(
            "completed_on",
            "out_of_period",
            "竣工日期须在开工日期与今天之间",
            "completion falls between the start date and today",
            "ལེགས་གྲུབ་ཚེས་གྲངས་ནོར་འདུག",
        )
    project.state, project.completed_on = "completed", completed_on
    session.flush()
    audit.record(
        session,
        by,
        "complete",
        "wg_project",
        project.id,
        project.division_code,
        {"completed_on": completed_on.isoformat()},
    )
    return project


def close_project(session: Session, project_id: int, by: Principal) -> WgProject:
    """Close a project (关闭): nothing more is filed on it (a pay sheet is refused)."""
    project = get_project(session, project_id, by, for_update=True)
    if project.state == "closed":
        raise ConflictError(
            "project_id",
            "closed",
            "项目已关闭",
            "the project is already closed",
            "ལས་གཞི་སྒོ་བརྒྱབ་ཟིན།",
        )
    project.state = "closed"
    session.flush()
    audit.record(session, by, "close", "wg_project", project.id, project.division_code)
    return project


def add_subcontractor(
    session: Session, project_id: int, firm: FirmIn, by: Principal, today: dt.date | None = None
) -> WgProjectFirm:
    project = get_project(session, project_id, by, for_update=True)
    _active(project, "增加分包单位", "add a subcontractor")
    existing = _firm(session, firm, "firm", project.division_code, by, today or dt.date.today())
    if existing is not None and session.scalar(
        select(WgProjectFirm.id).where(
            WgProjectFirm.project_id == project.id,
            WgProjectFirm.employer_id == existing.id,
            WgProjectFirm.role.in_(("general", "sub")),
        )
    ):
        raise ConflictError(
            "firm.credit_code",
            "duplicate",
            "该单位已在本项目施工",
            "this firm already builds on the project",
            "ཚོགས་པ་འདི་ལས་གཞིའི་ནང་ཡོད།",
        )
    employer = _register(session, firm, existing, project.division_code, by)
    row = WgProjectFirm(project_id=project.id, employer_id=employer.id, role="sub")
    session.add(row)
    session.flush()
    audit.record(
        session,
        by,
        "add_firm",
        "wg_project",
        project.id,
        project.division_code,
        {"employer_id": employer.id},
    )
    return row


def set_schedule(
    session: Session, project_id: int, items: list[InstalmentIn], by: Principal
) -> list[WgScheduleItem]:
    """Replace the project's labour-cost payment schedule (checked as a whole)."""
    project = get_project(session, project_id, by, for_update=True)
    _active(project, "修改拨付计划", "change its schedule")
    schedule = _schedule(
        items,
        project.start_date,
        project.end_date,
        project.contract_signed_on,
        project.division_code,
    )
    for old in session.scalars(
        select(WgScheduleItem).where(WgScheduleItem.project_id == project.id)
    ):
        session.delete(old)
    session.flush()
    rows = [WgScheduleItem(project_id=project.id, due_on=d, amount=a) for d, a in schedule]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        by,
        "schedule",
        "wg_project",
        project.id,
        project.division_code,
        {"instalments": len(rows)},
    )
    return rows


def add_team(session: Session, project_id: int, data: TeamIn, by: Principal) -> WgTeam:
    """A team (班组) under the general contractor or a subcontractor of the project."""
    project = get_project(session, project_id, by, for_update=True)
    _active(project, "增加班组", "add a team")
    code = ids.parse_credit_code(data.credit_code).code
    firm = session.scalar(
        select(WgProjectFirm)
        .join(Employer, Employer.id == WgProjectFirm.employer_id)
        .where(
            WgProjectFirm.project_id == project.id,
            WgProjectFirm.role.in_(("general", "sub")),
            Employer.credit_code == code,
        )
    )
    if firm is None:
        raise invalid(
            "credit_code",
            "not_builder",
            "该单位不是本项目的施工总承包或分包单位",
            "this firm is neither the general contractor nor a subcontractor of the project",
            "ཚོགས་པ་འདི་ལས་གཞིའི་འཛུགས་སྐྲུན་ཚོགས་པ་མིན།",
        )
    if session.scalar(
        select(WgTeam.id).where(WgTeam.project_id == project.id, WgTeam.name == data.name)
    ):
        raise ConflictError(
            "name",
            "duplicate",
            "本项目已有同名班组",
            "the project has a team of this name",
            "རུ་ཁག་གི་མིང་བསྐྱར་ཟློས་བྱུང་།",
        )
    team = WgTeam(project_id=project.id, firm_id=firm.id, name=data.name)
    session.add(team)
    session.flush()
    audit.record(
        session,
        by,
        "add_team",
        "wg_project",
        project.id,
        project.division_code,
        {"team_id": team.id},
    )
    return team


def firms_of(session: Session, project_id: int) -> list[tuple[WgProjectFirm, Employer]]:
    order = {"developer": 0, "general": 1, "sub": 2}
    rows = session.execute(
        select(WgProjectFirm, Employer)
        .join(Employer, Employer.id == WgProjectFirm.employer_id)
        .where(WgProjectFirm.project_id == project_id)
        .order_by(WgProjectFirm.id)
    ).all()
    return sorted(((f, e) for f, e in rows), key=lambda x: order[x[0].role])


def general_of(session: Session, project_id: int) -> Employer:
    """The project's general contractor (施工总承包单位): pays on behalf of subcontractors."""
    return next(e for f, e in firms_of(session, project_id) if f.role == "general")


def teams_of(session: Session, project_id: int) -> list[WgTeam]:
    return list(
        session.scalars(select(WgTeam).where(WgTeam.project_id == project_id).order_by(WgTeam.id))
    )


def schedule_of(session: Session, project_id: int) -> list[WgScheduleItem]:
    return list(
        session.scalars(
            select(WgScheduleItem)
            .where(WgScheduleItem.project_id == project_id)
            .order_by(WgScheduleItem.due_on)
        )
    )


def project_out(session: Session, project: WgProject, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": project.id,
        "code": project.code,
        "name": project.name,
        "division_code": project.division_code,
        "county": divisions.get(project.division_code).name_zh,
        "contract_value": money.to_str(project.contract_value),
        "contract_value_fen": project.contract_value,
        "contract_signed_on": project.contract_signed_on.isoformat(),
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "completed_on": project.completed_on.isoformat() if project.completed_on else None,
        "permit_no": project.permit_no,
        "officer_name": project.officer_name,
        "state": project.state,
    }
    if full:
        out["firms"] = [
            {"role": f.role, "employer_id": e.id, "credit_code": e.credit_code, "name": e.name}
            for f, e in firms_of(session, project.id)
        ]
        out["teams"] = [
            {"id": t.id, "name": t.name, "firm_id": t.firm_id}
            for t in teams_of(session, project.id)
        ]
        out["schedule"] = [
            {
                "due_on": s.due_on.isoformat(),
                "amount": money.to_str(s.amount),
                "amount_fen": s.amount,
            }
            for s in schedule_of(session, project.id)
        ]
    return out


def count_projects(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
