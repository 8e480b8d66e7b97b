"""Yearly certification (issue 12, point 7): data matching first and silently (a card use, a
medical bill, an assistance step; a death terminates with the overpayment), a task in the county
queue for the rest, certified by the citizen's face check or a staff home visit; overdue →
suspended (the roll skips) → certified again → resumed with exactly the withheld months paid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from minsheng.cards import service as cards
from minsheng.cards.models import SocialCard
from minsheng.core.errors import MinshengError
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.principals import PERMISSIONS, Principal, system
from minsheng.pensions import certification, workflows
from minsheng.pensions.models import PnAward, PnCertification
from minsheng.registry import service as registry
from minsheng.registry.models import Person
from minsheng.registry.schemas import PersonPatch
from tests.pensions.award_kit import BY, claim, resident
from tests.pensions.test_roll import paid, roll


def citizen(person_id: int) -> Principal:
    return Principal(
        kind="citizen",
        name=f"person:{person_id}",
        role="citizen",
        region="540102",
        permissions=PERMISSIONS["citizen"],
        person_id=person_id,
    )


def scan(engine: Engine, day: dt.date) -> certification.ScanResult:
    with unit_of_work(make_sessionmaker(engine)) as s:
        return certification.scan(s, "540100", BY, today=day)


def award_of(engine: Engine, award_id: int) -> PnAward:
    with make_sessionmaker(engine)() as s:
        a = s.get(PnAward, award_id)
        assert a is not None
        s.expunge(a)
        return a


def test_a_card_use_certifies_silently_and_the_rest_get_a_task(engine: Engine) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        used, quiet = claim(s, resident(s, 1)), claim(s, resident(s, 2))
        card = s.scalar(select(SocialCard).where(SocialCard.person_id == used.person_id))
        assert card is not None
        cards.step(s, card.id, "make", BY, dt.date(2026, 5, 2))  # a card event in the window
        ids = (used.id, quiet.id)
    r = scan(engine, dt.date(2026, 5, 20))  # both due 2026-06-01, within the lead
    assert r.silent == {"card": 1} and r.tasks_opened == 1 and r.scanned == 2
    assert award_of(engine, ids[0]).certification_due == dt.date(2027, 5, 1)
    assert award_of(engine, ids[1]).certification_due == dt.date(2026, 6, 1)
    again = scan(engine, dt.date(2026, 5, 21))
    assert again.tasks_opened == 0  # one open task per award
    with make_sessionmaker(engine)() as s:
        tasks = certification.queue(s, system("t"))
        assert [t.award_id for t in tasks] == [ids[1]]
        far = Principal(
            kind="staff",
            name="far",
            role="caseworker",
            region="540200",
            permissions=PERMISSIONS["caseworker"],
            user_id=9,
        )
        assert certification.queue(s, far) == []


def test_overdue_suspends_then_a_visit_resumes_and_the_withheld_months_are_paid_once(
    engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award_id = claim(s, resident(s, 3)).id
    for m in ("2025-06", "2025-12", "2026-05"):
        roll(engine, m, tmp_path)
    scan(engine, dt.date(2026, 5, 20))  # task opened, due 2026-06-01
    r = scan(engine, dt.date(2026, 6, 3))  # overdue
    assert r.lapsed == 1 and award_of(engine, award_id).state == "suspended"
    roll(engine, "2026-06", tmp_path)
    roll(engine, "2026-07", tmp_path)
    assert paid(engine, award_id)[-1] == "2026-05"  # the roll skips a suspended award
    with unit_of_work(make_sessionmaker(engine)) as s:
        task = s.scalar(select(PnCertification).where(PnCertification.award_id == award_id))
        assert task is not None and task.state == "lapsed"
        with pytest.raises(MinshengError) as e:  # a visit needs its note
            certification.visit(s, task.id, None, BY, dt.date(2026, 8, 3))
        assert e.value.field == "reason"
    with unit_of_work(make_sessionmaker(engine)) as s:
        certification.visit(s, task.id, "上门见到本人", BY, dt.date(2026, 8, 3))
    assert award_of(engine, award_id).state == "active"
    first = roll(engine, "2026-08", tmp_path)
    assert first.new_payments == 3  # June and July withheld, August
    roll(engine, "2026-08", tmp_path)
    months = paid(engine, award_id)
    assert months[-3:] == ["2026-06", "2026-07", "2026-08"] and len(months) == len(set(months))
    assert len(months) == 15  # 2025-06 … 2026-08, each once


def test_the_citizens_face_check_certifies_and_a_wrong_face_changes_nothing(
    engine: Engine,
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, 4))
        pid, award_id = award.person_id, award.id
    scan(engine, dt.date(2026, 5, 20))
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        certification.face(s, f"dev-face-ok:{pid + 1}", citizen(pid), dt.date(2026, 5, 21))
    assert e.value.field == "evidence"
    with pytest.raises(MinshengError) as e, unit_of_work(make_sessionmaker(engine)) as s:
        certification.face(s, "dev-face-ok:1", citizen(pid + 999), dt.date(2026, 5, 21))
    assert e.value.field == "task_id"
    with unit_of_work(make_sessionmaker(engine)) as s:
        task = certification.face(s, f"dev-face-ok:{pid}", citizen(pid), dt.date(2026, 5, 21))
        assert task.state == "certified" and task.method == "face"
    assert award_of(engine, award_id).certification_due == dt.date(2027, 5, 1)


def test_a_death_terminates_from_the_next_day_with_the_overpayment(
    engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(make_sessionmaker(engine)) as s:
        award = claim(s, resident(s, 5))
        award_id, monthly, pid = award.id, award.monthly, award.person_id
    roll(engine, "2025-09", tmp_path)  # June … September paid
    with unit_of_work(make_sessionmaker(engine)) as s:
        registry.update_person(s, pid, PersonPatch(death_date=dt.date(2025, 7, 20)), BY)
    r = scan(engine, dt.date(2025, 10, 5))
    assert r.terminated == [award_id]
    a = award_of(engine, award_id)
    assert a.state == "terminated" and a.terminated_on == dt.date(2025, 7, 21)
    assert a.overpaid == 2 * monthly  # August and September
    roll(engine, "2025-10", tmp_path)
    assert paid(engine, award_id) == ["2025-06", "2025-07", "2025-08", "2025-09"]


# ------------------------------------------------------------------------ properties


class Subject:
    def __init__(self, state: str) -> None:
        self.state = state


@settings(max_examples=300, deadline=None)
@given(
    flow=st.sampled_from(workflows.WORKFLOWS),
    actions=st.lists(
        st.text(min_size=1, max_size=12)
        | st.sampled_from(sorted({a for w in workflows.WORKFLOWS for a in w.actions})),
        max_size=12,
    ),
)
def test_states_never_skip(flow: object, actions: list[str]) -> None:
    """Every sequence of actions stays in the table: a step taken is a row of it; a refused
    one changes nothing."""
    from minsheng.cases.engine import Workflow

    assert isinstance(flow, Workflow)
    subject = Subject(flow.initial)
    rows = flow.transitions()
    for action in actions:
        before = subject.state
        try:
            event = flow.run(
                subject,
                action,
                system("p"),
                lambda s: setattr(subject, "state", s.targets[0]),
                day=dt.date(2026, 1, 1),
                reason="note",
            )
        except MinshengError:
            assert subject.state == before
            continue
        assert (before, action, subject.state) in rows or (action, before, subject.state) in rows
        assert event.from_state == before


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suspend_at=st.integers(1, 6),
    length=st.integers(1, 4),
    death_at=st.one_of(st.none(), st.integers(0, 11)),
)
def test_withheld_months_are_paid_once_and_never_after_a_death(
    engine: Engine,
    tmp_path_factory: pytest.TempPathFactory,
    suspend_at: int,
    length: int,
    death_at: int | None,
) -> None:
    directory = tmp_path_factory.mktemp("roll")
    with unit_of_work(make_sessionmaker(engine)) as s:
        n = s.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) or 0
        award_id = claim(s, resident(s, 100 + n % 800)).id
    months = [f"{2025 + (5 + i) // 12}-{(5 + i) % 12 + 1:02d}" for i in range(12)]
    for i, m in enumerate(months):
        day = dt.date(int(m[:4]), int(m[5:]), 10)
        with unit_of_work(make_sessionmaker(engine)) as s:
            a = s.get(PnAward, award_id)
            assert a is not None
            if death_at == i:
                registry.update_person(s, a.person_id, PersonPatch(death_date=day), BY)
                certification.terminate(s, a, day, BY)
            elif a.state == "active" and i == suspend_at:
                certification._step(s, a, "suspend", BY, day)
            elif a.state == "suspended" and i == suspend_at + length:
                certification._certified(s, a, BY, day, "visit")
        roll(engine, m, directory)
    got = paid(engine, award_id)
    assert len(got) == len(set(got))  # never twice
    # the oracle: a roll of an active award pays every month up to its own not yet paid
    expected: list[str] = []
    state = "active"
    for i in range(len(months)):
        if death_at == i:
            state = "terminated"
        elif state == "active" and i == suspend_at:
            state = "suspended"
        elif state == "suspended" and i == suspend_at + length:
            state = "active"
        if state == "active":
            expected += [x for x in months[: i + 1] if x not in expected]
    assert got == expected
    if death_at is not None:
        assert all(m <= months[death_at] for m in got)  # never a month after the death
