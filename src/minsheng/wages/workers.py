"""Real-name workers (实名制): entry with a registered identity and a labour contract on file,
exit, moving team, and work-injury insurance by project (按项目参加工伤保险).

No contract, no entry (保障农民工工资支付条例 art. 28): a worker enters only with the contract's
number and signing date and the agreed rate. The identity is the registry's person, found by
the keyed hash of the ID number (:func:`minsheng.registry.existence.find_by_id_number`); the
number itself is neither stored here, logged, nor put in an error. A person is on a project at
most once at a time (``open_key``). Work-injury enrolment goes through
:func:`minsheng.pensions.commands.enrol_employee` with the team's firm as the employer; a person
already insured for work injury over the entry day keeps that enrolment. The exit ends the
enrolment the entry made, on the exit day (insured by project), unless the person is still on
another project whose entry relied on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core import ids, money
from minsheng.core.errors import ConflictError, MinshengError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.pensions import commands as pensions
from minsheng.policy import load
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Employer, Person
from minsheng.wages.access import get_project, get_team, get_worker
from minsheng.wages.models import RATE_KINDS, WgProject, WgProjectFirm, WgTeam, WgWorker
from minsheng.wages.schemas import MAX_RATE_FEN, WorkerIn

RATE_LABELS = {
    "day": ("计日", "ཉིན་རེར།", "per day"),
    "hour": ("计时", "ཆུ་ཚོད་རེར།", "per hour"),
    "piece": ("计件", "ཅ་ལག་རེར།", "per piece"),
}


def _rate(text: str | None, field: str) -> int | None:
    if text is None or text == "":
        return None
    fen = money.bounded(money.parse(text, field), field, MAX_RATE_FEN)
    if fen <= 0:
        raise invalid(
            field,
            "positive",
            "工资标准须大于零",
            "the rate is a positive amount",
            "གླ་ཚད་ཀླད་ཀོར་ལས་མང་དགོས།",
        )
    return fen


def no_contract(field: str) -> MinshengError:
    return invalid(
        field,
        "contract_required",
        "未签订劳动合同不得进场（保障农民工工资支付条例第二十八条）：请填写劳动合同编号和签订日期",
        "no labour contract, no entry (art. 28): give the contract's number and signing date",
        "ལས་ཀའི་ཆིངས་ཡིག་མེད་ན་ལས་ཁུལ་དུ་འཛུལ་མི་ཆོག",
    )


def _person(session: Session, id_number: str) -> Person:
    number = ids.parse_resident_id(id_number, "id_number").number
    person = find_by_id_number(session, number)
    if person is None:
        raise invalid(
            "id_number",
            "not_registered",
            "该身份证号尚未在人员库登记：实名制进场须先登记身份",
            "no registered person has this ID number: register the identity first",
            "ཐོ་འགོད་བྱས་པའི་མི་སྣ་མེད།",
        )
    if person.death_date is not None:
        raise invalid(
            "id_number", "deceased", "该人员已死亡", "this person has died", "མི་འདི་འདས་ཟིན།"
        )
    return person


def injury_wage(rate_kind: str, rate: int, day: dt.date, division: str) -> str:
    """The monthly wage (yuan text) a work-injury enrolment takes from the agreed rate: a day
    rate × ``wages.projects.workers.month_days`` (21.75), an hour rate × the standard day's
    hours too; a piece rate gives none ("0": the base floor applies)."""
    snap = load().at(day, division)
    days = Decimal(str(snap["wages.projects.workers.month_days"]))
    if rate_kind == "piece":
        return "0"
    hours = Decimal(str(snap["wages.pay.standard_day_hours"])) if rate_kind == "hour" else 1
    return money.to_str(money.apply_ratio(rate, days * hours))


def _open_on(session: Session, project_id: int, person_id: int) -> WgWorker | None:
    return session.scalar(
        select(WgWorker).where(WgWorker.project_id == project_id, WgWorker.open_key == person_id)
    )


def enter(
    session: Session,
    project_id: int,
    data: WorkerIn,
    by: Principal,
    today: dt.date | None = None,
) -> WgWorker:
    """A worker's entry (进场) on the project, with the labour contract on file."""
    today = today or dt.date.today()
    project = get_project(session, project_id, by, for_update=True)
    if project.state != "active":
        raise ConflictError(
            "project_id",
            "not_active",
            "项目已竣工或关闭，不能进场",
            "the project is completed or closed: no one enters",
            "ལས་གཞི་མཇུག་རྫོགས་ཟིན།",
        )
    team = get_team(session, data.team_id, by)
    if team.project_id != project.id:
        raise invalid(
            "team_id",
            "other_project",
            "该班组不属于本项目",
            "the team is not on this project",
            "རུ་ཁག་འདི་ལས་གཞི་འདིའི་མིན།",
        )
    person = _person(session, data.id_number)
    if not (data.contract_no or "").strip():
        raise no_contract("contract_no")
    if data.contract_signed_on is None:
        raise no_contract("contract_signed_on")
    if data.rate_kind not in RATE_KINDS:
        raise invalid(
            "rate_kind",
            "rate_kind",
            "计酬方式应为计日、计时或计件",
            "rate kind is day, hour or piece",
            "གླ་ཕོགས་ཀྱི་རིགས་ནོར་འདུག",
        )
    rate = _rate(data.rate, "rate")
    assert rate is not None
    overtime = _rate(data.overtime_rate, "overtime_rate")
    if data.contract_signed_on > data.entry_on:
        raise invalid(
            "contract_signed_on",
            "after_entry",
            "劳动合同须在进场前签订",
            "the labour contract is signed before entry",
            "ལས་ཁུལ་དུ་མ་འཛུལ་གོང་ཆིངས་ཡིག་བཞག་དགོས།",
        )
    if data.entry_on > today or data.entry_on < project.contract_signed_on:
        raise invalid(
            "entry_on",
            "out_of_period",
            "进场日期须在施工合同签订之后、不晚于今天",
            "entry falls between the construction contract and today",
            "འཛུལ་བའི་ཚེས་གྲངས་ནོར་འདུག",
        )
    if _open_on(session, project.id, person.id) is not None:
        raise ConflictError(
            "id_number",
            "already_on_project",
            "该工人已在本项目，未退场",
            "this worker is on the project and has not left",
            "ལས་མི་འདི་ལས་གཞིའི་ནང་ཡོད།",
        )
    worker = WgWorker(
        project_id=project.id,
        team_id=team.id,
        person_id=person.id,
        division_code=project.division_code,
        contract_no=data.contract_no.strip() if data.contract_no else "",
        contract_signed_on=data.contract_signed_on,
        rate_kind=data.rate_kind,
        rate=rate,
        overtime_rate=overtime,
        entry_on=data.entry_on,
        open_key=person.id,
    )
    session.add(worker)
    session.flush()
    if data.work_injury:
        worker.injury_enrolled_on = _insure(session, worker, team, by)
    audit.record(
        session,
        by,
        "enter",
        "wg_worker",
        worker.id,
        project.division_code,
        {"project_id": project.id, "person_id": person.id, "team_id": team.id},
    )
    return worker


