"""A transfer conserves money (issue 12 point 8): the sum of the two sides' account balances is
the same after the receipt as before — linking the schemes (人社部发〔2014〕17号) either way, the
scheme moved from zeroed, never negative — and an incoming transfer credits exactly what the
case says."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.pensions import transfer_cases as tc
from minsheng.pensions.models import PnAccount
from tests.pensions.transfer_kit import LHASA, TODAY, balance, link, person

SEQ = itertools.count(100)
FEN = st.integers(min_value=0, max_value=50_000_000)


def _balances(engine: Engine, pid: int) -> dict[str, int]:
    with make_sessionmaker(engine)() as s:
        rows = s.execute(
            select(PnAccount.scheme, PnAccount.balance).where(PnAccount.person_id == pid)
        ).all()
    return {k: v for k, v in rows}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(employee=FEN, resident=FEN, months=st.integers(min_value=1, max_value=400))
def test_linking_the_schemes_conserves_the_two_balances(
    engine: Engine, employee: int, resident: int, months: int
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        pid = person(s, next(SEQ), born=dt.date(1970, 6, 2))
        balance(s, pid, "employee_pension", employee)
        balance(s, pid, "resident_pension", resident)
        req = link(months, f"{employee // 100}.{employee % 100:02d}", "0")
        t = tc.open_transfer(s, pid, req, f"key-prop-{pid:06d}", LHASA, today=TODAY)
        tid, source = t.id, t.from_scheme
        for action in ("confirm", "send", "receive"):
            tc.take_step(s, tid, action, LHASA, today=TODAY)
    after = _balances(engine, pid)
    assert sum(after.values()) == employee + resident
    assert after[source] == 0 and min(after.values()) >= 0
    into = "employee_pension" if months >= 180 else "resident_pension"
    assert source != into and after[into] == employee + resident
