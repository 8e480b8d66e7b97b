"""Properties of the gig market on the database: whatever the order of applies, accepts,
declines and withdrawals, the accepted never exceed the slots and always equal the
applications holding a slot; applying twice is one application."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.core.errors import MinshengError
from minsheng.employment import gig_applications as apps
from minsheng.employment import gigs
from minsheng.employment.gig_models import EmGig, EmGigApplication
from tests.employment import gig_kit as k
from tests.employment.gig_kit import TODAY

OPS = st.lists(
    st.tuples(st.sampled_from(("apply", "accept", "decline", "withdraw")), st.integers(0, 4)),
    max_size=25,
)


def test_accepted_never_exceeds_the_slots(session: Session) -> None:
    r = k.recruiter(session)
    workers = [k.person(session, dt.date(1960 + 8 * i, 1, 1)) for i in range(5)]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.integers(1, 3), OPS)
    def run(slots: int, ops: list[tuple[str, int]]) -> None:
        gig = k.post(session, r, slots=slots)
        ids: dict[int, int] = {}
        for op, i in ops:
            try:
                if op == "apply":
                    got = k.apply(session, gig, workers[i])
                    assert ids.setdefault(i, got) == got  # twice is one
                elif i in ids:
                    by = k.citizen(workers[i].id) if op == "withdraw" else r
                    apps.step(session, ids[i], op, by, TODAY)
            except MinshengError:
                pass  # a refused step changes nothing
            session.refresh(gig)
            holding = session.scalar(
                select(func.count())
                .select_from(EmGigApplication)
                .where(
                    EmGigApplication.gig_id == gig.id,
                    EmGigApplication.state.in_(gigs.TAKING_A_SLOT),
                )
            )
            assert 0 <= gig.accepted <= gig.slots
            assert gig.accepted == holding
        per_person = session.execute(
            select(EmGigApplication.person_id, func.count())
            .where(EmGigApplication.gig_id == gig.id)
            .group_by(EmGigApplication.person_id)
        ).all()
        assert all(n == 1 for _, n in per_person)
        assert session.get(EmGig, gig.id) is not None

    run()


def test_the_last_slot_goes_once_though_a_desk_saw_it_free(engine: object) -> None:
    """The first accept of the last slot commits; a second desk whose copy of the gig still
    shows the slot free accepts another: the guarded update finds no slot (the stale copy does
    not matter); a retried accept is refused; nothing changes."""
    from sqlalchemy import Engine
    from sqlalchemy.orm.attributes import set_committed_value

    from minsheng.core.errors import ConflictError
    from minsheng.db import make_sessionmaker

    assert isinstance(engine, Engine)
    make = make_sessionmaker(engine)
    with make() as s:
        r = k.recruiter(s)
        gig = k.post(s, r, slots=1)
        a1 = k.apply(s, gig, k.person(s))
        a2 = k.apply(s, gig, k.person(s))
        gid = gig.id
        s.commit()
    with make() as one:
        apps.step(one, a1, "accept", r, TODAY)
        one.commit()
    with make() as two:
        stale = two.get_one(EmGig, gid)
        set_committed_value(stale, "accepted", 0)  # what the desk saw before the first accept
        for aid, rule in ((a2, "full"), (a1, "wrong_state")):  # another; a retried request
            try:
                apps.step(two, aid, "accept", r, TODAY)
                raise AssertionError(f"accepted {aid}")
            except ConflictError as e:
                assert e.rule == rule
        two.rollback()
    with make() as s:
        assert s.get_one(EmGig, gid).accepted == 1
        assert s.get_one(EmGigApplication, a2).state == "applied"
