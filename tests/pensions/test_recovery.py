"""The recovery case of a pension paid after a death (issue 12, point 7): opened with the amount
owed and a notification deadline in working days, the heirs notified, repayments recorded by
staff until recovered, a write-off proposed by one and approved by another (maker–checker);
every step an event through the case engine; the queue region-scoped; the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from minsheng.cases import engine as cases
from minsheng.cli import app
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import PERMISSIONS, Principal
from minsheng.pensions import death, recovery
from minsheng.pensions.models import PnRecovery, PnRecoveryEvent
from minsheng.pensions.recovery_workflow import RECOVERY
from tests.pensions.award_kit import BY, claim, resident
from tests.pensions.test_roll import roll

DAY = dt.date(2025, 10, 6)  # a Monday


def staff(user_id: int, role: str = "caseworker", region: str = "540100") -> Principal:
    return Principal(
        kind="staff",
        name=f"u{user_id}",
        role=role,
        region=region,
        permissions=PERMISSIONS[role],
        user_id=user_id,
    )


def _owing(engine: Engine, tmp_path: Path, seq: int = 1) -> tuple[int, int]:
    """A claimant who died in July 2025 after being paid through September, with a small
    balance: (recovery id, what the heirs owe in fen)."""
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = claim(s, resident(s, seq, balance=13_900)).person_id
    roll(engine, "2025-09", tmp_path)
    with unit_of_work(make_sessionmaker(engine)) as s:
        r = death.settle_death(s, pid, dt.date(2025, 7, 20), BY, today=DAY)
    assert r.recovery_id is not None
    return r.recovery_id, r.owed_by_heirs


def test_notify_then_repayments_recover_the_case_and_each_step_is_an_event(
    engine: Engine, tmp_path: Path
) -> None:
    rid, owed = _owing(engine, tmp_path)
    clerk = staff(1)
    with unit_of_work(make_sessionmaker(engine)) as s:
        rec = s.get(PnRecovery, rid)
        assert rec is not None and rec.notify_by == cases.due(DAY, 10)  # 10 working days
        recovery.notify(s, rid, clerk, "书面告知", today=DAY)
        assert rec.state == "notified" and rec.repay_by == cases.due(DAY, 30)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, f"{owed / 100 + 1:.2f}", clerk, today=DAY)
    assert (e.value.field, e.value.rule) == ("amount", "above_outstanding")
    with unit_of_work(make_sessionmaker(engine)) as s:
        recovery.repay(s, rid, "100.00", clerk, "第一次退还", today=DAY)
        rest = owed - 10_000
        rec = recovery.repay(s, rid, f"{rest // 100}.{rest % 100:02d}", clerk, today=DAY)
        assert rec.state == "recovered" and rec.recovered == rec.owed and rec.open_key is None
    with make_sessionmaker(engine)() as s:
        events = s.scalars(select(PnRecoveryEvent).where(PnRecoveryEvent.recovery_id == rid)).all()
        assert [(e.action, e.to_state, e.source) for e in events] == [
            ("open", "opened", None),
            ("deduct", "opened", "inheritable_balance"),
            ("notify", "notified", None),
            ("repay", "notified", "heir"),
            ("repay", "recovered", "heir"),
        ]
        assert recovery.queue(s, clerk) == []  # a recovered case leaves the queue
        assert [r.id for r in recovery.queue(s, clerk, "recovered")] == [rid]


def test_a_write_off_is_approved_by_another_supervisor_only(engine: Engine, tmp_path: Path) -> None:
    rid, owed = _owing(engine, tmp_path)
    boss, other = staff(2, "supervisor"), staff(3, "supervisor")
    with unit_of_work(make_sessionmaker(engine)) as s:
        recovery.propose_write_off(s, rid, "继承人无力退还", boss, today=DAY)
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.decide_write_off(s, rid, True, boss, today=DAY)
    assert e.value.rule == "maker_checker"
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.decide_write_off(s, rid, True, staff(4), today=DAY)  # a caseworker
    assert e.value.rule == "missing_permission"
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        recovery.propose_write_off(s, rid, "  ", boss, today=DAY)
    assert e.value.field in ("reason", "action")
    with unit_of_work(make_sessionmaker(engine)) as s:
        rec = recovery.decide_write_off(s, rid, True, other, "核销", today=DAY)
        assert rec.state == "written_off" and rec.written_off == owed
        assert rec.recovered + rec.written_off == rec.owed and rec.closed_on == DAY


def test_another_regions_case_answers_as_missing(engine: Engine, tmp_path: Path) -> None:
    rid, _ = _owing(engine, tmp_path)
    far = staff(5, region="540200")
    with make_sessionmaker(engine)() as s:
        assert recovery.queue(s, far) == []
        with pytest.raises(MinshengError) as e:
            recovery.load_case(s, rid, far)
        assert e.value.field == "recovery_id"
        with pytest.raises(MinshengError) as e:
            death.settlement_of(s, s.get(PnRecovery, rid).person_id, far)  # type: ignore[union-attr]
        assert e.value.field == "person_id"
        with pytest.raises(MinshengError) as e:
            recovery.queue(s, staff(1), "nonsense")
        assert e.value.field == "state"


def test_the_cli_lists_repays_and_needs_another_operator_to_write_off(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid, _ = _owing(engine, tmp_path)
    monkeypatch.setenv("MINSHENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    listed = runner.invoke(app, ["pensions", "recovery", "list"])
    assert listed.exit_code == 0, listed.output
    assert [c["id"] for c in json.loads(listed.stdout)] == [rid]
    paid = runner.invoke(app, ["pensions", "recovery", "repay", str(rid), "--amount", "1.00"])
    assert paid.exit_code == 0, paid.output
    assert json.loads(paid.stdout)["recovered"] == f"{137 + 1:.2f}"  # 137 deducted, 1 repaid
    args = ["pensions", "recovery", "write-off", str(rid), "--reason", "无力退还"]
    assert runner.invoke(app, [*args, "--operator", "amy"]).exit_code == 0
    by_amy = runner.invoke(
        app, ["pensions", "recovery", "decide", str(rid), "--approve", "--operator", "amy"]
    )
    assert by_amy.exit_code != 0 and "maker_checker" in by_amy.output
    other = runner.invoke(app, ["pensions", "recovery", "decide", str(rid), "--approve"])
    assert other.exit_code == 0, other.output
    assert json.loads(other.stdout)["state"] == "written_off"
    shown = runner.invoke(app, ["pensions", "recovery", "show", str(rid)])
    assert [e["action"] for e in json.loads(shown.stdout)["events"]][-2:] == [
        "propose_write_off",
        "write_off",
    ]


# ------------------------------------------------------------------------ properties


class Case:
    def __init__(self, owed: int) -> None:
        self.state, self.owed, self.recovered, self.written_off = "opened", owed, 0, 0
        self.closed_on: dt.date | None = None
        self.open_key: int | None = 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    owed=st.integers(1, 10**9),
    steps=st.lists(
        st.tuples(st.sampled_from(["deduct", "repay", "notify"]), st.integers(1, 10**9)),
        max_size=12,
    ),
)
def test_the_ledger_never_recovers_more_than_owed_and_closes_exactly_at_zero(
    owed: int, steps: list[tuple[str, int]]
) -> None:
    rec = Case(owed)
    for action, fen in steps:
        if RECOVERY.state(rec.state).final:
            break
        if action == "notify":
            if rec.state == "opened":
                rec.state = "notified"
            continue
        fen = min(fen, recovery.outstanding(rec))  # type: ignore[arg-type]
        rec.recovered += fen
        recovery._close_if_done(rec, dt.date(2025, 1, 1))  # type: ignore[arg-type]
        assert rec.recovered + rec.written_off <= rec.owed
        assert (rec.state == "recovered") == (recovery.outstanding(rec) == 0)  # type: ignore[arg-type]
        assert (rec.open_key is None) == (rec.state == "recovered")
