"""A small world for the monitoring tests, written straight into the tables (the other areas'
by name, with Core SQL), so these tests depend on the tables, not on the other services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.db import Base
from minsheng.foundation.principals import system
from minsheng.registry import service as registry
from minsheng.registry.models import Employer
from minsheng.registry.schemas import PersonIn
from minsheng.wages import attendance_store
from minsheng.wages.models import WgProject, WgProjectFirm, WgTeam, WgWorker

BY = system("test")
TODAY = dt.date(2026, 11, 20)
_seq = {"n": 0}


def _next() -> int:
    _seq["n"] += 1
    return _seq["n"]


def t(name: str) -> Any:
    return Base.metadata.tables[name]


def project(
    s: Session,
    name: str,
    county: str = "540102",
    signed: dt.date = dt.date(2026, 2, 20),
    start: dt.date = dt.date(2026, 3, 2),
    state: str = "active",
) -> tuple[WgProject, int, int]:
    """A project with its general contractor and one team: (project, team id, employer id)."""
    n = _next()
    emp = Employer(
        credit_code=ids.make_credit_code(county, 600 + n), name=f"测试建工{n}", division_code=county
    )
    s.add(emp)
    s.flush()
    p = WgProject(
        code=f"WGT{n:05d}",
        name=name,
        division_code=county,
        contract_value=500_000_000,
        contract_signed_on=signed,
        start_date=start,
        state=state,
    )
    s.add(p)
    s.flush()
    firm = WgProjectFirm(project_id=p.id, employer_id=emp.id, role="general")
    s.add(firm)
    s.flush()
    team = WgTeam(project_id=p.id, firm_id=firm.id, name="钢筋班组")
    s.add(team)
    s.flush()
    return p, team.id, emp.id


def worker(
    s: Session,
    p: WgProject,
    team: int,
    *,
    rate: int = 30_000,
    kind: str = "day",
    signed: dt.date = dt.date(2026, 3, 1),
    entry: dt.date = dt.date(2026, 3, 2),
) -> WgWorker:
    n = _next()
    person = registry.create_person(
        s,
        PersonIn(
            id_number=ids.make_resident_id(p.division_code, dt.date(1985, 5, 5), 100 + n),
            name_zh=f"工人{n}",
            hukou="rural",
        ),
        BY,
    )
    w = WgWorker(
        project_id=p.id,
        team_id=team,
        person_id=person.id,
        division_code=p.division_code,
        contract_no=f"HT-{n}",
        contract_signed_on=signed,
        rate_kind=kind,
        rate=rate,
        entry_on=entry,
        open_key=person.id,
    )
    s.add(w)
    s.flush()
    return w


def attend(s: Session, w: WgWorker, days: list[dt.date], minutes: int = 480) -> None:
    s.execute(
        insert(t("wg_attendance_days")),
        [
            {
                "worker_id": w.id,
                "project_id": w.project_id,
                "day": d,
                "minutes": minutes,
                "overtime_minutes": 0,
                "events": 2,
            }
            for d in days
        ],
    )
    attendance_store.rebuild_months(s, [w.id])


def days(month: str, n: int) -> list[dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    return [first + dt.timedelta(days=i) for i in range(n)]


def account(s: Session, p: WgProject, opened: dt.date, filed: dt.date | None, balance: int) -> int:
    return int(
        s.execute(
            insert(t("wg_wage_accounts")).returning(t("wg_wage_accounts").c.id),
            {
                "project_id": p.id,
                "division_code": p.division_code,
                "bank_name": "中国农业银行",
                "account_number": "6228480000000000001",
                "account_tail": "0001",
                "opened_on": opened,
                "filed_on": filed,
                "balance": balance,
            },
        ).scalar_one()
    )


def transfer(s: Session, p: WgProject, account_id: int, paid_on: dt.date, amount: int) -> None:
    s.execute(
        insert(t("wg_labour_transfers")),
        {
            "account_id": account_id,
            "project_id": p.id,
            "paid_on": paid_on,
            "amount": amount,
            "reference": f"TR{_next()}",
            "by": "test",
        },
    )


def sheet(
    s: Session,
    p: WgProject,
    team: int,
    month: str,
    state: str,
    lines: list[tuple[WgWorker, int]],
    paid: list[WgWorker] | None = None,
    run_state: str = "issued",
) -> int:
    """A pay sheet of ``lines`` (worker, gross). A ``paid`` sheet's lines are paid by a pay
    run (``run_state``); ``paid`` names the workers paid when only some are (the rest held)."""
    sid = int(
        s.execute(
            insert(t("wg_pay_sheets")).returning(t("wg_pay_sheets").c.id),
            {
                "project_id": p.id,
                "team_id": team,
                "division_code": p.division_code,
                "month": month,
                "state": state,
                "total": sum(g for _, g in lines),
                "built_by": "test",
                "keep_until": dt.date(2030, 1, 1),
            },
        ).scalar_one()
    )
    line_ids: dict[int, int] = {}
    for w, g in lines:
        line_ids[w.id] = int(
            s.execute(
                insert(t("wg_pay_lines")).returning(t("wg_pay_lines").c.id),
                {
                    "sheet_id": sid,
                    "worker_id": w.id,
                    "person_id": w.person_id,
                    "for_month": month,
                    "rate_kind": w.rate_kind,
                    "rate": w.rate,
                    "base": g,
                    "overtime_pay": 0,
                    "gross": g,
                },
            ).scalar_one()
        )
    if state in ("paid", "paying") or paid is not None:
        chosen = {w.id for w in paid} if paid is not None else set(line_ids)
        pay = [(w, g) for w, g in lines if w.id in chosen and g > 0]
        run = int(
            s.execute(
                insert(t("wg_pay_runs")).returning(t("wg_pay_runs").c.id),
                {
                    "project_id": p.id,
                    "month": month,
                    "region": p.division_code,
                    "by": "test",
                    "new_payments": len(pay),
                    "new_total": sum(g for _, g in pay),
                    "state": run_state,
                },
            ).scalar_one()
        )
        if pay:
            s.execute(
                insert(t("wg_payments")),
                [
                    {
                        "pay_key": f"w{w.id}:{month}",
                        "run_id": run,
                        "line_id": line_ids[w.id],
                        "worker_id": w.id,
                        "person_id": w.person_id,
                        "project_id": p.id,
                        "month": month,
                        "amount": g,
                        "account_tail": "0000",
                        "keep_until": dt.date(2030, 1, 1),
                    }
                    for w, g in pay
                ],
            )
    return sid


def deposit(s: Session, p: WgProject, employer_id: int, lodged: dt.date | None) -> None:
    s.execute(
        insert(t("wg_deposits")),
        {
            "project_id": p.id,
            "employer_id": employer_id,
            "division_code": p.division_code,
            "contract_value": p.contract_value,
            "rate_ppm": 10_000,
            "band": "base",
            "required": p.contract_value // 100,
            "state": "lodged" if lodged else "due",
            "lodge_by": p.contract_signed_on + dt.timedelta(days=28),
            "lodged_on": lodged,
            "balance": p.contract_value // 100 if lodged else 0,
            "form": "cash" if lodged else None,
        },
    )


def complaint(s: Session, p: WgProject, received: dt.date) -> None:
    s.execute(
        insert(t("wg_complaints")),
        {
            "division_code": p.division_code,
            "project_id": p.id,
            "channel": "online",
            "received_by": "test",
            "facts": "拖欠工资",
            "lang": "zh",
            "anonymous": True,
            "received_on": received,
            "accept_by": received + dt.timedelta(days=7),
        },
    )


def clean(s: Session, name: str = "拉萨清洁工地", county: str = "540102") -> tuple[WgProject, int]:
    """A project with nothing to warn about on :data:`TODAY`."""
    p, team, emp = project(s, name, county)
    acc = account(s, p, dt.date(2026, 3, 1), dt.date(2026, 3, 10), 10_000_000)
    transfer(s, p, acc, dt.date(2026, 11, 1), 1_000_000)
    deposit(s, p, emp, dt.date(2026, 3, 5))
    w = worker(s, p, team)
    attend(s, w, days("2026-09", 10))
    sheet(s, p, team, "2026-09", "paid", [(w, 300_000)])
    return p, team
