"""Properties of pay (hypothesis) over any sequence of attendance, sheets, disputes, transfers
and pay runs (prepared by one user, issued by another): a worker is never paid twice for one
month, every payment is its line's gross, and the dedicated account's balance is always what
came in less what was paid — never below zero."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import Principal
from minsheng.wages import pay, pay_run
from minsheng.wages.pay_models import WgLabourTransfer, WgPayLine, WgPayment, WgWageAccount
from tests.wages.pay_kit import TODAY, funded, site, work

MONTHS = ("2026-09", "2026-10", "2026-11")
WORKERS = ("day", "hour", "piece", "sub")
TAGS = itertools.count(10)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("work"), st.sampled_from(WORKERS), st.integers(0, 2), st.integers(1, 28)),
        st.tuples(st.just("transfer"), st.integers(1, 400_000)),
        st.tuples(st.just("build"), st.integers(0, 1), st.integers(0, 2)),
        st.tuples(st.just("run"), st.integers(0, 2), st.integers(0, 1)),
        st.tuples(st.just("dispute"), st.sampled_from(WORKERS), st.booleans()),
    ),
    max_size=14,
)


def citizen(person_id: int) -> Principal:
    return Principal(kind="citizen", name="worker", person_id=person_id)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_never_paid_twice_and_the_balance_never_negative(
    engine: Engine, tmp_path: Path, steps: list[tuple[object, ...]]
) -> None:
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        k = site(s, tag=next(TAGS))
        funded(s, k, 1, ref=f"INIT-{k.project_id}")
    directory = pay_run.files_dir(tmp_path)
    refs = itertools.count()
    worked: set[tuple[str, dt.date]] = set()
    for step in steps:
        try:
            with unit_of_work(factory) as s:
                if step[0] == "work":
                    _, who, m, d = step
                    day = dt.date(2026, 9 + int(m), int(d))  # type: ignore[call-overload]
                    if (str(who), day) not in worked:
                        worked.add((str(who), day))
                        work(s, k, str(who), day, 540, 60)
                elif step[0] == "transfer":
                    funded(s, k, int(step[1]), ref=f"T-{k.project_id}-{next(refs)}")  # type: ignore[call-overload]
                elif step[0] == "build":
                    team = (k.general_team, k.sub_team)[int(step[1])]  # type: ignore[call-overload]
                    pay.build_sheet(s, k.project_id, team, MONTHS[int(step[2])], k.makers[0], TODAY)  # type: ignore[call-overload]
                elif step[0] == "run":
                    maker, checker = k.makers[int(step[2])], k.makers[1 - int(step[2])]  # type: ignore[call-overload]
                    r = pay_run.prepare(s, k.project_id, MONTHS[int(step[1])], maker, TODAY)  # type: ignore[call-overload]
                    if r.state == "prepared":
                        s.commit()
                        pay_run.finish(s, r.run_id, checker, directory)
                else:
                    _, who, agree = step
                    person = k.persons[str(who)]
                    for line in s.scalars(select(WgPayLine).where(WgPayLine.person_id == person)):
                        pay.respond(s, line.id, citizen(person), bool(agree), note="天数不对")
        except MinshengError:
            pass  # a refusal (short balance, paid sheet, paid line) changes nothing
        _invariants(engine)


def _invariants(engine: Engine) -> None:
    with make_sessionmaker(engine)() as s:
        came = s.scalar(select(func.coalesce(func.sum(WgLabourTransfer.amount), 0)))
        out = s.scalar(select(func.coalesce(func.sum(WgPayment.amount), 0)))
        balances = s.scalars(select(WgWageAccount.balance)).all()
        assert balances and all(b >= 0 for b in balances)
        assert sum(balances) == came - out
        paid = s.execute(
            select(WgPayment.worker_id, WgPayment.month, WgPayment.amount, WgPayLine.gross).join(
                WgPayLine, WgPayLine.id == WgPayment.line_id
            )
        ).all()
        assert len(paid) == len({(w, m) for w, m, _, _ in paid})  # once per worker and month
        assert all(amount == gross for _, _, amount, gross in paid)
