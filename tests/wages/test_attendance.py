"""Attendance ingest (issue 13 point 2): per-event answers, duplicates ignored, late events
recomputing their day, bad input changing nothing — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.wages import attendance, attendance_store
from minsheng.wages.attendance import CST, day_of, ingest
from minsheng.wages.attendance_models import WgAttendanceDay, WgAttendanceEvent, WgAttendanceMonth
from tests.wages.attendance_world import BY, site

NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)  # 12:00 in Lhasa (CST)


def at(day: int, hh: int, mm: int = 0, month: int = 11) -> str:
    return dt.datetime(2026, month, day, hh, mm, tzinfo=CST).isoformat()


def ev(eid: str, worker: int, when: str, kind: str) -> dict[str, object]:
    return {"id": eid, "worker": worker, "at": when, "kind": kind}


def days(s: Session) -> dict[tuple[int, dt.date], tuple[int, int, int]]:
    return {
        (d.worker_id, d.day): (d.minutes, d.overtime_minutes, d.events)
        for d in s.scalars(select(WgAttendanceDay))
    }


def months(s: Session) -> dict[tuple[int, str], tuple[int, int, int, dt.date]]:
    return {
        (m.worker_id, m.month): (m.days, m.minutes, m.overtime_minutes, m.first_day)
        for m in s.scalars(select(WgAttendanceMonth))
    }


def count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_day_pairs_in_and_out_and_counts_overtime_past_eight_hours() -> None:
    t = lambda h, m=0: dt.datetime(2026, 11, 3, h, m, tzinfo=CST)  # noqa: E731
    d = day_of(
        [
            (t(19, 30), "out"),
            (t(8), "in"),
            (t(8, 1), "in"),  # a second swipe at the gate: the spell is already open
            (t(12), "out"),
            (t(14), "in"),
            (t(7), "out"),  # an out with nothing open counts no time
        ],
        480,
    )
    assert (d.minutes, d.overtime_minutes, d.events) == (4 * 60 + 5 * 60 + 30, 90, 6)
    assert d.first_in == t(8) and d.last_out == t(19, 30)
    short = day_of(
        [
            (t(8), "in"),
            (
                t(
                    15,
                    59,
                ),
                "out",
            ),
        ],
        480,
    )
    assert (short.minutes, short.overtime_minutes) == (479, 0)
    assert day_of([(t(8), "in")], 480).minutes == 0  # never left: no closed spell


def test_a_batch_is_answered_event_by_event(session: Session) -> None:
    st_ = site(session)
    w1, w2 = st_.workers
    other = site(session, n_workers=1, tag=2)  # a worker of another project
    batch = [
        ev("e1", w1, at(3, 8), "in"),
        ev("e2", w1, at(3, 18, 30), "out"),
        ev("e1", w1, at(3, 9), "in"),  # the same id twice in the batch
        ev("e3", other.workers[0], at(3, 8), "in"),
        ev("e4", w2, at(25, 8, month=8), "in"),  # before the worker's entry (2026-09-01)
        ev("e5", w2, (NOW + dt.timedelta(minutes=30)).isoformat(), "in"),  # future
        ev("e6", w2, (NOW + dt.timedelta(minutes=4)).isoformat(), "in"),  # within the drift
        ev("e7", w2, "yesterday", "in"),
        ev("e 8", w2, at(3, 8), "in"),
        ev("e9", w2, at(3, 8), "sideways"),
        ev("e10", "12", at(3, 8), "in"),
        "not an event",
    ]
    rep = ingest(session, st_.device, batch, BY, now=NOW)
    got = [(r["index"], r["status"], r.get("rule")) for r in rep.results]
    assert got == [
        (0, "accepted", None),
        (1, "accepted", None),
        (2, "duplicate", None),
        (3, "refused", "not_on_project"),
        (4, "refused", "not_on_site"),
        (5, "refused", "future"),
        (6, "accepted", None),
        (7, "refused", "at"),
        (8, "refused", "id"),
        (9, "refused", "kind"),
        (10, "refused", "worker"),
        (11, "refused", "event"),
    ]
    refusal = rep.results[3]
    assert refusal["zh"] and refusal["en"] and refusal["bo"] and refusal["field"] == "worker"
    assert (rep.accepted, rep.duplicates, rep.refused) == (3, 1, 8)
    assert days(session)[(w1, dt.date(2026, 11, 3))] == (630, 150, 2)
    assert count(session, WgAttendanceEvent) == 3


def test_bad_input_changes_nothing(session: Session) -> None:
    st_ = site(session)
    other = site(session, n_workers=1, tag=2)
    bad = [
        ev("x1", other.workers[0], at(3, 8), "in"),
        ev("x2", st_.workers[0], at(1, 8, month=12) + "Z", "in"),
        ev("x3", st_.workers[0], (NOW + dt.timedelta(hours=2)).isoformat(), "out"),
        ev("x4", 999_999, at(3, 8), "in"),
    ]
    rep = ingest(session, st_.device, bad, BY, now=NOW)
    assert rep.accepted == 0 and rep.refused == 4
    assert count(session, WgAttendanceEvent) == 0 and count(session, WgAttendanceDay) == 0


def test_a_resent_batch_is_all_duplicates_and_changes_no_day(session: Session) -> None:
    st_ = site(session)
    w = st_.workers[0]
    batch = [ev("a", w, at(4, 8), "in"), ev("b", w, at(4, 17), "out")]
    first = ingest(session, st_.device, batch, BY, now=NOW)
    before = days(session)
    again = ingest(session, st_.device, batch, BY, now=NOW)
    assert (first.accepted, again.accepted, again.duplicates) == (2, 0, 2)
    assert days(session) == before == {(w, dt.date(2026, 11, 4)): (540, 60, 2)}
    assert count(session, WgAttendanceEvent) == 2


def test_a_late_event_is_accepted_and_recomputes_its_day(session: Session) -> None:
    st_ = site(session)
    w = st_.workers[0]
    ingest(session, st_.device, [ev("m", w, at(2, 8), "in")], BY, now=NOW)
    assert days(session)[(w, dt.date(2026, 11, 2))] == (0, 0, 1)  # in, never out (yet)
    late = ingest(session, st_.device, [ev("n", w, at(2, 16, 30), "out")], BY, now=NOW)
    assert late.accepted == 1 and late.days == 1  # a month late: still counted
    assert days(session)[(w, dt.date(2026, 11, 2))] == (510, 30, 2)
    month = attendance.monthly(session, "2026-11", project_id=st_.project_id, worker_ids=None)
    assert month == [
        {
            "worker_id": w,
            "project_id": st_.project_id,
            "month": "2026-11",
            "days": 1,
            "hours": 8.5,
            "overtime_hours": 0.5,
            "minutes": 510,
            "overtime_minutes": 30,
        }
    ]


def test_an_event_near_midnight_counts_on_its_local_day(session: Session) -> None:
    st_ = site(session)
    w = st_.workers[0]
    # 2026-11-05 23:30 in Lhasa is 15:30 UTC the same day; 00:30 CST on the 6th is 16:30 UTC
    ingest(
        session,
        st_.device,
        [ev("p", w, "2026-11-05T15:30:00Z", "in"), ev("q", w, "2026-11-05T16:30:00Z", "out")],
        BY,
        now=NOW,
    )
    assert set(days(session)) == {(w, dt.date(2026, 11, 5)), (w, dt.date(2026, 11, 6))}


SPELLS = st.lists(
    st.tuples(
        st.integers(0, 1),  # worker
        st.sampled_from([(10, 30), (10, 31), (11, 1), (11, 2)]),  # month and day
        st.integers(6 * 60, 22 * 60),  # minute of the day
        st.sampled_from(["in", "out"]),
    ),
    min_size=1,
    max_size=14,
    unique_by=lambda t: (t[0], t[1], t[2]),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=SPELLS,
    order=st.randoms(use_true_random=False),
    copies=st.lists(st.integers(1, 3), min_size=14, max_size=14),
    cuts=st.integers(1, 4),
)
def test_any_order_and_duplication_of_events_gives_the_same_days(
    session: Session,
    events: list[tuple[int, tuple[int, int], int, str]],
    order,
    copies,
    cuts: int,
) -> None:
    tag = next(_TAGS)
    st_ = site(session, tag=tag, serial=f"PROP-{tag}")
    base = [
        ev(
            f"e{i}",
            st_.workers[w],
            dt.datetime(2026, d[0], d[1], m // 60, m % 60, tzinfo=CST).isoformat(),
            kind,
        )
        for i, (w, d, m, kind) in enumerate(events)
    ]
    sp = session.begin_nested()
    ingest(session, st_.device, base, BY, now=NOW)
    expected = days(session)
    sp.rollback()
    assert count(session, WgAttendanceDay) == 0
    shuffled = [e for e, n in zip(base, copies, strict=False) for _ in range(n)]
    order.shuffle(shuffled)
    size = max(1, len(shuffled) // cuts)
    accepted = 0
    for i in range(0, len(shuffled), size):
        accepted += ingest(session, st_.device, shuffled[i : i + size], BY, now=NOW).accepted
    assert days(session) == expected
    assert accepted == len(base)
    # the monthly summary kept by differences equals the one rebuilt from the days
    kept = months(session)
    assert sum(m[1] for m in kept.values()) == sum(d[0] for d in expected.values())
    attendance_store.rebuild_months(session)
    assert months(session) == kept
    session.rollback()


_TAGS = itertools.count(100)
