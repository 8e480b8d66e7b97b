"""Pay (issue 13, points 3 and 4) on SQLite and PostgreSQL: the month's sheet from attendance ×
rate, the workers' confirmation, the general contractor's pay run from the dedicated account
(maker–checker, the bank file read back by the independent reader), the balance that never
goes negative, a worker never paid twice, back pay, a closed project refused, the account's
deadlines and idempotent labour-cost transfers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import Principal, staff
from minsheng.wages import pay, pay_accounts, pay_run
from minsheng.wages.models import WgProject
from minsheng.wages.pay_models import WgPayLine, WgPayment, WgPayRun, WgPaySheet, WgWageAccount
from minsheng.wages.pay_rules import add_months
from tests.assistance import bankfile_reader as reader
from tests.wages.pay_kit import BY, SIGNED, TODAY, Site, funded, site, work

OCT = "2026-10"


def citizen(person_id: int) -> Principal:
    return Principal(kind="citizen", name="worker", person_id=person_id)


def october(s, k: Site) -> None:  # type: ignore[no-untyped-def]
    work(s, k, "day", dt.date(2026, 10, 8), 600, 120)
    work(s, k, "day", dt.date(2026, 10, 11), 480)
    work(s, k, "hour", dt.date(2026, 10, 12), 550, 70)
    work(s, k, "piece", dt.date(2026, 10, 12), 480)
    work(s, k, "sub", dt.date(2026, 10, 13), 480)


def build_all(s, k: Site, by: Principal = BY) -> None:  # type: ignore[no-untyped-def]
    pay.build_sheet(s, k.project_id, k.general_team, OCT, by, TODAY)
    pay.build_sheet(s, k.project_id, k.sub_team, OCT, by, TODAY, pieces={k.workers["piece"]: 400})


def test_the_sheet_is_attendance_times_rate_and_the_run_pays_each_worker_once(
    engine: Engine, tmp_path: Path
) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 1_000_000)
        build_all(s, k)
        lines = {ln.worker_id: ln for ln in s.scalars(select(WgPayLine))}
    w = k.workers
    # day: 1 day ¥300 + 2 h × ¥37.50 × 150% + 8 h (Sunday) × ¥37.50 × 200% = ¥1,012.50
    assert lines[w["day"]].gross == 101_250
    assert lines[w["hour"]].gross == 33_200 + 7_263
    assert lines[w["piece"]].gross == 50_000  # 400 × ¥1.25, no overtime
    assert lines[w["sub"]].gross == 28_000
    total = 101_250 + 40_463 + 50_000 + 28_000
    makers = k.makers
    with unit_of_work(factory) as s:
        r = pay_run.prepare(s, k.project_id, OCT, makers[0], TODAY)
    assert (r.state, r.new_payments, r.new_total, r.balance) == (
        "prepared",
        4,
        total,
        1_000_000 - total,
    )
    directory = pay_run.files_dir(tmp_path)
    with unit_of_work(factory) as s, pytest.raises(ForbiddenError) as e:
        pay_run.finish(s, r.run_id, makers[0], directory)  # the maker cannot issue
    assert e.value.rule == "maker_checker"
    with unit_of_work(factory) as s:
        run = pay_run.finish(s, r.run_id, makers[1], directory)
        assert run.state == "issued"
        name = run.file_name
    f = reader.parse((directory / str(name)).read_bytes())
    assert sorted(rec.amount for rec in f.records) == sorted([101_250, 40_463, 50_000, 28_000])
    assert all("2026-10 工资 PAY-540102-001 6222" in rec.memo for rec in f.records)
    # a second run of the month pays nobody new, and the balance stays
    with unit_of_work(factory) as s:
        again = pay_run.prepare(s, k.project_id, OCT, makers[0], TODAY)
        assert (again.new_payments, again.already_paid, again.balance) == (0, 4, 1_000_000 - total)
        assert s.scalar(select(func.count()).select_from(WgPayment)) == 4
        # the sheet is paid: it cannot be built again
        with pytest.raises(ConflictError) as e2:
            pay.build_sheet(s, k.project_id, k.general_team, OCT, BY, TODAY)
        assert e2.value.rule == "sheet_paid"


def test_a_run_the_balance_cannot_cover_is_refused_naming_the_shortfall(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 200_000)
        build_all(s, k)
    with unit_of_work(factory) as s, pytest.raises(ConflictError) as e:
        pay_run.prepare(s, k.project_id, OCT, k.makers[0], TODAY)
    assert e.value.rule == "balance_short" and "¥197.13" in e.value.zh  # 219,713 − 200,000
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgPayRun)) == 0
        assert s.scalar(select(WgWageAccount.balance)) == 200_000


def test_a_disputed_line_is_held_and_carried_as_back_pay(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 1_000_000)
        build_all(s, k)
        hour = s.scalar(select(WgPayLine).where(WgPayLine.worker_id == k.workers["hour"]))
        assert hour is not None
        with pytest.raises(MinshengError):  # a dispute says why
            pay.respond(s, hour.id, citizen(k.persons["hour"]), agree=False)
        with pytest.raises(NotFoundError):  # another worker's line is missing
            pay.respond(s, hour.id, citizen(k.persons["day"]), agree=True)
        pay.respond(s, hour.id, citizen(k.persons["hour"]), agree=False, note="加班少算了")
        r = pay_run.prepare(s, k.project_id, OCT, BY, TODAY)
        assert r.held == [hour.id] and r.new_payments == 3
        # November: the October line is carried onto the team's sheet once it is agreed
        hour.confirmation = "pending"
        work(s, k, "hour", dt.date(2026, 11, 2), 480)
        sheet = pay.build_sheet(s, k.project_id, k.general_team, "2026-11", BY, TODAY)
        back = [ln for ln in pay.sheet_lines(s, sheet.id) if ln.back_pay]
        assert [(b.worker_id, b.for_month, b.gross) for b in back] == [
            (k.workers["hour"], OCT, 40_463)
        ]
        done = pay_run.prepare(s, k.project_id, "2026-11", BY, TODAY)
        keys = set(s.scalars(select(WgPayment.pay_key).where(WgPayment.run_id == done.run_id)))
        assert f"wg:w{k.workers['hour']}:{OCT}" in keys
        # the October sheet, run again, finds October paid by the back-pay line: never twice
        again = pay_run.prepare(s, k.project_id, OCT, BY, TODAY)
        assert again.new_payments == 0
        assert pay.respond  # the slip shows the payment of the month, by whichever line
        slip = pay.slip(s, hour.id, citizen(k.persons["hour"]))
        assert slip.payment is not None and slip.payment.amount == 40_463


def test_a_closed_project_gets_no_sheet_and_no_run(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 1_000_000)
        project = s.get(WgProject, k.project_id)
        assert project is not None
        project.state = "closed"
    with unit_of_work(factory) as s:
        for call in (
            lambda: pay.build_sheet(s, k.project_id, k.general_team, OCT, BY, TODAY),
            lambda: pay_run.prepare(s, k.project_id, OCT, BY, TODAY),
        ):
            with pytest.raises(ConflictError) as e:
                call()
            assert e.value.rule == "project_closed"
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WgPayLine)) == 0


def test_who_may_do_what_and_another_region_is_missing(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 1_000_000)
        sub = k.sub_user
        assert sub is not None
        pay.build_sheet(s, k.project_id, k.sub_team, OCT, sub, TODAY)  # a subcontractor builds
        with pytest.raises(ForbiddenError):  # … but only the general contractor pays
            pay_run.prepare(s, k.project_id, OCT, sub, TODAY)
        with pytest.raises(ForbiddenError):
            pay_accounts.record_transfer(s, k.project_id, TODAY, 100, "X-1", sub, TODAY)
        shigatse = staff(999, "inspector", "supervisor", "540200")
        for call in (
            lambda: pay.build_sheet(s, k.project_id, k.general_team, OCT, shigatse, TODAY),
            lambda: pay_run.prepare(s, k.project_id, OCT, shigatse, TODAY),
            lambda: pay.sheets_of(s, k.project_id, shigatse),
            lambda: pay_accounts.record_transfer(s, k.project_id, TODAY, 1, "R", shigatse, TODAY),
        ):
            with pytest.raises(NotFoundError) as e:
                call()
            assert e.value.rule == "not_found"


def test_transfers_are_idempotent_by_reference_and_the_deadlines_are_reported(
    engine: Engine,
) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        project = s.get(WgProject, k.project_id)
        assert project is not None
        status = pay_accounts.account_status(s, project, dt.date(2026, 9, 20))
        assert (status.open_due, status.open_late) == (dt.date(2026, 9, 19), True)
        pay_accounts.open_account(
            s, k.project_id, "中国建设银行", "6217 0000 1001 2345", dt.date(2026, 9, 10), BY
        )
        with pytest.raises(ConflictError):
            pay_accounts.open_account(s, k.project_id, "另一家", "62170000100199", SIGNED, BY)
        day = dt.date(2026, 9, 15)
        t1, new1 = pay_accounts.record_transfer(s, k.project_id, day, 50_000, "B-1", BY, TODAY)
        t2, new2 = pay_accounts.record_transfer(s, k.project_id, day, 50_000, "B-1", BY, TODAY)
        assert (new1, new2, t1.id) == (True, False, t2.id)
        with pytest.raises(ConflictError) as e:
            pay_accounts.record_transfer(s, k.project_id, day, 60_000, "B-1", BY, TODAY)
        assert e.value.rule == "reference_reused"
        account = pay_accounts.account_of(s, k.project_id)
        assert account is not None and account.balance == 50_000
        assert account.account_tail == "2345" and "2345" not in repr(account.account_number)[:0]
        status = pay_accounts.account_status(s, project, dt.date(2026, 10, 20))
        assert status.open_late is False
        assert (status.file_due, status.file_late) == (dt.date(2026, 10, 10), True)
        assert (status.next_transfer_due, status.transfer_late) == (dt.date(2026, 10, 15), True)
        pay_accounts.file_account(s, k.project_id, dt.date(2026, 10, 9), BY)
        assert pay_accounts.account_status(s, project, TODAY).file_late is False


def test_a_worker_without_any_card_is_listed_unpayable(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s, cards=False)
        october(s, k)
        funded(s, k, 1_000_000)
        build_all(s, k)
        r = pay_run.prepare(s, k.project_id, OCT, BY, TODAY)
        assert (r.new_payments, len(r.unpayable), r.state) == (0, 4, "issued")


def test_pay_records_are_kept_three_years_and_not_deleted_before(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s)
        october(s, k)
        funded(s, k, 1_000_000)
        build_all(s, k)
        pay_run.prepare(s, k.project_id, OCT, BY, TODAY)
    with make_sessionmaker(engine)() as s:
        sheet = s.scalars(select(WgPaySheet)).first()
        payment = s.scalars(select(WgPayment)).first()
        line = s.scalars(select(WgPayLine)).first()
        assert sheet is not None and payment is not None and line is not None
        assert sheet.keep_until == dt.date(2029, 11, 30)  # built on 30 Nov 2026: 3 years
        today = dt.date.today()
        assert payment.keep_until == add_months(today, 36)
        for record in (payment, line, sheet):
            s.delete(record)
            with pytest.raises(ConflictError) as e:
                s.flush()
            assert e.value.rule == "retention"
            s.rollback()
        assert s.scalar(select(func.count()).select_from(WgPayment)) == 4
