"""Certification matching at scale (issue 12, "Correctness and speed"): a scan of thousands of
claimants decides for each award what the plain per-award rule decides — a death terminates, a
sign of life certifies silently (a suspended award resumes), a claimant without one whose
certification falls due gets one task, an overdue task lapses and suspends the award — and it
does so in a number of SQL statements that does not grow with the claimants: the evidence, the
awards and the open tasks are read in a few queries, the silent certifications and the new
tasks written in bulk (one audit entry names every task opened)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from minsheng.cards.models import CardEvent, SocialCard
from minsheng.db import make_sessionmaker, unit_of_work
from minsheng.foundation.models import AuditEntry
from minsheng.pensions import certification
from minsheng.pensions.models import PnAward, PnCertification
from minsheng.registry.models import Person
from tests.pensions.award_kit import BY
from tests.pensions.test_roll_scale import population, statements

TODAY = dt.date(2026, 5, 20)


def varied(engine: Engine, people: int) -> None:
    """The roll's population, with certification due days spread before, within and after the
    task lead, card use in the evidence window for a part and suspended awards."""
    population(engine, people)
    with unit_of_work(make_sessionmaker(engine)) as s:
        awards = s.execute(select(PnAward.id, PnAward.person_id).order_by(PnAward.id)).all()
        for i, (award_id, _) in enumerate(awards):
            due = TODAY + dt.timedelta(days=(i % 9) * 10 - 20)  # 20 days ago … 60 days ahead
            s.execute(update(PnAward).where(PnAward.id == award_id).values(certification_due=due))
        cards = dict(s.execute(select(SocialCard.person_id, SocialCard.id)).all())
        used = [pid for i, (_, pid) in enumerate(awards) if i % 3 == 0 and pid in cards]
        s.execute(
            insert(CardEvent),
            [
                {
                    "card_id": cards[pid],
                    "day": dt.date(2026, 4, 1),
                    "action": "scan",
                    "from_state": "active",
                    "to_state": "active",
                    "by": "test",
                }
                for pid in used
            ],
        )


def per_award(engine: Engine) -> dict[str, Any]:
    """What the rule decides award by award (the ORM, one award at a time)."""
    lead = TODAY + dt.timedelta(days=certification.TASK_LEAD_DAYS)
    out: dict[str, Any] = {"terminated": set(), "silent": set(), "task": set(), "lapse": set()}
    with make_sessionmaker(engine)() as s:
        used = set(
            s.scalars(
                select(SocialCard.person_id)
                .join(CardEvent, CardEvent.card_id == SocialCard.id)
                .where(CardEvent.day >= dt.date(2025, 5, 20))
            )
        )
        for a in s.scalars(select(PnAward).where(PnAward.state != "terminated")):
            person = s.get(Person, a.person_id)
            assert person is not None
            if not a.division_code.startswith("54"):
                continue
            if person.death_date is not None:
                out["terminated"].add(a.id)
            elif a.person_id in used:
                if a.state == "suspended" or a.certification_due <= lead:
                    out["silent"].add(a.id)
            elif a.certification_due <= lead:
                out["task"].add(a.id)
                if a.certification_due < TODAY:
                    out["lapse"].add(a.id)
    return out


def test_a_scan_of_thousands_decides_each_award_as_the_per_award_rule(engine: Engine) -> None:
    varied(engine, 2_000)
    want = per_award(engine)
    assert all(len(v) > 20 for v in want.values()), {k: len(v) for k, v in want.items()}
    factory = make_sessionmaker(engine)
    with factory() as s:
        suspended = set(s.scalars(select(PnAward.id).where(PnAward.state == "suspended")))
    with unit_of_work(factory) as s:
        r = certification.scan(s, "540000", BY, today=TODAY)
    assert set(r.terminated) == want["terminated"]
    assert sum(r.silent.values()) == len(want["silent"]) and set(r.silent) == {"card"}
    assert r.tasks_opened == len(want["task"]) and r.lapsed == len(want["lapse"])
    assert r.resumed == len(want["silent"] & suspended) > 0
    with factory() as s:
        awards = {a.id: a for a in s.scalars(select(PnAward))}
        tasks = {t.award_id: t for t in s.scalars(select(PnCertification))}
        assert set(tasks) == want["task"]
        for award_id in want["silent"]:
            assert awards[award_id].state == "active"
            assert awards[award_id].last_certified_on == TODAY
        for award_id in want["task"]:
            lapsed = award_id in want["lapse"]
            assert tasks[award_id].state == ("lapsed" if lapsed else "open")
            assert awards[award_id].state == (
                "suspended" if lapsed or award_id in suspended else "active"
            )
        for award_id in want["terminated"]:
            assert awards[award_id].state == "terminated"
        opened = s.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == "open", AuditEntry.resource == "pn_certification"
            )
        ).all()
        named = [t for d in opened for t in json.loads(d)["tasks"]]
        assert sorted(a for _, a, _ in named) == sorted(want["task"])  # every task audited
    with unit_of_work(factory) as s:  # the next day: nothing new to open
        again = certification.scan(s, "540000", BY, today=TODAY + dt.timedelta(days=1))
    assert again.tasks_opened == 0
    with factory() as s:
        assert s.scalar(select(func.count(PnCertification.id))) == len(tasks)


def test_the_scan_runs_in_a_fixed_number_of_statements(engine: Engine) -> None:
    """Thousands of claimants, hundreds of tasks opened: a few dozen statements beyond the
    case steps (deaths, lapses) that are written one by one."""
    varied(engine, 3_000)
    with unit_of_work(make_sessionmaker(engine)) as s:
        s.execute(update(Person).values(death_date=None))  # no terminations
        s.execute(update(PnAward).values(state="active"))
        s.execute(
            update(PnAward)
            .where(PnAward.certification_due < TODAY)
            .values(certification_due=TODAY + dt.timedelta(days=5))  # no lapses
        )
    with statements(engine) as seen, unit_of_work(make_sessionmaker(engine)) as s:
        r = certification.scan(s, "540000", BY, today=TODAY)
    assert r.tasks_opened > 500 and sum(r.silent.values()) > 500 and not r.lapsed
    assert len(seen) <= 30, (len(seen), r.tasks_opened)
