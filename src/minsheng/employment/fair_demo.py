"""Demo job fairs (issue 14 point 5) on top of the demo population and employers: in Lhasa's
城关区, a past weekly fair (two weeks ago) with its booths allocated, visitors checked in
(seekers filed from the registry), interviews and intentions recorded at the booths and a few
hires filed after it — so its report has figures — and a monthly special for graduates next
week, taking applications no more, with its booths allocated by industry zone.

Employers bring published vacancies (the demo's own, a few a firm, when they have none).
Deterministic; seeding twice adds nothing (the fairs are found by name).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.employment import fair_booths, fair_checkin, fairs, seeker_filing
from minsheng.employment.fair_models import (
    EmFair,
    EmFairApplication,
    EmFairInterview,
)
from minsheng.employment.fair_schemas import CheckinIn, FairIn
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer, Person

COUNTY = "540102"
PAST = "城关区周周有招聘·第48期"
NEXT = "拉萨市高校毕业生月度专场招聘会"
EMPLOYERS = 6
VISITORS = 40
OCCUPATIONS = ("4-03", "4-01", "6-01", "2-02", "4-07", "6-22")


def _employers(session: Session) -> list[Employer]:
    return list(
        session.scalars(
            select(Employer)
            .where(Employer.division_code == COUNTY)
            .order_by(Employer.id)
            .limit(EMPLOYERS)
        )
    )


def _vacancies(session: Session, e: Employer, i: int, today: dt.date) -> list[int]:
    found = list(
        session.scalars(
            select(EmVacancy.id)
            .where(
                EmVacancy.employer_id == e.id,
                EmVacancy.state == "published",
                EmVacancy.closing_on >= today + dt.timedelta(days=10),
            )
            .order_by(EmVacancy.id)
            .limit(3)
        )
    )
    if found:
        return found
    rows = [
        EmVacancy(
            employer_id=e.id,
            division_code=COUNTY,
            title=f"{('前台接待', '营业员', '操作工', '软件开发', '厨师', '驾驶员')[(i + j) % 6]}",
            occupation=OCCUPATIONS[(i + j) % len(OCCUPATIONS)],
            count=3,
            filled=0,
            wage_min=300_000 + 50_000 * j,
            wage_max=450_000 + 50_000 * j,
            skills="[]",
            languages='["zh", "bo"]',
            requirements="",
            closing_on=today + dt.timedelta(days=60),
            state="published",
            published_at=dt.datetime.combine(today, dt.time(9), dt.UTC),
            created_by="demo",
        )
        for j in range(2)
    ]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def _apply(session: Session, fair: EmFair, employers: list[Employer], today: dt.date) -> None:
    for i, e in enumerate(employers):
        vids = _vacancies(session, e, i, today)
        session.add(
            EmFairApplication(
                fair_id=fair.id,
                employer_id=e.id,
                wanted_class="large" if i == 0 else "standard",
                vacancy_ids=json.dumps(vids),
                state="accepted",
                by="demo",
            )
        )
    session.flush()


def _fair(session: Session, name: str, by: Principal, today: dt.date, **over: object) -> EmFair:
    data = FairIn.model_validate(
        {
            "name": name,
            "division_code": COUNTY,
            "venue": "拉萨市城关区人力资源市场（江苏路）",
            "starts_on": today.isoformat(),
            "opens_at": "10:00",
            "closes_at": "16:00",
            "booths": [
                {"klass": "standard", "count": 8},
                {"klass": "large", "count": 2},
                {"klass": "corner", "count": 2},
            ],
            **over,
        }
    )
    fair = fairs.create_fair(session, data, by, today)
    fairs.open_applications(session, fair.id, by)
    return fair


def _visitors(session: Session) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .where(
                Person.division_code == COUNTY,
                Person.death_date.is_(None),
                Person.birth_date.between(dt.date(1972, 1, 1), dt.date(2006, 1, 1)),
            )
            .order_by(Person.id)
            .limit(VISITORS)
        )
    )


def seed_fair(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Add the demo fairs (see the module); answers what was added."""
    out = {"fairs": 0, "booths": 0, "checkins": 0, "interviews": 0, "hires": 0}
    names = set(session.scalars(select(EmFair.name).where(EmFair.name.in_((PAST, NEXT)))))
    employers = _employers(session)
    if not employers:
        return out
    if NEXT not in names:
        nxt = _fair(session, NEXT, by, today, starts_on=(today + dt.timedelta(days=7)).isoformat(),
                    theme="graduates", cadence="monthly")  # fmt: skip
        _apply(session, nxt, employers, today)
        out["booths"] += len(fair_booths.allocate(session, nxt.id, by).seats)
        out["fairs"] += 1
    if PAST not in names:
        past = _past(session, by, today, employers)
        out["fairs"] += 1
        out["booths"] += len(session.scalars(
            select(EmFairApplication.id).where(
                EmFairApplication.fair_id == past.id, EmFairApplication.booth_id.is_not(None)
            )
        ).all())  # fmt: skip
        out.update(_visits(session, past, by))
    return out


