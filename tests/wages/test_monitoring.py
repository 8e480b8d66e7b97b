"""The monitoring scan (issue 13 point 6): every cause raised with its reasons and level,
escalated by the days, resolved when its cause is gone, scoped to a region, idempotent on a
rerun the same day, one audit entry per run, and set-based (the statements do not grow with
the projects)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import ForbiddenError
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import staff
from minsheng.wages import monitoring
from minsheng.wages.warning_models import WgWarning, WgWarningEvent
from tests.wages import warning_world as ww
from tests.wages.warning_world import BY, TODAY


def bad(s: Session) -> Any:
    """A Lhasa project with every cause but the balance's."""
    p, team, _ = ww.project(
        s, "拉萨欠薪工地", signed=dt.date(2026, 6, 1), start=dt.date(2026, 6, 10)
    )
    unpaid = ww.worker(s, p, team, entry=dt.date(2026, 6, 10))
    ww.attend(s, unpaid, ww.days("2026-08", 5))  # August: no sheet at all
    late = ww.worker(s, p, team, signed=dt.date(2026, 9, 15), entry=dt.date(2026, 9, 1))
    ww.attend(s, late, ww.days("2026-09", 5))  # worked from 09-01, contract 09-15
    ww.sheet(s, p, team, "2026-09", "paid", [(late, 100)])  # paid 1 元 for 5 days
    for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 10), dt.date(2026, 11, 19)):
        ww.complaint(s, p, day)
    ww.complaint(s, p, dt.date(2026, 9, 1))  # outside the 30 days
    return p, unpaid, late


def low_balance(s: Session) -> Any:
    p, team = ww.clean(s, "拉萨余额不足工地")
    w = ww.worker(s, p, team)
    ww.sheet(s, p, team, "2026-10", "open", [(w, 20_000_000)])
    return p


def warnings(s: Session, project_id: int) -> dict[str, WgWarning]:
    rows = s.scalars(select(WgWarning).where(WgWarning.project_id == project_id))
    return {w.cause: w for w in rows}


def test_each_cause_with_its_level_and_reasons(session: Session) -> None:
    clean, _ = ww.clean(session)
    p, _, _ = bad(session)
    low = low_balance(session)
    result = monitoring.scan(session, TODAY, BY)
    assert result.projects == 3
    assert warnings(session, clean.id) == {}
    got = warnings(session, p.id)
    assert set(got) == {
        "transfer_late",
        "account_missing",
        "deposit_missing",
        "no_pay_sheet",
        "attendance_unpaid",
        "pay_below",
        "no_contract",
        "complaint_cluster",
    }
    level = {c: w.level for c, w in got.items()}
    assert level["account_missing"] == "red"  # due 2026-07-01: 142 days
    assert level["no_pay_sheet"] == "red"  # August's pay day 2026-09-30: 51 days
    assert level["pay_below"] == "yellow"  # September's pay day 2026-10-30: 21 days
    assert level["complaint_cluster"] == "yellow"  # 3 in 30 days
    r = {c: json.loads(w.reasons) for c, w in got.items()}
    assert r["attendance_unpaid"]["amount"] == 5 * 30_000
    assert r["attendance_unpaid"]["months"] == ["2026-08"]
    assert r["pay_below"]["amount"] == 5 * 30_000 - 100
    assert r["no_contract"] == {"due_on": "2026-09-01", "first_day": "2026-09-01", "workers": 1}
    assert r["account_missing"]["step"] == "open"
    assert r["complaint_cluster"]["complaints"] == 3
    assert {w.state for w in got.values()} == {"new"}
    assert all(w.open_key == f"p{p.id}:{w.cause}" for w in got.values())
    assert got["account_missing"].deadline == dt.date(2026, 11, 24)  # red: 2 working days
    low_w = warnings(session, low.id)
    assert set(low_w) == {"balance_low"}
    assert low_w["balance_low"].level == "blue"  # pay day 11-30, cover from 11-20
    assert result.raised["balance_low"] == 1


def _snapshot(s: Session) -> list[tuple[Any, ...]]:
    cols = [c for c in WgWarning.__table__.c]
    return [tuple(r) for r in s.execute(select(*cols).order_by(WgWarning.id))]


def test_a_rerun_the_same_day_changes_nothing(session: Session) -> None:
    ww.clean(session)
    bad(session)
    low_balance(session)
    monitoring.scan(session, TODAY, BY)
    before = _snapshot(session)
    events = session.scalar(select(func.count()).select_from(WgWarningEvent))
    audits = session.scalar(select(func.count()).where(AuditEntry.action == "scan"))
    again = monitoring.scan(session, TODAY, BY)
    assert _snapshot(session) == before
    assert session.scalar(select(func.count()).select_from(WgWarningEvent)) == events
    assert (again.raised, again.escalated, again.updated, again.resolved) == ({}, {}, 0, 0)
    assert again.unchanged == len(before)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "scan").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == (audits or 0) + 1  # one entry per run, with its counts
    detail = (
        json.loads(entries[-1].detail)
        if isinstance(entries[-1].detail, str)
        else entries[-1].detail
    )
    assert detail["unchanged"] == len(before) and detail["raised"] == {}


