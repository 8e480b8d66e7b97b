"""Demo one-to-one help (issue 14 points 8 and 9) on top of the demo population and seekers:
the refresh run over the region opens a plan for each hard-to-employ seeker; a few of those
plans get a helper's contacts (a home visit, a phone call), job leads to published vacancies
where there are any, a training offer, answers (one refused), and one plan closes as moved
away. When the seekers' demo has not run, a few working-age 低保 / disabled persons are
registered as unemployed seekers first, so the desk is never empty.

Deterministic; seeding twice adds nothing (once plans have contacts, none more are worked).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minsheng.employment import help as plans
from minsheng.employment.help_models import EmHelpContact, EmHelpPlan
from minsheng.employment.help_refresh import refresh
from minsheng.employment.seeker_models import EmSeeker, EmSeekerStatus
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Person, SpecialStatus

WORKED = 12  # plans the demo works a little
FALLBACK = 20  # seekers registered when none exist


def _fallback_seekers(session: Session, today: dt.date) -> int:
    if session.scalar(select(func.count()).select_from(EmSeeker)):
        return 0
    youngest, oldest = dt.date(today.year - 54, 1, 1), dt.date(today.year - 17, 1, 1)
    people = session.scalars(
        select(Person)
        .join(SpecialStatus, SpecialStatus.person_id == Person.id)
        .where(
            SpecialStatus.kind.in_(("dibao", "tekun", "disability")),
            Person.death_date.is_(None),
            Person.birth_date > youngest,
            Person.birth_date < oldest,
        )
        .order_by(Person.id)
        .distinct()
        .limit(FALLBACK)
    ).all()
    since = today - dt.timedelta(days=200)
    for p in people:
        row = EmSeeker(
            person_id=p.id, division_code=p.division_code, status="unemployed", confirmed_on=since
        )
        session.add(row)
        session.flush()
        session.add(
            EmSeekerStatus(seeker_id=row.id, status="unemployed", from_day=since, by="demo")
        )
    session.flush()
    return len(people)


def seed_help(session: Session, by: Principal, today: dt.date) -> dict[str, int]:
    """Refresh the hard-to-employ list and work a few plans; answers what was added."""
    added = _fallback_seekers(session, today)
    r = refresh(session, today, by)
    worked = session.scalar(select(func.count()).select_from(EmHelpContact)) or 0
    open_plans = (
        []
        if worked
        else list(
            session.scalars(
                select(EmHelpPlan)
                .where(EmHelpPlan.state == "open")
                .order_by(EmHelpPlan.id)
                .limit(WORKED)
            )
        )
    )
    vacancies = list(
        session.scalars(
            select(EmVacancy.id).where(EmVacancy.state == "published").order_by(EmVacancy.id)
        )
    )
    counts = {"seekers": added, "plans": r.opened, "contacts": 0, "services": 0, "closed": 0}
    for i, plan in enumerate(open_plans):
        plans.contact(
            session,
            plan.id,
            by,
            today,
            channel="visit" if i % 2 == 0 else "phone",
            note="入户走访，了解求职意愿和家庭情况" if i % 2 == 0 else "电话联系，本人愿意就近就业",
            next_step="推荐岗位并通知培训报名",
            next_on=today + dt.timedelta(days=7),
        )
        counts["contacts"] += 1
        for v in vacancies[i % max(1, len(vacancies)) :][:2]:
            svc = plans.offer(session, plan.id, by, today, kind="job_lead", vacancy_id=v)
            counts["services"] += 1
            if i % 3 == 0:
                plans.respond(
                    session, plan.id, svc.id, "refused" if i % 6 == 0 else "accepted", by, today
                )
        if i % 2 == 1:
            plans.offer(session, plan.id, by, today, kind="training_offer", text="家政服务员培训班")
            counts["services"] += 1
        if i == len(open_plans) - 1 and i > 0:
            plans.close(session, plan.id, "moved", by, today, note="随家人迁往成都")
            counts["closed"] += 1
    session.flush()
    return counts
