"""Demo records of vocational training, on top of the demo population: an electricians'
course in 城关区 finished two months ago (most completed with certificates, some hired since —
the placements), and an order-based course for the Sichuan–Tibet railway employer enrolling
now (seed 000: 订单式培训 for the 川藏铁路 and 国家电网)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.core import divisions, ids
from minsheng.employment import training
from minsheng.employment import training_rules as rules
from minsheng.employment.vacancy_models import EmHire
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer, Person
from minsheng.registry.organisations import create_employer
from minsheng.registry.schemas import EmployerIn

COUNTY = "540102"  # 城关区
RAILWAY = "川藏铁路拉萨至林芝段建设指挥部（演示）"


def _railway(session: Session, by: Principal) -> int:
    found = session.scalar(select(Employer.id).where(Employer.name.like("%铁路%")).limit(1))
    if found is not None:
        return found
    return create_employer(
        session,
        EmployerIn(
            credit_code=ids.make_credit_code(COUNTY, 8801), name=RAILWAY, division_code=COUNTY
        ),
        by,
    ).id


def seed_training(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Add the demo courses; answers how many of each record were added."""
    counties = [d.code for d in divisions.counties("540100")]
    people = list(
        session.scalars(
            select(Person)
            .where(
                Person.division_code.in_(counties),
                Person.death_date.is_(None),
                Person.birth_date <= dt.date(today.year - 18, 1, 1),
                Person.birth_date >= dt.date(today.year - 50, 1, 1),
            )
            .order_by(Person.id)
            .limit(14)
        )
    )
    railway = _railway(session, by)
    end = today - dt.timedelta(days=60)
    start = end - dt.timedelta(days=20)
    electric = training.create_course(
        session,
        by,
        start,
        name="城关区电工（低压）免费培训班",
        occupation="6",
        kind="employment",
        division_code=COUNTY,
        starts_on=start,
        ends_on=end,
        hours=120,
        capacity=20,
        free=True,
        provider_name="拉萨市职业技术学校",
    )
    training.advance(session, electric.id, "enrolling", by, start)
    trainees = people[:10]
    enrolled = [
        training.enrol(session, electric.id, by, start, id_number=p.id_number)[0] for p in trainees
    ]
    training.advance(session, electric.id, "running", by, start)
    days = rules.session_days(start, end)
    for i, d in enumerate(days):
        present = [e.id for n, e in enumerate(enrolled) if not (n >= 8 and i % 2)]  # two miss half
        training.record_attendance(session, electric.id, d, present, by, d)
    training.advance(session, electric.id, "finished", by, end)
    hired = 0
    for p in trainees[:5]:
        on = end + dt.timedelta(days=10 + 7 * hired)
        session.add(
            EmHire(
                employer_id=railway,
                person_id=p.id,
                division_code=COUNTY,
                occupation="6",
                hired_on=on,
                file_by=on + dt.timedelta(days=30),
                filed_on=on,
                state="filed",
                by=by.actor,
            )
        )
        hired += 1
    order_start = today + dt.timedelta(days=21)
    order = training.create_course(
        session,
        by,
        today,
        name="川藏铁路订单式培训班（线路工）",
        occupation="6",
        kind="order",
        division_code=COUNTY,
        starts_on=order_start,
        ends_on=order_start + dt.timedelta(days=40),
        hours=200,
        capacity=40,
        free=True,
        provider_name="西藏自治区职业技能公共实训中心",
        employer_id=railway,
        hire_promised=30,
    )
    training.advance(session, order.id, "enrolling", by, today)
    for p in people[10:13]:
        training.enrol(session, order.id, by, today, id_number=p.id_number)
    session.flush()
    return {
        "em_courses": 2,
        "em_enrolments": len(enrolled) + len(people[10:13]),
        "em_hires": hired,
    }
