"""The fair demo: a past fair with check-ins, interviews and hires (its report has figures)
and next week's special with its booths allocated; seeding twice adds nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.employment import fair_report
from minsheng.employment.fair_demo import NEXT, PAST, seed_fair
from minsheng.employment.fair_models import EmFair, EmFairApplication
from tests.employment import fair_kit as k


def test_the_demo_fairs_and_seeding_twice_adds_nothing(session: Session) -> None:
    s = session
    for _ in range(4):
        k.employer(s)
    for _ in range(12):
        k.person(s)
    first = seed_fair(s, k.BY, k.TODAY)
    assert first["fairs"] == 2 and first["checkins"] == 12
    assert first["interviews"] == 6 and first["hires"] >= 1
    past = s.scalar(select(EmFair).where(EmFair.name == PAST))
    nxt = s.scalar(select(EmFair).where(EmFair.name == NEXT))
    assert past is not None and nxt is not None
    assert past.starts_on < k.TODAY < nxt.starts_on and nxt.state == "allocated"
    report = fair_report.report(s, past.id, k.BY)
    assert report["visitors"] == 12 and report["employers"] == 4 and report["posts"] == 8
    assert report["intentions"] == 3 and report["hires"] == first["hires"]
    placed = s.scalars(
        select(EmFairApplication.booth_id).where(
            EmFairApplication.fair_id == nxt.id, EmFairApplication.booth_id.is_not(None)
        )
    ).all()
    assert len(placed) == len(set(placed)) == 4
    again = seed_fair(s, k.BY, k.TODAY)
    assert again == {"fairs": 0, "booths": 0, "checkins": 0, "interviews": 0, "hires": 0}
