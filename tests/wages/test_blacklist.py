"""The arrears blacklist through the service, on SQLite and PostgreSQL: proposed when the
criteria are met (refused otherwise), approved by another (maker–checker), listed for the
term, early removal 6 months after the arrears are put right with a written pledge and
approved by another again, ended at the term; ``listed`` on every boundary day; the region;
the public list holds no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.cases.engine import workflows
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.foundation.models import AuditEntry
from minsheng.wages import blacklist
from minsheng.wages.deposit_models import WgBlacklistEvent, WgBlacklisting
from tests.wages.deposit_world import (
    BY,
    CASEWORKER,
    CASEWORKER2,
    OTHER_COUNTY,
    SUPERVISOR,
    SUPERVISOR2,
    site,
)

D = dt.date
TEN = [(1, "3000")] * 10


def _propose(
    s: Session, x: object, by: object = CASEWORKER, today: dt.date = D(2026, 3, 2)
) -> WgBlacklisting:
    return blacklist.propose(
        s,
        employer_id=x.general_id,  # type: ignore[attr-defined]
        project_id=x.project_id,  # type: ignore[attr-defined]
        owed=TEN,
        facts="拖欠10名农民工工资共3万元，经责令限期支付仍未支付",
        reference="JC-2026-001",
        by=by,  # type: ignore[arg-type]
        today=today,
    )


def test_the_workflow_is_registered() -> None:
    assert "wages.blacklist" in {w.name for w in workflows()}


def test_criteria_not_met_changes_nothing(session: Session) -> None:
    x = site(session)
    with pytest.raises(MinshengError) as e:
        blacklist.propose(
            session,
            employer_id=x.general_id,
            project_id=x.project_id,
            owed=[(1, "3000")] * 9,
            facts="拖欠9人",
            by=CASEWORKER,
            today=D(2026, 3, 2),
        )
    assert e.value.rule == "criteria_not_met"
    for bad in (
        dict(owed=[(-1, "3000")]),
        dict(owed=[(3, "-1")]),
        dict(owed=[(3, "abc")]),
        dict(facts=""),
        dict(employer_id=999_999),
    ):
        kw = {"employer_id": x.general_id, "project_id": x.project_id, "owed": TEN, "facts": "拖欠"}
        kw.update(bad)
        with pytest.raises(MinshengError):
            blacklist.propose(session, by=CASEWORKER, today=D(2026, 3, 2), **kw)  # type: ignore[arg-type]
    assert session.scalar(select(func.count()).select_from(WgBlacklisting)) == 0
    assert not blacklist.listed(session, x.general_id, D(2026, 3, 2))


def test_maker_checker_and_the_term(session: Session) -> None:
    x = site(session)
    rec = _propose(session, x, by=SUPERVISOR)
    assert (rec.state, rec.reason, rec.arrears, rec.workers) == (
        "proposed",
        "many_workers",
        3_000_000,
        10,
    )
    with pytest.raises(ConflictError):  # one open listing per firm
        _propose(session, x)
    with pytest.raises(ForbiddenError) as e:  # the proposer may not approve
        blacklist.approve(session, rec.id, by=SUPERVISOR, today=D(2026, 3, 3))
    assert e.value.rule == "maker_checker"
    with pytest.raises(ForbiddenError):  # a caseworker lacks wages:run
        blacklist.approve(session, rec.id, by=CASEWORKER, today=D(2026, 3, 3))
    assert rec.state == "proposed" and not blacklist.listed(session, x.general_id, D(2026, 3, 3))
    blacklist.approve(session, rec.id, by=SUPERVISOR2, today=D(2026, 3, 3))
    assert (rec.state, rec.listed_on, rec.until) == ("listed", D(2026, 3, 3), D(2029, 3, 3))
    assert not blacklist.listed(session, x.general_id, D(2026, 3, 2))
    assert blacklist.listed(session, x.general_id, D(2026, 3, 3))
    assert blacklist.listed(session, x.general_id, D(2029, 3, 2))
    assert not blacklist.listed(session, x.general_id, D(2029, 3, 3))
    assert not blacklist.listed(session, x.developer_id, D(2026, 3, 3))
    assert blacklist.end_expired(session, by=SUPERVISOR, today=D(2029, 3, 2)) == []
    assert blacklist.end_expired(session, by=SUPERVISOR, today=D(2029, 3, 3)) == [rec.id]
    assert rec.state == "ended"
    actions = session.scalars(select(WgBlacklistEvent.action).order_by(WgBlacklistEvent.id)).all()
    assert actions == ["propose", "approve", "end"]
    audited = session.scalars(
        select(AuditEntry.action).where(AuditEntry.resource == "wg_blacklist")
    ).all()
    assert audited == ["blacklist.propose", "blacklist.approve", "blacklist.end"]


def test_reject_needs_a_reason(session: Session) -> None:
    x = site(session)
    rec = _propose(session, x)
    with pytest.raises(MinshengError):
        blacklist.reject(session, rec.id, reason="", by=SUPERVISOR, today=D(2026, 3, 3))
    blacklist.reject(
        session, rec.id, reason="已全额支付且情节轻微", by=SUPERVISOR, today=D(2026, 3, 3)
    )
    assert rec.state == "rejected" and not blacklist.listed(session, x.general_id, D(2026, 3, 3))


def test_early_removal(session: Session) -> None:
    x = site(session)
    rec = _propose(session, x, by=CASEWORKER)
    blacklist.approve(session, rec.id, by=SUPERVISOR, today=D(2026, 3, 3))
    pledge = "本单位承诺今后按时足额支付农民工工资，如有违反自愿接受联合惩戒。"
    with pytest.raises(ConflictError) as e:  # put right on 2026-04-15: from 2026-10-15
        blacklist.request_removal(
            session,
            rec.id,
            put_right_on=D(2026, 4, 15),
            pledge=pledge,
            by=CASEWORKER2,
            today=D(2026, 10, 14),
        )
    assert e.value.rule == "too_early"
    with pytest.raises(MinshengError):  # no pledge
        blacklist.request_removal(
            session,
            rec.id,
            put_right_on=D(2026, 4, 15),
            pledge="",
            by=CASEWORKER2,
            today=D(2026, 10, 15),
        )
    with pytest.raises(MinshengError):  # put right in the future
        blacklist.request_removal(
            session,
            rec.id,
            put_right_on=D(2026, 10, 16),
            pledge=pledge,
            by=CASEWORKER2,
            today=D(2026, 10, 15),
        )
    assert rec.state == "listed" and rec.pledge is None
    blacklist.request_removal(
        session,
        rec.id,
        put_right_on=D(2026, 4, 15),
        pledge=pledge,
        by=SUPERVISOR2,
        today=D(2026, 10, 15),
    )
    assert (rec.state, rec.pledge) == ("removal_requested", pledge)
    assert blacklist.listed(session, x.general_id, D(2026, 10, 15))  # still listed while asked
    with pytest.raises(ForbiddenError):  # who entered the request does not decide it
        blacklist.decide_removal(
            session, rec.id, approve_it=True, by=SUPERVISOR2, today=D(2026, 10, 16)
        )
    blacklist.decide_removal(session, rec.id, approve_it=True, by=SUPERVISOR, today=D(2026, 10, 16))
    assert (rec.state, rec.removed_on, rec.removed_by) == ("removed", D(2026, 10, 16), "user:903")
    assert blacklist.listed(session, x.general_id, D(2026, 10, 15))  # history holds
    assert not blacklist.listed(session, x.general_id, D(2026, 10, 16))
    assert blacklist.public_listings(session, D(2026, 10, 16)) == []


def test_refused_removal_lists_again(session: Session) -> None:
    x = site(session)
    rec = _propose(session, x)
    blacklist.approve(session, rec.id, by=SUPERVISOR, today=D(2026, 3, 3))
    blacklist.request_removal(
        session,
        rec.id,
        put_right_on=D(2026, 3, 3),
        pledge="承诺",
        by=CASEWORKER,
        today=D(2026, 9, 3),
    )
    with pytest.raises(MinshengError):
        blacklist.decide_removal(
            session, rec.id, approve_it=False, reason="", by=SUPERVISOR, today=D(2026, 9, 4)
        )
    blacklist.decide_removal(
        session,
        rec.id,
        approve_it=False,
        reason="又有新的拖欠投诉",
        by=SUPERVISOR,
        today=D(2026, 9, 4),
    )
    assert rec.state == "listed" and blacklist.listed(session, x.general_id, D(2026, 9, 4))


def test_region_and_public_list(session: Session) -> None:
    x = site(session)
    rec = _propose(session, x)
    for call in (
        lambda: blacklist.approve(session, rec.id, by=OTHER_COUNTY, today=D(2026, 3, 3)),
        lambda: blacklist.load_listing(session, rec.id, OTHER_COUNTY),
        lambda: _propose(session, x, by=OTHER_COUNTY),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert blacklist.queue(session, OTHER_COUNTY) == []
    assert [r.id for r in blacklist.queue(session, CASEWORKER)] == [rec.id]
    blacklist.approve(session, rec.id, by=BY, today=D(2026, 3, 3))
    rows = blacklist.public_listings(session, D(2026, 3, 3))
    assert len(rows) == 1
    assert set(rows[0]) == {"firm", "credit_code", "reason", "listed_on", "until"}
    assert rows[0]["firm"] == "保证金测试单位1" and rows[0]["until"] == "2029-03-03"
    assert blacklist.public_listings(session, D(2026, 3, 2)) == []
