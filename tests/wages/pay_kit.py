"""A site for the pay tests, built directly: a Lhasa project with a developer, a general
contractor and a subcontractor (each a registry employer), a team under each, workers paid by
the day, the hour and the piece, each with a card, contractor users of the general contractor,
and attendance days written as the attendance area stores them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.auth.users import create_user
from minsheng.core import ids
from minsheng.foundation.principals import Principal, staff, system
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn, PersonIn
from minsheng.registry.service import create_person
from minsheng.wages import attendance_store, pay_accounts
from minsheng.wages.attendance_models import WgAttendanceDay
from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker
from tests.pensions.award_kit import luhn_account

BY = system("test")
SIGNED = dt.date(2026, 8, 20)
ENTRY = dt.date(2026, 9, 1)
TODAY = dt.date(2026, 11, 30)
PASSWORD = "Correct-Horse-Battery-9"


@dataclass
class Site:
    project_id: int
    county: str
    general_team: int
    sub_team: int
    workers: dict[str, int]  # "day" / "hour" / "piece" / "sub" → worker id
    persons: dict[str, int]
    makers: list[Principal] = field(default_factory=list)  # two users of the general firm
    sub_user: Principal | None = None


def _firm(s: Session, county: str, seq: int, name: str) -> int:
    return create_employer(
        s,
        EmployerIn(credit_code=ids.make_credit_code(county, seq), name=name, division_code=county),
        BY,
    ).id


def _user(s: Session, name: str, county: str, employer: int) -> Principal:
    user = create_user(s, BY, name, PASSWORD, "contractor", county)
    s.add(EmployerUser(user_id=user.id, employer_id=employer))
    s.flush()
    return staff(user.id, name, "contractor", county)


def site(s: Session, tag: int = 1, county: str = "540102", cards: bool = True) -> Site:
    developer = _firm(s, county, 300 + tag * 3, f"建设单位{tag}")
    general = _firm(s, county, 301 + tag * 3, f"总包单位{tag}")
    sub = _firm(s, county, 302 + tag * 3, f"分包单位{tag}")
    project = WgProject(
        code=f"PAY-{county}-{tag:03d}",
        name=f"工资测试项目{tag}",
        division_code=county,
        contract_value=500_000_000,
        contract_signed_on=SIGNED,
        start_date=ENTRY,
        state="active",
    )
    s.add(project)
    s.flush()
    firms = {}
    for role, employer in (("developer", developer), ("general", general), ("sub", sub)):
        f = WgProjectFirm(project_id=project.id, employer_id=employer, role=role)
        s.add(f)
        s.flush()
        firms[role] = f.id
    g_team = WgTeam(project_id=project.id, firm_id=firms["general"], name="钢筋班组")
    s_team = WgTeam(project_id=project.id, firm_id=firms["sub"], name="木工班组")
    s.add_all([g_team, s_team])
    s.flush()
    plan = {  # key → team, rate kind, rate (fen), overtime rate
        "day": (g_team.id, "day", 30_000, None),  # ¥300 a day
        "hour": (g_team.id, "hour", 4_150, None),  # ¥41.50 an hour
        "piece": (s_team.id, "piece", 125, 6_000),  # ¥1.25 a piece, ¥60 an overtime hour
        "sub": (s_team.id, "day", 28_000, None),
    }
    workers, persons = {}, {}
    for i, (key, (team, kind, rate, ot)) in enumerate(plan.items()):
        person = create_person(
            s,
            PersonIn(
                id_number=ids.make_resident_id(county, dt.date(1988, 2, 2), tag * 10 + i),
                name_zh=f"工人{key}{tag}",
                hukou="rural",
            ),
            BY,
        )
        w = WgWorker(
            project_id=project.id,
            team_id=team,
            person_id=person.id,
            division_code=county,
            contract_no=f"HT-{tag}-{i}",
            contract_signed_on=ENTRY - dt.timedelta(days=2),
            rate_kind=kind,
            rate=rate,
            overtime_rate=ot,
            entry_on=ENTRY,
            open_key=person.id,
        )
        s.add(w)
        s.flush()
        workers[key], persons[key] = w.id, person.id
        if cards:
            pay_accounts.set_wage_card(s, person.id, "中国农业银行", luhn_account(person.id), BY)
    result = Site(project.id, county, g_team.id, s_team.id, workers, persons)
    result.makers = [
        _user(s, f"general{tag}a", county, general),
        _user(s, f"general{tag}b", county, general),
    ]
    result.sub_user = _user(s, f"sub{tag}", county, sub)
    return result


def work(
    s: Session, site: Site, worker: str, day: dt.date, minutes: int, overtime: int = 0
) -> None:
    s.add(
        WgAttendanceDay(
            worker_id=site.workers[worker],
            project_id=site.project_id,
            day=day,
            minutes=minutes,
            overtime_minutes=overtime,
            events=2,
        )
    )
    s.flush()
    attendance_store.rebuild_months(s, [site.workers[worker]])


def funded(s: Session, site: Site, amount: int, ref: str = "BANK-0001") -> None:
    """Open the account (on the contract day) and transfer ``amount`` fen into it."""
    if pay_accounts.account_of(s, site.project_id) is None:
        pay_accounts.open_account(
            s, site.project_id, "中国建设银行拉萨分行", "6217000010012345678", SIGNED, BY
        )
    pay_accounts.record_transfer(s, site.project_id, ENTRY, amount, ref, BY, today=TODAY)
