"""Wage deposits through the service, on SQLite and PostgreSQL: assessment by contract value
and record, lodging (cash, bank guarantee), draws for confirmed arrears never beyond the
balance, top-ups, the public notice and the return; deadlines; region scope; every movement an
immutable entry and an audit entry; bad input changes nothing; the database itself refuses a
negative balance."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.foundation.models import AuditEntry
from minsheng.wages import deposits
from minsheng.wages.deposit_models import ImmutableEntry, WgDeposit, WgDepositEntry
from tests.wages.deposit_world import (
    BY,
    CASEWORKER,
    OTHER_COUNTY,
    SUPERVISOR,
    site,
)

D = dt.date
SIGNED = D(2026, 9, 1)


def _entries(s: Session, dep: WgDeposit) -> list[tuple[str, int, int]]:
    return [(e.kind, e.amount, e.balance_after) for e in deposits.entries(s, dep)]


def _audits(s: Session, action: str) -> int:
    return s.scalar(select(func.count()).where(AuditEntry.action == action)) or 0


def test_assess_base_rate_and_deadline(session: Session) -> None:
    x = site(session)
    dep = deposits.assess(session, x.project_id, CASEWORKER, SIGNED)
    assert (dep.band, dep.rate_ppm, dep.required) == ("base", 20_000, 20_000_000)  # 2% of 1000万
    assert dep.state == "due" and dep.employer_id == x.general_id
    assert dep.lodge_by == D(2026, 9, 29)  # 20 working days
    assert deposits.assess(session, x.project_id, CASEWORKER, SIGNED).id == dep.id  # once
    assert _audits(session, "deposit.assess") == 1
    assert deposits.overdue(dep, D(2026, 9, 29)) == []
    assert deposits.overdue(dep, D(2026, 9, 30)) == ["lodge"]


def test_small_contract_is_exempt_and_not_lodged(session: Session) -> None:
    x = site(session, value=299_999_999)
    dep = deposits.assess(session, x.project_id, BY, SIGNED)
    assert dep.exempt and dep.state == "exempt" and dep.required == 0
    assert dep.exemption_reason and "65号" in dep.exemption_reason
    with pytest.raises(ConflictError) as e:
        deposits.lodge(
            session, x.project_id, form="cash", amount="100", bank="中国银行", by=BY, today=SIGNED
        )
    assert e.value.rule == "exempt"
    assert _entries(session, dep) == [] and dep.balance == 0
    assert deposits.overdue(dep, D(2027, 1, 1)) == []


def test_the_record_raises_the_rate_after_arrears(session: Session) -> None:
    a = site(session, 1, signed=D(2026, 1, 5))
    deposits.assess(session, a.project_id, BY, D(2026, 1, 5))
    deposits.lodge(
        session,
        a.project_id,
        form="cash",
        amount="200000",
        bank="建设银行",
        by=BY,
        today=D(2026, 1, 6),
    )
    deposits.draw(
        session, a.project_id, amount="5000", reference="TS-2026-0001", by=BY, today=D(2026, 3, 2)
    )
    b = site(session, 2, signed=D(2026, 9, 1), general_id=a.general_id, value=200_000_000)
    dep = deposits.assess(session, b.project_id, BY, D(2026, 9, 1))
    assert (dep.band, dep.required) == ("higher", 6_000_000)  # 3% of 200万: no small exemption


def test_lodge_cash_and_guarantee_refusals_change_nothing(session: Session) -> None:
    x = site(session)
    dep = deposits.assess(session, x.project_id, CASEWORKER, SIGNED)
    bad = [
        dict(form="cash", amount="199999.99", bank="中国银行"),  # below required
        dict(form="cash", amount="-1", bank="中国银行"),
        dict(form="cash", amount="abc", bank="中国银行"),
        dict(form="cash", amount="200000", bank=""),
        dict(form="gold", amount="200000", bank="中国银行"),
        dict(form="guarantee", amount="200000", bank="中国银行", guarantee_no="BH-1"),  # no expiry
        dict(
            form="guarantee",
            amount="200000",
            bank="中国银行",
            guarantee_no="BH-1",
            expires_on=SIGNED,
        ),
        dict(form="guarantee", amount="200000", bank="中国银行", expires_on=D(2028, 1, 1)),
    ]
    for kw in bad:
        with pytest.raises(MinshengError):
            deposits.lodge(session, x.project_id, by=CASEWORKER, today=SIGNED, **kw)  # type: ignore[arg-type]
        assert (dep.state, dep.balance, dep.form) == ("due", 0, None)
        assert _entries(session, dep) == []
    deposits.lodge(
        session,
        x.project_id,
        form="guarantee",
        amount="200000",
        bank="中国银行拉萨分行",
        guarantee_no="BH-2026-7",
        expires_on=D(2028, 9, 1),
        by=CASEWORKER,
        today=D(2026, 9, 10),
    )
    assert (dep.state, dep.balance, dep.form, dep.lodged_on) == (
        "lodged",
        20_000_000,
        "guarantee",
        D(2026, 9, 10),
    )
    with pytest.raises(ConflictError):  # lodged twice
        deposits.lodge(
            session,
            x.project_id,
            form="cash",
            amount="200000",
            bank="中国银行",
            by=CASEWORKER,
            today=SIGNED,
        )
    assert _entries(session, dep) == [("lodge", 20_000_000, 20_000_000)]
    assert deposits.overdue(dep, D(2028, 9, 1)) == ["guarantee"]


def test_draw_top_up_notice_return(session: Session) -> None:
    x = site(session, completed_on=D(2027, 6, 30))
    dep = deposits.assess(session, x.project_id, BY, SIGNED)
    deposits.lodge(
        session,
        x.project_id,
        form="cash",
        amount="200000",
        bank="农业银行",
        by=CASEWORKER,
        today=SIGNED,
    )
    with pytest.raises(ConflictError) as e:
        deposits.draw(
            session,
            x.project_id,
            amount="200000.01",
            reference="TS-1",
            by=CASEWORKER,
            today=D(2026, 11, 2),
        )
    assert e.value.rule == "beyond_balance"
    with pytest.raises(MinshengError):
        deposits.draw(
            session, x.project_id, amount="100", reference="", by=CASEWORKER, today=D(2026, 11, 2)
        )
    with pytest.raises(
        ForbiddenError
    ):  # a supervisor lacks nothing, but a contractor-less role does
        deposits.draw(
            session,
            x.project_id,
            amount="100",
            reference="TS-1",
            by=SUPERVISOR.__class__(
                **{**SUPERVISOR.__dict__, "permissions": frozenset({"wages:read"})}
            ),
            today=D(2026, 11, 2),
        )
    assert dep.balance == 20_000_000 and len(_entries(session, dep)) == 1
    entry = deposits.draw(
        session,
        x.project_id,
        amount="50000",
        reference="TS-2026-0042",
        by=CASEWORKER,
        today=D(2026, 11, 2),
    )
    assert entry.pay_by == D(2026, 11, 9) and dep.top_up_by == D(2026, 11, 16)
    assert dep.balance == 15_000_000
    assert deposits.overdue(dep, D(2026, 11, 17)) == ["top_up"]
    with pytest.raises(MinshengError):  # past the required amount
        deposits.top_up(
            session, x.project_id, amount="50000.01", by=CASEWORKER, today=D(2026, 11, 5)
        )
    with pytest.raises(ConflictError) as e:  # not completed yet, and not made good
        deposits.open_notice(session, x.project_id, by=CASEWORKER, today=D(2026, 11, 5))
    deposits.top_up(session, x.project_id, amount="50000", by=CASEWORKER, today=D(2026, 11, 5))
    assert dep.balance == 20_000_000 and dep.top_up_by is None
    with pytest.raises(ConflictError) as e:
        deposits.open_notice(session, x.project_id, by=CASEWORKER, today=D(2027, 6, 29))
    assert e.value.rule == "not_completed"
    deposits.open_notice(session, x.project_id, by=CASEWORKER, today=D(2027, 7, 1))
    assert (dep.state, dep.notice_until) == ("notice", D(2027, 7, 30))
    with pytest.raises(ConflictError) as e:
        deposits.return_deposit(session, x.project_id, by=SUPERVISOR, today=D(2027, 7, 30))
    assert e.value.rule == "notice_running"
    with pytest.raises(ForbiddenError):  # a caseworker does not return
        deposits.return_deposit(session, x.project_id, by=CASEWORKER, today=D(2027, 7, 31))
    deposits.return_deposit(session, x.project_id, by=SUPERVISOR, today=D(2027, 7, 31))
    assert (dep.state, dep.balance, dep.returned_on) == ("returned", 0, D(2027, 7, 31))
    assert _entries(session, dep) == [
        ("lodge", 20_000_000, 20_000_000),
        ("draw", 5_000_000, 15_000_000),
        ("top_up", 5_000_000, 20_000_000),
        ("return", 20_000_000, 0),
    ]
    for action in (
        "deposit.lodge",
        "deposit.draw",
        "deposit.top_up",
        "deposit.return",
        "deposit.notice",
    ):
        assert _audits(session, action) == 1, action


def test_a_draw_during_the_notice_stops_it(session: Session) -> None:
    x = site(session, completed_on=D(2027, 6, 30))
    dep = deposits.assess(session, x.project_id, BY, SIGNED)
    deposits.lodge(
        session, x.project_id, form="cash", amount="200000", bank="农业银行", by=BY, today=SIGNED
    )
    deposits.open_notice(session, x.project_id, by=BY, today=D(2027, 7, 1))
    deposits.draw(
        session, x.project_id, amount="1000", reference="TS-9", by=BY, today=D(2027, 7, 10)
    )
    assert (dep.state, dep.notice_from, dep.notice_until) == ("lodged", None, None)
    with pytest.raises(ConflictError):
        deposits.return_deposit(session, x.project_id, by=BY, today=D(2027, 8, 30))


def test_another_region_sees_no_deposit(session: Session) -> None:
    x = site(session)
    deposits.assess(session, x.project_id, BY, SIGNED)
    for call in (
        lambda: deposits.deposit_of(session, x.project_id, OTHER_COUNTY),
        lambda: deposits.assess(session, x.project_id, OTHER_COUNTY, SIGNED),
        lambda: deposits.draw(
            session, x.project_id, amount="1", reference="R", by=OTHER_COUNTY, today=SIGNED
        ),
    ):
        with pytest.raises(NotFoundError) as e:
            call()
        assert e.value.rule == "not_found" or e.value.field == "project_id"
    assert deposits.past_deadline(session, D(2027, 1, 1), OTHER_COUNTY) == []
    assert deposits.past_deadline(session, D(2027, 1, 1), CASEWORKER) == [(x.project_id, "lodge")]


def test_the_database_refuses_a_negative_balance(session: Session) -> None:
    x = site(session)
    dep = deposits.assess(session, x.project_id, BY, SIGNED)
    deposits.lodge(
        session, x.project_id, form="cash", amount="200000", bank="农业银行", by=BY, today=SIGNED
    )
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE wg_deposits SET balance = -1 WHERE id = :i"), {"i": dep.id})
    session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO wg_deposit_entries (deposit_id, kind, amount, balance_after, day, by)"
                " VALUES (:i, 'top_up', 1, -1, '2026-09-02', 'x')"
            ),
            {"i": dep.id},
        )
    session.rollback()
    with pytest.raises(IntegrityError):  # a draw names the arrears it pays
        session.execute(
            text(
                "INSERT INTO wg_deposit_entries (deposit_id, kind, amount, balance_after, day, by)"
                " VALUES (:i, 'draw', 1, 1, '2026-09-02', 'x')"
            ),
            {"i": dep.id},
        )
    session.rollback()
    assert session.get(WgDeposit, dep.id).balance == 20_000_000  # type: ignore[union-attr]


def test_entries_are_immutable(session: Session) -> None:
    x = site(session)
    deposits.assess(session, x.project_id, BY, SIGNED)
    entry = deposits.lodge(
        session, x.project_id, form="cash", amount="200000", bank="农业银行", by=BY, today=SIGNED
    )
    session.commit()
    entry.amount = 1
    with pytest.raises(ImmutableEntry):
        session.flush()
    session.rollback()
    e = session.scalars(select(WgDepositEntry)).one()
    session.delete(e)
    with pytest.raises(ImmutableEntry):
        session.flush()
    session.rollback()


def test_random_movements_keep_the_ledger_whole(session: Session) -> None:
    """300 random movements (good and bad) through the service: after each, the balance is
    >= 0, equals the last entry's balance_after and the signed sum of the entries."""
    x = site(session, completed_on=D(2026, 8, 31))
    dep = deposits.assess(session, x.project_id, BY, SIGNED)
    rng = random.Random(20261202)
    day = SIGNED
    for i in range(300):
        day += dt.timedelta(days=rng.choice((0, 1, 3)))
        kind = rng.choice(("lodge", "draw", "top_up", "notice", "return"))
        amount = str(rng.choice((0, 1, 5_000, 100_000, 199_999.99, 200_000, 250_000)))
        try:
            with session.begin_nested():
                if kind == "lodge":
                    deposits.lodge(
                        session,
                        x.project_id,
                        form="cash",
                        amount=amount,
                        bank="B",
                        by=BY,
                        today=day,
                    )
                elif kind == "draw":
                    deposits.draw(
                        session, x.project_id, amount=amount, reference=f"R{i}", by=BY, today=day
                    )
                elif kind == "top_up":
                    deposits.top_up(session, x.project_id, amount=amount, by=BY, today=day)
                elif kind == "notice":
                    deposits.open_notice(session, x.project_id, by=BY, today=day)
                else:
                    deposits.return_deposit(session, x.project_id, by=BY, today=day)
        except MinshengError:
            pass
        session.refresh(dep)
        rows = deposits.entries(session, dep)
        signed = sum(e.amount if e.kind in ("lodge", "top_up") else -e.amount for e in rows)
        assert dep.balance >= 0
        assert dep.balance == signed == (rows[-1].balance_after if rows else 0)
        assert all(e.balance_after >= 0 for e in rows)
