"""A draw paid out to the workers (issue 13 point 5: drawn on when arrears are confirmed, paid
within 5 working days): recorded once per draw, within its period, by the inspectorate; a
draw without its payout past ``pay_by`` is overdue (the panel and the overdue list say so);
bad input changes nothing; the record is immutable — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, NotFoundError
from minsheng.db import make_sessionmaker
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import staff
from minsheng.wages import deposit_payouts as payouts
from minsheng.wages import deposits
from minsheng.wages.deposit_models import ImmutableEntry, WgDepositPayout
from tests.conftest import staff_client
from tests.wages.deposit_world import BY, CASEWORKER, site

D = dt.date
SIGNED = D(2026, 9, 1)
DRAWN = D(2026, 11, 2)  # a Monday; pay_by = 5 working days later
CONTRACTOR_ROLE = staff(9, "someone", "contractor", "540102")


def _drawn(s: Session, tag: int = 1) -> tuple[int, int]:
    x = site(s, tag)
    deposits.assess(s, x.project_id, BY, SIGNED)
    deposits.lodge(
        s, x.project_id, form="cash", amount="200000", bank="农业银行", by=BY, today=SIGNED
    )
    entry = deposits.draw(
        s, x.project_id, amount="30000", reference="TS-PAY-1", by=CASEWORKER, today=DRAWN
    )
    return x.project_id, entry.id


def _count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(WgDepositPayout)) or 0)


def test_a_payout_is_recorded_once_and_ends_the_overdue(session: Session) -> None:
    project, entry = _drawn(session)
    pay_by = session.get(deposits.WgDepositEntry, entry).pay_by
    assert pay_by == D(2026, 11, 9)
    assert (project, "payout") not in deposits.past_deadline(session, pay_by, BY)  # on the day
    assert (project, "payout") in deposits.past_deadline(session, pay_by + dt.timedelta(1), BY)
    kw: dict[str, Any] = dict(paid_on=D(2026, 11, 6), workers=12, reference="BANK-77", by=BY)
    row = payouts.record_payout(session, project, entry, today=D(2026, 11, 20), **kw)
    assert (row.paid_on, row.workers, row.reference) == (D(2026, 11, 6), 12, "BANK-77")
    assert (project, "payout") not in deposits.past_deadline(session, D(2026, 11, 20), BY)
    with pytest.raises(ConflictError) as again:  # a retried request: refused, nothing added
        payouts.record_payout(session, project, entry, today=D(2026, 11, 20), **kw)
    assert again.value.rule == "already_paid" and "2026-11-06" in again.value.zh
    assert _count(session) == 1
    audits = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "deposit.payout")
    )
    assert audits == 1
    row.workers = 13
    with pytest.raises(ImmutableEntry):
        session.flush()
    session.rollback()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paid_on": D(2026, 11, 1)}, "paid_on"),  # before the draw
        ({"paid_on": D(2026, 11, 21)}, "paid_on"),  # after today
        ({"paid_on": None}, "paid_on"),
        ({"workers": 0}, "workers"),
        ({"workers": 10**9}, "workers"),
        ({"workers": "12"}, "workers"),
        ({"reference": ""}, "reference"),
        ({"reference": "BANK\n77"}, "reference"),
    ],
)
def test_bad_input_names_its_field_and_changes_nothing(
    session: Session, change: dict[str, Any], field: str
) -> None:
    project, entry = _drawn(session)
    kw: dict[str, Any] = {"paid_on": D(2026, 11, 6), "workers": 12, "reference": "BANK-77"}
    kw.update(change)
    with pytest.raises(MinshengError) as err:
        payouts.record_payout(session, project, entry, by=BY, today=D(2026, 11, 20), **kw)
    assert err.value.field == field and err.value.bo
    assert _count(session) == 0


def test_only_the_inspectorate_and_only_a_draw_of_this_project(session: Session) -> None:
    project, entry = _drawn(session)
    other, _ = _drawn(session, 2)
    kw: dict[str, Any] = dict(paid_on=D(2026, 11, 6), workers=1, reference="B-1", today=DRAWN)
    with pytest.raises(ForbiddenError):
        payouts.record_payout(session, project, entry, by=CONTRACTOR_ROLE, **kw)
    with pytest.raises(NotFoundError):  # the draw belongs to another project's deposit
        payouts.record_payout(session, other, entry, by=BY, **kw)
    lodge = session.scalar(
        select(deposits.WgDepositEntry.id).where(deposits.WgDepositEntry.kind == "lodge")
    )
    with pytest.raises(NotFoundError):  # not a draw
        payouts.record_payout(session, project, lodge, by=BY, **kw)
    shigatse = staff(5, "sgz", "caseworker", "540202")
    with pytest.raises(NotFoundError):  # another region: as missing
        payouts.record_payout(session, project, entry, by=shigatse, **kw)
    assert _count(session) == 0


def test_two_records_at_once_store_one(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        project, entry = _drawn(s)
        s.commit()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def record() -> None:
        with factory() as s:
            barrier.wait()
            try:
                payouts.record_payout(
                    s,
                    project,
                    entry,
                    paid_on=D(2026, 11, 6),
                    workers=3,
                    reference="BANK-RACE",
                    by=BY,
                    today=D(2026, 11, 20),
                )
                s.commit()
                results.append("ok")
            except (ConflictError, Exception) as err:  # the loser: refused or busy, never two
                s.rollback()
                results.append(type(err).__name__)

    threads = [threading.Thread(target=record) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    with factory() as s:
        assert _count(s) == 1


def test_the_panel_flags_the_overdue_draw_and_records_its_payout(engine: Engine, app: Any) -> None:
    factory = make_sessionmaker(engine)
    today = dt.date.today()
    with factory() as s:
        x = site(s, signed=today - dt.timedelta(days=40))
        deposits.assess(s, x.project_id, BY, today - dt.timedelta(days=30))
        deposits.lodge(
            s,
            x.project_id,
            form="cash",
            amount="200000",
            bank="农业银行",
            by=BY,
            today=today - dt.timedelta(days=30),
        )
        entry = deposits.draw(
            s,
            x.project_id,
            amount="500",
            reference="TS-PANEL",
            by=BY,
            today=today - dt.timedelta(days=20),
        ).id
        s.commit()
    supervisor: Any = staff_client(app, engine, "supervisor", "540100")
    url = f"/wages/projects/{x.project_id}/deposit"
    page = supervisor.get(url)
    assert 'id="overdue-payout"' in page.text and 'id="deposit-payout"' in page.text
    bad = {
        "action": "payout",
        "entry_id": str(entry),
        "paid_on": "",
        "workers": "3",
        "reference": "BANK-9",
    }
    r = supervisor.post(url, data=bad, follow_redirects=False)
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text and "BANK-9" in r.text
    good = dict(bad, paid_on=(today - dt.timedelta(days=18)).isoformat())
    r = supervisor.post(url, data=good, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    after = supervisor.get(url).text
    assert f'id="payout-{entry}"' in after and 'id="overdue-payout"' not in after
    api = supervisor.post(
        f"/api{url}/payouts",
        json={"entry_id": entry, "paid_on": good["paid_on"], "workers": 3, "reference": "B-2"},
    )
    assert api.status_code == 409 and api.json()["error"]["rule"] == "already_paid"