def test_escalation_by_the_days_and_deadline(session: Session) -> None:
    low = low_balance(session)
    monitoring.scan(session, TODAY, BY)
    w = warnings(session, low.id)["balance_low"]
    first_deadline = w.deadline
    later = dt.date(2026, 11, 25)
    result = monitoring.scan(session, later, BY)
    session.refresh(w)
    assert (w.level, w.escalated_on, w.raised_on) == ("yellow", later, TODAY)
    assert result.escalated == {"balance_low": 1}
    assert w.deadline == min(first_deadline, dt.date(2026, 12, 2))  # yellow: 5 working days
    actions = session.scalars(
        select(WgWarningEvent.action).where(WgWarningEvent.warning_id == w.id)
    ).all()
    assert list(actions) == ["raise", "escalate"]
    monitoring.scan(session, dt.date(2026, 11, 30), BY)
    session.refresh(w)
    assert w.level == "red"


def test_a_cleared_cause_is_resolved_with_a_reason(session: Session) -> None:
    p, unpaid, _ = bad(session)
    monitoring.scan(session, TODAY, BY)
    team = session.scalar(select(WgWarning.id).where(WgWarning.project_id == p.id))
    assert team is not None
    ww.sheet(session, p, unpaid.team_id, "2026-08", "paid", [(unpaid, 5 * 30_000)])
    result = monitoring.scan(session, TODAY, BY)
    assert result.resolved == 2
    rows = warnings(session, p.id)
    for cause in ("no_pay_sheet", "attendance_unpaid"):
        w = rows[cause]
        assert (w.state, w.open_key, w.closed_on) == ("resolved", None, TODAY)
        assert w.resolution == monitoring.RESOLVED_NOTE
    assert rows["pay_below"].state == "new"


def test_the_scan_stays_in_its_region(session: Session) -> None:
    lhasa, _, _ = bad(session)
    shigatse, _, _ = ww.project(session, "日喀则工地", county="540202")
    monitoring.scan(session, TODAY, BY, region="540100")
    assert warnings(session, lhasa.id)
    assert warnings(session, shigatse.id) == {}
    monitoring.scan(session, TODAY, BY, region="540200")
    assert set(warnings(session, shigatse.id)) >= {"account_missing", "transfer_late"}
    # a Lhasa scan leaves Shigatse's open warnings alone (not resolved as "gone")
    monitoring.scan(session, TODAY, BY, region="540100")
    assert {w.state for w in warnings(session, shigatse.id).values()} == {"new"}
    lhasa_supervisor = staff(1, "sup", "supervisor", "540100")
    with pytest.raises(ForbiddenError):
        monitoring.scan(session, TODAY, lhasa_supervisor, region="540200")


def _count_statements(session: Session, run: Any) -> int:
    seen = {"n": 0}
    bind = session.get_bind()

    def count(*_: Any) -> None:
        seen["n"] += 1

    event.listen(bind, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(bind, "before_cursor_execute", count)
    return seen["n"]


def test_set_based_statements_do_not_grow_with_projects(session: Session) -> None:
    for i in range(3):
        bad(session)
        ww.clean(session, f"清洁{i}")
    small = _count_statements(session, lambda: monitoring.scan(session, TODAY, BY))
    for i in range(12):
        bad(session)
        ww.clean(session, f"清洁b{i}")
    large = _count_statements(
        session, lambda: monitoring.scan(session, TODAY + dt.timedelta(days=1), BY)
    )
    assert large <= small + 2  # the same queries; an update kind more or fewer at most
    assert large <= 20


def test_result_as_dict() -> None:
    r = monitoring.ScanResult(1, {"a": 1}, {}, 0, 0, 0, 0.123456)
    assert dataclasses.asdict(r)["projects"] == 1
    assert r.as_dict()["seconds"] == 0.123


def _reasons(s: Session, project_id: int) -> dict[str, Any]:
    return {c: json.loads(w.reasons) for c, w in warnings(s, project_id).items()}


def test_what_was_paid_is_read_from_issued_payments(session: Session) -> None:
    """A sheet half paid (one line held in dispute) counts the paid worker as paid and the
    held one as unpaid; a run prepared but not issued (no bank file yet) pays nobody."""
    p, team = ww.clean(session, "拉萨部分发放工地")
    paid_w, held_w = ww.worker(session, p, team), ww.worker(session, p, team)
    ww.attend(session, paid_w, ww.days("2026-08", 4))
    ww.attend(session, held_w, ww.days("2026-08", 4))
    full = 4 * 30_000
    ww.sheet(session, p, team, "2026-08", "paying", [(paid_w, full), (held_w, full)], [paid_w])
    q, team_q = ww.clean(session, "拉萨未出盘工地")
    w = ww.worker(session, q, team_q)
    ww.attend(session, w, ww.days("2026-08", 4))
    ww.sheet(session, q, team_q, "2026-08", "paid", [(w, full)], run_state="prepared")
    monitoring.scan(session, TODAY, BY)
    r = _reasons(session, p.id)
    assert r["attendance_unpaid"]["amount"] == full  # the held worker's month only
    assert r["attendance_unpaid"]["workers"] == 1
    assert "pay_below" not in r  # the paid worker got attendance × rate
    assert _reasons(session, q.id)["attendance_unpaid"]["amount"] == full