def _insure(session: Session, worker: WgWorker, team: WgTeam, by: Principal) -> dt.date | None:
    """Work-injury insurance by project through the team's firm; None when the person already
    holds a work-injury enrolment over the entry day (kept as it is)."""
    code = session.scalar(
        select(Employer.credit_code)
        .join(WgProjectFirm, WgProjectFirm.employer_id == Employer.id)
        .where(WgProjectFirm.id == team.firm_id)
    )
    assert code is not None
    wage = injury_wage(worker.rate_kind, worker.rate, worker.entry_on, worker.division_code)
    try:
        with session.begin_nested():
            pensions.enrol_employee(
                session, worker.person_id, "work_injury", code, wage, worker.entry_on, by
            )
    except MinshengError as err:
        if err.rule == "enrolment_overlap":
            return None
        raise
    return worker.entry_on


def leave(
    session: Session, worker_id: int, exit_on: dt.date, by: Principal, today: dt.date | None = None
) -> WgWorker:
    """A worker's exit (退场) on ``exit_on`` (their last day on site)."""
    worker = get_worker(session, worker_id, by)
    if worker.open_key is None:
        raise ConflictError(
            "worker_id",
            "already_left",
            "该工人已退场",
            "this worker has already left",
            "ལས་མི་འདི་ཕྱིར་ཐོན་ཟིན།",
        )
    if exit_on < worker.entry_on or exit_on > (today or dt.date.today()):
        raise invalid(
            "exit_on",
            "out_of_period",
            "退场日期须在进场日期与今天之间",
            "exit falls between entry and today",
            "ཕྱིར་ཐོན་ཚེས་གྲངས་ནོར་འདུག",
        )
    worker.exit_on, worker.open_key = exit_on, None
    session.flush()
    ended = _uninsure(session, worker, exit_on, by)
    audit.record(
        session,
        by,
        "exit",
        "wg_worker",
        worker.id,
        worker.division_code,
        {"exit_on": exit_on.isoformat(), "injury_ended": ended},
    )
    return worker