def _past(session: Session, by: Principal, today: dt.date, employers: list[Employer]) -> EmFair:
    """The past fair: planned and allocated as if two weeks ago (the clock's checks would
    refuse a fair in the past, so it is planned for tomorrow and moved back before it is used)."""
    day = today - dt.timedelta(days=14)
    fair = _fair(
        session,
        PAST,
        by,
        today,
        cadence="weekly",
        starts_on=(today + dt.timedelta(days=1)).isoformat(),
    )
    _apply(session, fair, employers, today)
    fair_booths.allocate(session, fair.id, by)
    fair.starts_on = fair.ends_on = day
    audit.record(session, by, "demo_backdate", "em_fair", fair.id, COUNTY, {"day": day.isoformat()})
    session.flush()
    return fair


def _visits(session: Session, fair: EmFair, by: Principal) -> dict[str, int]:
    noon = dt.datetime.combine(fair.starts_on, dt.time(11, 0), fairs.LOCAL)
    people = _visitors(session)
    apps = list(
        session.scalars(
            select(EmFairApplication)
            .where(EmFairApplication.fair_id == fair.id, EmFairApplication.booth_id.is_not(None))
            .order_by(EmFairApplication.id)
        )
    )
    checkins = interviews = hires = 0
    for i, p in enumerate(people):
        seeker_filing.open_for(session, p, by, fair.starts_on)
        moment = noon + dt.timedelta(minutes=3 * i)
        token, _ = fair_checkin.issue_pass(fair, p.id, moment)
        r = fair_checkin.checkin(session, fair.id, CheckinIn(token=token), by, moment)
        checkins += int(r.created)
        if not apps or i % 2:
            continue
        app = apps[i % len(apps)]
        outcome = ("interviewed", "intends", "unsuitable", "intends")[(i // 2) % 4]
        session.add(
            EmFairInterview(
                fair_id=fair.id,
                employer_id=app.employer_id,
                person_id=p.id,
                vacancy_id=fair_booths.vacancy_ids(app)[0],
                outcome=outcome,
                note="",
                by="demo",
                at=moment + dt.timedelta(minutes=20),
            )
        )
        interviews += 1
        if (i // 2) % 4 == 1:  # every other intention ends in a hire filed after the fair
            hired = fair.ends_on + dt.timedelta(days=5)
            session.add(
                EmHire(
                    employer_id=app.employer_id,
                    vacancy_id=fair_booths.vacancy_ids(app)[0],
                    person_id=p.id,
                    division_code=COUNTY,
                    occupation="4-03",
                    hired_on=hired,
                    file_by=hired + dt.timedelta(days=30),
                    filed_on=hired + dt.timedelta(days=2),
                    state="filed",
                    by="demo",
                )
            )
            hires += 1
    session.flush()
    return {"checkins": checkins, "interviews": interviews, "hires": hires}


__all__ = ["NEXT", "PAST", "seed_fair"]
