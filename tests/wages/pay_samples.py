"""Route-matrix samples of the pay area (see tests/wages/route_samples.py): the projects area's
Lhasa project gets its dedicated account and a labour-cost transfer, the Lhasa worker (P1, the
citizen "inside") a wage card and a day of last month's work, last month's sheet is built and
its run prepared by the platform (so any allowed caller may issue it), and this month's sheet
gives the citizen a line to confirm."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.wages import attendance_store, pay, pay_accounts, pay_run
from minsheng.wages.attendance_models import WgAttendanceDay
from minsheng.wages.models import WgProject, WgWorker
from minsheng.wages.pay_models import WgPayLine
from tests.pensions.award_kit import luhn_account
from tests.route_kit import BY, Samples, World

COLLECTIONS: set[tuple[str, str]] = {("GET", "/api/me/wages/pay"), ("GET", "/me/wages/pay")}
REGION_FREE: set[tuple[str, str]] = set()


def _last_month() -> tuple[str, dt.date]:
    first = dt.date.today().replace(day=1)
    prev = (first - dt.timedelta(days=1)).replace(day=10)
    return pay.this_month(prev), prev


def populate(s: Session, w: World) -> None:
    project = s.get(WgProject, w.ids["wg_project"])
    worker = s.get(WgWorker, w.ids["wg_worker"])
    assert project is not None and worker is not None
    pay_accounts.open_account(
        s, project.id, "中国建设银行拉萨分行", "62170000100123456", project.contract_signed_on, BY
    )
    pay_accounts.record_transfer(s, project.id, dt.date.today(), 10_000_000, "MATRIX-INIT", BY)
    pay_accounts.set_wage_card(s, worker.person_id, "中国农业银行", luhn_account(77), BY)
    month, day = _last_month()
    s.add(
        WgAttendanceDay(worker_id=worker.id, project_id=project.id, day=day, minutes=480, events=2)
    )
    s.flush()
    attendance_store.rebuild_months(s, [worker.id])
    pay.build_sheet(s, project.id, worker.team_id, month, BY)
    run = pay_run.prepare(s, project.id, month, BY)
    now = pay.build_sheet(s, project.id, worker.team_id, pay.this_month(), BY)
    last = s.scalar(
        select(WgPayLine.id).where(WgPayLine.worker_id == worker.id, WgPayLine.for_month == month)
    )
    this = s.scalar(
        select(WgPayLine.id).where(WgPayLine.sheet_id == now.id, WgPayLine.worker_id == worker.id)
    )
    assert last is not None and this is not None
    w.ids.update(wg_pay_run=run.run_id, wg_pay_sheet=now.id, wg_pay_line=last, wg_pay_line_now=this)


def samples(w: World) -> Samples:
    project = {"project_id": w.ids["wg_project"]}
    month, _ = _last_month()
    run = {"run_id": w.ids["wg_pay_run"]}
    line = {"line_id": w.ids["wg_pay_line"]}
    today = dt.date.today().isoformat()
    return {
        ("GET", "/api/wages/projects/{project_id}/pay/account"): {"path": project},
        ("POST", "/api/wages/projects/{project_id}/pay/account"): {
            "path": project,
            "json": {"bank_name": "另一家银行", "account_number": "6217000099", "opened_on": today},
        },
        ("POST", "/api/wages/projects/{project_id}/pay/account/filing"): {
            "path": project,
            "json": {"filed_on": today},
        },
        ("POST", "/api/wages/projects/{project_id}/pay/transfers"): {
            "path": project,
            "json": {"paid_on": today, "amount": "100.00", "reference": "MATRIX-T1"},
        },
        ("POST", "/api/wages/projects/{project_id}/pay/sheets"): {
            "path": project,
            "json": {"month": month},
        },
        ("GET", "/api/wages/projects/{project_id}/pay/sheets"): {"path": project},
        ("GET", "/api/wages/pay/sheets/{sheet_id}"): {"path": {"sheet_id": w.ids["wg_pay_sheet"]}},
        ("GET", "/api/wages/pay/lines/{line_id}/slip"): {"path": line},
        ("POST", "/api/wages/projects/{project_id}/pay/runs"): {
            "path": project,
            "json": {"month": month},
        },
        ("GET", "/api/wages/projects/{project_id}/pay/runs"): {"path": project},
        ("POST", "/api/wages/pay/runs/{run_id}/issue"): {"path": run},
        ("GET", "/api/wages/pay/runs/{run_id}/bank-file"): {"path": run},
        ("PUT", "/api/wages/workers/{worker_id}/wage-card"): {
            "path": {"worker_id": w.ids["wg_worker"]},
            "json": {"bank_name": "中国农业银行", "account_number": luhn_account(78)},
        },
        ("GET", "/api/me/wages/pay"): {},
        ("GET", "/api/me/wages/pay/{line_id}"): {"path": line},
        ("POST", "/api/me/wages/pay/{line_id}/response"): {
            "path": {"line_id": w.ids["wg_pay_line_now"]},
            "json": {"agree": True},
        },
        # pages
        ("GET", "/wages/projects/{project_id}/pay"): {"path": project},
        ("POST", "/wages/projects/{project_id}/pay/sheets"): {
            "path": project,
            "data": {"month": month},
        },
        ("GET", "/wages/pay/sheets/{sheet_id}"): {"path": {"sheet_id": w.ids["wg_pay_sheet"]}},
        ("GET", "/wages/pay/lines/{line_id}/slip"): {"path": line},
        ("GET", "/me/wages/pay"): {},
        ("GET", "/me/wages/pay/{line_id}"): {"path": line},
        ("POST", "/me/wages/pay/{line_id}/response"): {
            "path": {"line_id": w.ids["wg_pay_line_now"]},
            "data": {"agree": "1"},
        },
    }
