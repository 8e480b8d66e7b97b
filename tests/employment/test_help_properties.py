"""Properties of the refresh over random populations (both databases): run twice on a day, the
second run changes nothing; over a sequence of days with people hired and made unemployed again,
a person is never in more than one open plan, and every open plan's person counts that day."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.employment.help_models import EmHelpPlan
from minsheng.employment.help_refresh import compute, refresh
from minsheng.employment.help_rules import HelpParams
from minsheng.policy import load
from tests.employment import help_kit as k

PERSON = st.tuples(
    st.sampled_from("MF"),
    st.integers(min_value=16, max_value=64),  # age on the first day
    st.integers(min_value=0, max_value=800),  # days unemployed before the first day
    st.sampled_from(("none", "disability", "dibao")),
    st.booleans(),  # in the shared household
)
STEP = st.tuples(st.integers(min_value=1, max_value=120), st.integers(min_value=0, max_value=9))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(PERSON, min_size=1, max_size=8), st.lists(STEP, min_size=1, max_size=4))
def test_refresh_is_idempotent_and_one_plan_at_a_time(
    session: Session, people: list, steps: list
) -> None:
    s = session
    outer = s.begin_nested()
    try:
        day = dt.date(2026, 3, 2)
        house = k.household(s, "PROP-1")
        e = k.employer(s)
        seekers = []
        for i, (sex, age, out_days, status, shared) in enumerate(people):
            birth = dt.date(day.year - age, 1, 1)
            pid = k.person(s, 500 + i, sex=sex, birth=birth, household=house if shared else None)
            if status != "none":
                k.status(s, pid, status)
            seekers.append((pid, k.seeker(s, pid, day - dt.timedelta(days=out_days))))
        for gap, who in steps:
            refresh(s, day, k.BY)
            n = s.scalar(select(func.count()).select_from(EmHelpPlan))
            again = refresh(s, day, k.BY)
            assert (again.opened, again.ended, again.updated) == (0, 0, 0)
            assert s.scalar(select(func.count()).select_from(EmHelpPlan)) == n
            per_person = s.execute(
                select(EmHelpPlan.person_id, func.count())
                .where(EmHelpPlan.state == "open")
                .group_by(EmHelpPlan.person_id)
            ).all()
            assert all(c == 1 for _, c in per_person)
            counted = compute(s, day, "54", HelpParams.from_snapshot(load().at(day, "540000")))
            assert {pid for pid, _ in per_person} <= set(counted)
            # someone is hired, or someone hired is unemployed again
            pid, sk = seekers[who % len(seekers)]
            if sk.status == "unemployed":
                k.hire(s, e, pid, day)
                k.set_status(s, sk, "employed", day)
            else:
                k.set_status(s, sk, "unemployed", day + dt.timedelta(days=1))
            day += dt.timedelta(days=gap)
    finally:
        outer.rollback()
