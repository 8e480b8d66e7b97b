"""Demo wage-protection data on top of a seeded population (issue 13 point 10): construction
projects in four counties (Lhasa 城关区 and 堆龙德庆区, Shigatse 桑珠孜区, Nyingchi 巴宜区),
each with a developer, a general contractor and a team, real-name workers from the population
with labour contracts, the last three months of attendance, dedicated wage accounts with
labour-cost transfers, deposits, and pay sheets — most projects clean, some with arrears
(a month unpaid, short pay), a late transfer, a missing account or deposit, a worker on site
before his contract, a cluster of complaints — and then the monitoring scan, so the warning
queue and the dashboard show a living programme.

The rows are written straight into the tables (the areas' services check each step; the demo
writes the state a few months of those steps leave). Seeding twice adds nothing: a database
that already holds projects is left as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, insert, select

from minsheng.core import calendar, ids
from minsheng.db import Base, make_sessionmaker, unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.principals import system
from minsheng.registry.models import Employer, Person
from minsheng.wages import attendance_store, monitoring, pay
from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker

BY = system("demo")
COUNTIES = ("540102", "540103", "540202", "540402")
# (name, county, problem): a project's one fault, or "" for a clean one
PROJECTS = (
    ("拉萨市城关区保障性住房建设项目（二期）", "540102", ""),
    ("拉萨市城关区老旧小区改造工程", "540102", "unpaid"),
    ("拉萨市城关区第二中学教学楼工程", "540102", "short"),
    ("堆龙德庆区产业园标准厂房项目", "540103", ""),
    ("堆龙德庆区乡村振兴道路工程", "540103", "transfer"),
    ("桑珠孜区人民医院门诊楼工程", "540202", ""),
    ("桑珠孜区易地搬迁安置点配套工程", "540202", "no_account"),
    ("桑珠孜区农贸市场改造项目", "540202", "complaints"),
    ("巴宜区林芝职业学院实训楼工程", "540402", ""),
    ("巴宜区滨河景观提升工程", "540402", "no_contract"),
    ("巴宜区污水处理厂扩建项目", "540402", "no_deposit"),
    ("巴宜区游客服务中心工程", "540402", ""),
)
WORKERS_PER_PROJECT = 12
DAY_RATE = 30_000  # 300 元 a day (fen)


def _t(name: str) -> Any:
    return Base.metadata.tables[name]


def _month(day: dt.date, back: int) -> str:
    i = day.year * 12 + day.month - 1 - back
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def _paid(
    s: Any, p: WgProject, county: str, month: str, sheet_id: int, lines: list[tuple[WgWorker, int]]
) -> None:
    """The sheet's pay run, issued: one payment per line into the worker's card (a demo card
    per person, shown by its last four digits)."""
    keep = dt.date.fromisoformat(month + "-01") + dt.timedelta(days=3 * 366 + 40)
    run = s.execute(
        insert(_t("wg_pay_runs")).returning(_t("wg_pay_runs").c.id),
        {
            "project_id": p.id,
            "month": month,
            "region": county,
            "by": "demo",
            "new_payments": len(lines),
            "new_total": sum(g for _, g in lines),
            "state": "issued",
        },
    ).scalar_one()
    line_ids = dict(
        s.execute(
            select(_t("wg_pay_lines").c.worker_id, _t("wg_pay_lines").c.id).where(
                _t("wg_pay_lines").c.sheet_id == sheet_id
            )
        ).all()
    )
    s.execute(
        insert(_t("wg_payments")),
        [
            {
                "pay_key": pay.pay_key(w.id, month),
                "run_id": run,
                "line_id": line_ids[w.id],
                "worker_id": w.id,
                "person_id": w.person_id,
                "project_id": p.id,
                "month": month,
                "amount": g,
                "account_tail": f"{w.person_id % 10_000:04d}",
                "keep_until": keep,
            }
            for w, g in lines
            if g > 0
        ],
    )


def _working_days(month: str) -> list[dt.date]:
    y, m = (int(x) for x in month.split("-"))
    day, out = dt.date(y, m, 1), []
    while day.month == m:
        if calendar.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def seed_wages(engine: Engine, seed: int = 1, today: dt.date | None = None) -> dict[str, Any]:
    """Seed the demo projects (once) and run the scan; returns what was written."""
    today = today or dt.date.today()
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        if s.scalar(select(func.count()).select_from(WgProject)):
            return {"projects": 0, "skipped": "projects exist"}
        people = list(
            s.scalars(
                select(Person.id)
                .where(
                    Person.death_date.is_(None),
                    Person.birth_date <= dt.date(today.year - 20, 1, 1),
                    Person.birth_date >= dt.date(today.year - 55, 1, 1),
                )
                .order_by(Person.id)
                .limit(len(PROJECTS) * WORKERS_PER_PROJECT)
            )
        )
        if len(people) < len(PROJECTS) * WORKERS_PER_PROJECT:
            return {"projects": 0, "skipped": "not enough people"}
        months = [_month(today, b) for b in (3, 2, 1)]
        counts = {"projects": 0, "workers": 0, "attendance_days": 0, "pay_sheets": 0}
        for n, (name, county, fault) in enumerate(PROJECTS, start=1):
            counts["projects"] += 1
            _project(s, n, name, county, fault, people, months, today, seed, counts)
        s.flush()
        result = monitoring.scan(s, today, BY)
        counts["warnings"] = sum(result.raised.values())
        audit.record(s, BY, "seed", "wg_projects", None, None, counts)
        return counts


def _employer(s: Any, county: str, n: int, name: str) -> int:
    code = ids.make_credit_code(county, 800 + n)
    found = s.scalar(select(Employer.id).where(Employer.credit_code == code))
    if found:
        return int(found)
    e = Employer(credit_code=code, name=name, division_code=county)
    s.add(e)
    s.flush()
    return int(e.id)


def _project(
    s: Any,
    n: int,
    name: str,
    county: str,
    fault: str,
    people: list[int],
    months: list[str],
    today: dt.date,
    seed: int,
    counts: dict[str, int],
) -> None:
    start = dt.date.fromisoformat(months[0] + "-01") - dt.timedelta(days=60)
    signed = start - dt.timedelta(days=15)
    p = WgProject(
        code=f"DEMO{county}{n:03d}",
        name=name,
        division_code=county,
        contract_value=(30 + 7 * n) * 1_000_000_00,
        contract_signed_on=signed,
        start_date=start,
        end_date=start + dt.timedelta(days=540),
        permit_no=f"{county}{start:%Y%m%d}{n:02d}",
        officer_name="次仁多吉" if n % 2 else "王建国",
        state="active",
    )
    s.add(p)
    s.flush()
    developer = _employer(s, county, 2 * n, f"{name[:3]}城市建设投资有限公司")
    general = _employer(
        s, county, 2 * n + 1, f"西藏{['天路', '高争', '雪域', '藏建'][n % 4]}建工集团第{n}分公司"
    )
    s.add(WgProjectFirm(project_id=p.id, employer_id=developer, role="developer"))
    firm = WgProjectFirm(project_id=p.id, employer_id=general, role="general")
    s.add(firm)
    s.flush()
    team = WgTeam(
        project_id=p.id, firm_id=firm.id, name=["钢筋班组", "木工班组", "泥瓦班组"][n % 3]
    )
    s.add(team)
    s.flush()
    workers = []
    for k in range(WORKERS_PER_PROJECT):
        person = people[(n - 1) * WORKERS_PER_PROJECT + k]
        late = fault == "no_contract" and k == 0
        w = WgWorker(
            project_id=p.id,
            team_id=team.id,
            person_id=person,
            division_code=county,
            contract_no=f"LD{county}-{n:03d}-{k + 1:03d}",
            contract_signed_on=(dt.date.fromisoformat(months[2] + "-15") if late else start),
            rate_kind="day",
            rate=DAY_RATE + 1000 * ((k + seed) % 5),
            overtime_rate=None,
            entry_on=start,
            open_key=person,
        )
        s.add(w)
        workers.append(w)
    s.flush()
    counts["workers"] += len(workers)
    for month in months:
        days = [d for d in _working_days(month) if d <= today]
        rows = [
            {
                "worker_id": w.id,
                "project_id": p.id,
                "day": d,
                "minutes": 480,
                "overtime_minutes": 0,
                "events": 2,
            }
            for w in workers
            for d in days
        ]
        if rows:
            s.execute(insert(_t("wg_attendance_days")), rows)
            counts["attendance_days"] += len(rows)
    attendance_store.rebuild_months(s, [w.id for w in workers])
    if fault != "no_account":
        acc = s.execute(
            insert(_t("wg_wage_accounts")).returning(_t("wg_wage_accounts").c.id),
            {
                "project_id": p.id,
                "division_code": county,
                "bank_name": "中国农业银行西藏分行",
                "account_number": f"62284800{county}{n:05d}",
                "account_tail": f"{n:04d}",
                "opened_on": signed + dt.timedelta(days=10),
                "filed_on": signed + dt.timedelta(days=20),
                "balance": 200_000_000,
                "version": 1,
            },
        ).scalar_one()
        last = today - dt.timedelta(days=75 if fault == "transfer" else 10)
        s.execute(
            insert(_t("wg_labour_transfers")),
            {
                "account_id": acc,
                "project_id": p.id,
                "paid_on": last,
                "amount": 150_000_000,
                "reference": f"RG{county}{n:03d}{last:%Y%m}",
                "by": "demo",
            },
        )
    if fault != "no_deposit":
        required = p.contract_value // 100
        s.execute(
            insert(_t("wg_deposits")),
            {
                "project_id": p.id,
                "employer_id": general,
                "division_code": county,
                "contract_value": p.contract_value,
                "rate_ppm": 10_000,
                "band": "base",
                "required": required,
                "exempt": False,
                "state": "lodged",
                "lodge_by": calendar.add_working_days(signed, 20),
                "lodged_on": signed + dt.timedelta(days=12),
                "balance": required,
                "form": "cash",
            },
        )
    # pay sheets for every month whose pay is due; the faulty ones leave arrears
    for i, month in enumerate(months[:-1]):
        if fault == "unpaid" and i == len(months) - 2:
            continue  # the last due month has no sheet: attendance without pay
        worked = len([d for d in _working_days(month) if d <= today])
        lines: list[tuple[WgWorker, int]] = []
        for k, w in enumerate(workers):
            gross = w.rate * worked
            if fault == "short" and k < 4 and i == len(months) - 2:
                gross = gross * 7 // 10  # paid 70%
            lines.append((w, gross))
        sid = s.execute(
            insert(_t("wg_pay_sheets")).returning(_t("wg_pay_sheets").c.id),
            {
                "project_id": p.id,
                "team_id": team.id,
                "division_code": county,
                "month": month,
                "state": "paid",
                "total": sum(g for _, g in lines),
                "built_by": "demo",
                "keep_until": dt.date.fromisoformat(month + "-01")
                + dt.timedelta(days=3 * 366 + 40),
            },
        ).scalar_one()
        s.execute(
            insert(_t("wg_pay_lines")),
            [
                {
                    "sheet_id": sid,
                    "worker_id": w.id,
                    "person_id": w.person_id,
                    "for_month": month,
                    "back_pay": False,
                    "days": worked,
                    "rate_kind": "day",
                    "rate": w.rate,
                    "base": g,
                    "overtime_pay": 0,
                    "gross": g,
                    "confirmation": "confirmed",
                }
                for w, g in lines
            ],
        )
        _paid(s, p, county, month, sid, lines)
        counts["pay_sheets"] += 1
    if fault == "complaints":
        for k in range(4):
            s.execute(
                insert(_t("wg_complaints")),
                {
                    "division_code": county,
                    "project_id": p.id,
                    "channel": "online",
                    "received_by": "demo",
                    "anonymous": True,
                    "facts": "工地拖欠两个月工资，班组长联系不上"
                    if k % 2
                    else "ཟླ་བ་གཉིས་ཀྱི་གླ་ཕོགས་མ་སྤྲོད།",
                    "lang": "zh" if k % 2 else "bo",
                    "received_on": today - dt.timedelta(days=3 + 5 * k),
                    "accept_by": calendar.add_working_days(today - dt.timedelta(days=3 + 5 * k), 5),
                },
            )
