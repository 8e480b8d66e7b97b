"""Properties (hypothesis) of any sequence of registrations, profile updates, status changes,
re-confirmations and sweeps: one record per person; the status history's last row is the
status; a refused step changes nothing; a lapsed record is never shown to employers."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError
from minsheng.employment import seeker_filing, seekers
from minsheng.employment.seeker_models import STATUSES, EmSeeker
from minsheng.employment.seeker_schemas import ProfileIn
from tests.employment.seeker_kit import BY, TODAY, caseworker, citizen, person

BIRTHS = itertools.count()
WHO = st.sampled_from(["system", "lhasa", "shigatse", "citizen"])
ops = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(0, 2), WHO),
        st.tuples(
            st.just("profile"),
            st.integers(0, 2),
            WHO,
            st.booleans(),
            st.sampled_from(["6-29", "4-03", "9-99", "5-03"]),
        ),
        st.tuples(
            st.just("status"),
            st.integers(0, 2),
            st.sampled_from([*STATUSES, "retired"]),
            st.sampled_from([None, 2025, 1900]),
            st.integers(-3, 3),
        ),
        st.tuples(st.just("confirm"), st.integers(0, 2), WHO),
        st.tuples(st.just("lapse"), WHO),
        st.tuples(st.just("wait"), st.integers(1, 120)),
    ),
    max_size=16,
)


def _snapshot(s: Session, pids: list[int]) -> list[tuple[object, ...]]:
    rows = s.scalars(select(EmSeeker).where(EmSeeker.person_id.in_(pids)).order_by(EmSeeker.id))
    return [
        (r.person_id, r.status, r.graduate_year, r.state, r.consent, r.occupations, r.confirmed_on)
        for r in rows
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_one_record_per_person_and_the_history_ends_at_the_status(
    session: Session, steps: list[tuple[object, ...]]
) -> None:
    s = session
    nested = s.begin_nested()
    n = next(BIRTHS)
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n)
    people = [person(s, ("540102", "540202", "540102")[i], birth)[0] for i in range(3)]
    numbers = [p.id_number for p in people]
    pids = [p.id for p in people]
    today = TODAY

    def principal(name: object, i: int) -> object:
        return {
            "system": BY,
            "lhasa": caseworker("540100"),
            "shigatse": caseworker("540200"),
            "citizen": citizen(people[i]),
        }[str(name)]

    for step in steps:
        before = _snapshot(s, pids)
        try:
            kind = step[0]
            if kind == "wait":
                today += dt.timedelta(days=int(step[1]))  # type: ignore[call-overload]
            elif kind == "register":
                i = int(step[1])  # type: ignore[call-overload]
                seeker_filing.register_by_id(s, numbers[i], principal(step[2], i), today)  # type: ignore[arg-type]
            elif kind == "lapse":
                seekers.lapse_stale(s, today, principal(step[1], 0))  # type: ignore[arg-type]
            else:
                i = int(step[1])  # type: ignore[call-overload]
                found = seekers.seeker_of_person(s, pids[i])
                if found is None:
                    continue
                if kind == "profile":
                    data = ProfileIn(consent=bool(step[3]), occupations=[str(step[4])])
                    seekers.update_profile(s, found.id, data, principal(step[2], i))  # type: ignore[arg-type]
                elif kind == "status":
                    day = today + dt.timedelta(days=int(step[4]))  # type: ignore[call-overload]
                    year = step[3] if step[3] is None else int(step[3])  # type: ignore[call-overload]
                    seekers.set_status(s, found.id, str(step[2]), year, day, BY, today)
                elif kind == "confirm":
                    seekers.confirm(s, found.id, principal(step[2], i), today)  # type: ignore[arg-type]
        except MinshengError:
            assert _snapshot(s, pids) == before, step
        for pid in pids:
            count = s.scalar(
                select(func.count()).select_from(EmSeeker).where(EmSeeker.person_id == pid)
            )
            assert count in (0, 1)
        for r in s.scalars(select(EmSeeker).where(EmSeeker.person_id.in_(pids))):
            rows = seekers.history(s, r.id)
            assert rows and (rows[-1].status, rows[-1].graduate_year) == (r.status, r.graduate_year)
            assert all(a.from_day <= b.from_day for a, b in itertools.pairwise(rows))
        shown = set(s.scalars(seekers.visible_to_employers(select(EmSeeker))))
        assert all(r.consent and r.state == "active" for r in shown)
    nested.rollback()
