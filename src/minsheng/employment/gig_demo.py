"""Demo records of the gig market on top of the demo population: open gigs in three counties
(two of registered employers, one posted by the office for an individual employer), with
applications from workers of every age; a finished gig whose pay both sides confirmed; and one
pay dispute waiting for a caseworker. ``seed_gig(session, by, today)`` answers the counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import ids
from minsheng.employment import gig_applications as apps
from minsheng.employment import gigs
from minsheng.employment.gig_models import EmGig
from minsheng.foundation.principals import PERMISSIONS, Principal
from minsheng.registry.models import Employer, Person

COUNTIES = ("540102", "540103", "540402")  # 城关区, 堆龙德庆区, 巴宜区


def _citizen(person_id: int) -> Principal:
    return Principal(
        kind="citizen",
        name=f"demo-{person_id}",
        role="citizen",
        permissions=PERMISSIONS["citizen"],
        person_id=person_id,
    )


def _employer(session: Session, county: str, n: int) -> int:
    found = session.scalar(
        select(Employer.id).where(Employer.division_code == county).order_by(Employer.id)
    )
    if found is not None:
        return found
    code = ids.make_credit_code(county, 7700 + n)
    e = session.scalar(select(Employer).where(Employer.credit_code == code))
    if e is None:
        e = Employer(credit_code=code, name=f"示范零工用工单位{n}", division_code=county)
        session.add(e)
        session.flush()
    return e.id


def _workers(session: Session, county: str, limit: int) -> list[int]:
    """Working-age people of the county, the oldest first (so that priority shows)."""
    born_after = dt.date(1956, 1, 1)
    return list(
        session.scalars(
            select(Person.id)
            .where(
                Person.division_code == county,
                Person.death_date.is_(None),
                Person.birth_date > born_after,
                Person.birth_date < dt.date(2006, 1, 1),
            )
            .order_by(Person.birth_date, Person.id)
            .limit(limit)
        )
    )


def _gig(
    county: str, title: str, pay: str, start: dt.date, days: int, slots: int, **kw: str
) -> gigs.GigIn:
    return gigs.GigIn(
        title=title,
        occupation=kw.get("occupation", "6"),
        day_pay=pay,
        county=county,
        address=kw.get("address", "县城"),
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        slots=slots,
        requirements=kw.get("requirements", ""),
        poster_name=kw.get("poster_name", ""),
    )


def seed_gig(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Add the gig market's demo records (``by``: the platform, ``system("demo")``)."""
    if session.scalar(select(EmGig.id).limit(1)) is not None:
        return {"gigs": 0, "applications": 0, "disputes": 0}
    made: list[EmGig] = []
    applications = 0
    # open gigs
    plans = [
        (COUNTIES[0], "仓库装卸（即时快招）", "220", 1, 2, 3, {"address": "城关区金珠西路物流园"}),
        (
            COUNTIES[1],
            "青稞收割帮工",
            "180",
            3,
            4,
            5,
            {"occupation": "5", "address": "堆龙德庆区乃琼镇"},
        ),
        (
            COUNTIES[2],
            "民宿保洁（周末）",
            "160",
            5,
            2,
            2,
            {"occupation": "4", "address": "巴宜区八一镇"},
        ),
    ]
    for n, (county, title, pay, lead, days, slots, kw) in enumerate(plans):
        data = _gig(county, title, pay, today + dt.timedelta(days=lead), days, slots, **kw)
        employer = _employer(session, county, n) if n < 2 else None
        if employer is None:
            data = _gig(county, title, pay, today + dt.timedelta(days=lead), days, slots,
                        poster_name="个体户 卓玛", **kw)  # fmt: skip
        gig = gigs.post(session, data, by, today, for_employer=employer)
        made.append(gig)
        for pid in _workers(session, county, 4):
            apps.apply(session, gig.id, _citizen(pid), today)
            applications += 1
    # a finished gig: two workers paid and confirmed, a third disputes
    start = today - dt.timedelta(days=10)
    done = gigs.post(
        session,
        _gig(COUNTIES[0], "展会搭建临时工", "250", start + dt.timedelta(days=2), 2, 3,
             address="城关区会展中心"),
        by,
        start,
        for_employer=_employer(session, COUNTIES[0], 0),
    )  # fmt: skip
    made.append(done)
    disputes = 0
    for i, pid in enumerate(_workers(session, COUNTIES[0], 7)[4:7]):
        me = _citizen(pid)
        aid = apps.apply(session, done.id, me, start).id
        applications += 1
        day = done.starts_on
        apps.step(session, aid, "accept", by, start)
        apps.step(session, aid, "check_in", me, day)
        apps.step(session, aid, "complete", by, done.ends_on)
        paid = "500" if i < 2 else "400"
        apps.step(session, aid, "record_pay", by, done.ends_on, amount=paid)
        if i < 2:
            apps.step(session, aid, "confirm", me, done.ends_on + dt.timedelta(days=1))
        else:
            apps.step(
                session, aid, "dispute", me, today - dt.timedelta(days=2),
                reason="说好两天500元，只收到400元",
            )  # fmt: skip
            disputes += 1
    return {"gigs": len(made), "applications": applications, "disputes": disputes}


__all__ = ["seed_gig"]
