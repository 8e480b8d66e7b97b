"""The gig market's demo records: open gigs with applications (the oldest first in the
applicants' list), a finished gig with the pay confirmed by both sides, one dispute followed
up; a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.employment import gig_views as views
from minsheng.employment.gig_demo import COUNTIES, seed_gig
from minsheng.employment.gig_models import EmGig, EmGigApplication
from minsheng.foundation.principals import system
from tests.employment import gig_kit as k


def test_the_demo_gigs(session: Session) -> None:
    for county in COUNTIES:
        for year in range(1960, 2000, 5):
            k.person(session, dt.date(year, 4, 4), county=county)
    by = system("demo")
    counts = seed_gig(session, by, k.TODAY)
    assert counts == {"gigs": 4, "applications": 15, "disputes": 1}
    states = sorted(session.scalars(select(EmGigApplication.state)))
    assert states.count("confirmed") == 2 and states.count("disputed") == 1
    assert states.count("applied") == 12
    assert len(views.open_gigs(session, k.TODAY)) == 3
    assert [a.state for a, _ in views.disputes(session, by)] == ["disputed"]
    first = session.scalars(select(EmGig).order_by(EmGig.id)).first()
    assert first is not None
    ages = [x["age"] for x in views.applicants(session, first, by, k.TODAY)]
    assert ages == sorted(ages, reverse=True)
    assert seed_gig(session, by, k.TODAY) == {"gigs": 0, "applications": 0, "disputes": 0}