def _uninsure(session: Session, worker: WgWorker, exit_on: dt.date, by: Principal) -> bool:
    """End the work-injury enrolment this worker's entry made, on the exit day — unless the
    person is still on another project whose entry relied on it (it found them insured)."""
    if worker.injury_enrolled_on is None:
        return False
    relying = session.scalar(
        select(func.count())
        .select_from(WgWorker)
        .where(
            WgWorker.person_id == worker.person_id,
            WgWorker.id != worker.id,
            WgWorker.open_key.is_not(None),
            WgWorker.injury_enrolled_on.is_(None),
        )
    )
    if relying:
        return False
    ended = pensions.end_scheme_started(
        session, worker.person_id, "work_injury", worker.injury_enrolled_on, exit_on, by
    )
    return ended is not None


def move(session: Session, worker_id: int, team_id: int, by: Principal) -> WgWorker:
    """Move a worker on the project to another of its teams."""
    worker = get_worker(session, worker_id, by)
    team = get_team(session, team_id, by)
    if team.project_id != worker.project_id:
        raise invalid(
            "team_id",
            "other_project",
            "该班组不属于本项目",
            "the team is not on this project",
            "རུ་ཁག་འདི་ལས་གཞི་འདིའི་མིན།",
        )
    if worker.open_key is None:
        raise ConflictError(
            "worker_id",
            "already_left",
            "该工人已退场",
            "this worker has already left",
            "ལས་མི་འདི་ཕྱིར་ཐོན་ཟིན།",
        )
    before = worker.team_id
    worker.team_id = team.id
    session.flush()
    audit.record(
        session,
        by,
        "move",
        "wg_worker",
        worker.id,
        worker.division_code,
        {"from": before, "to": team.id},
    )
    return worker


def workers_of(
    session: Session, project: WgProject, *, open_only: bool = False
) -> list[tuple[WgWorker, Person, WgTeam]]:
    """The project's workers with their person (masked ID) and team, newest entry first."""
    query = (
        select(WgWorker, Person, WgTeam)
        .join(Person, Person.id == WgWorker.person_id)
        .join(WgTeam, WgTeam.id == WgWorker.team_id)
        .where(WgWorker.project_id == project.id)
        .order_by(WgWorker.exit_on.is_not(None), WgWorker.entry_on.desc(), WgWorker.id.desc())
    )
    if open_only:
        query = query.where(WgWorker.open_key.is_not(None))
    return [(w, p, t) for w, p, t in session.execute(query).all()]


def worker_out(worker: WgWorker, person: Person, team: WgTeam) -> dict[str, Any]:
    return {
        "id": worker.id,
        "project_id": worker.project_id,
        "person_id": person.id,
        "name": person.name_zh,
        "name_bo": person.name_bo,
        "id_masked": person.id_masked,
        "team_id": team.id,
        "team": team.name,
        "contract_no": worker.contract_no,
        "contract_signed_on": worker.contract_signed_on.isoformat(),
        "rate_kind": worker.rate_kind,
        "rate": money.to_str(worker.rate),
        "overtime_rate": money.to_str(worker.overtime_rate) if worker.overtime_rate else None,
        "entry_on": worker.entry_on.isoformat(),
        "exit_on": worker.exit_on.isoformat() if worker.exit_on else None,
        "on_site": worker.open_key is not None,
        "injury_enrolled_on": (
            worker.injury_enrolled_on.isoformat() if worker.injury_enrolled_on else None
        ),
    }
