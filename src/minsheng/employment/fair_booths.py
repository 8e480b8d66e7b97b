"""Booth applications and their allocation at a job fair (参会申请、展位分配).

A recruiter (role ``employer``, acting for the employer bound to it in ``employer_users``)
applies while the fair is open, with its employer's published vacancies and the booth class it
wants; the posts it brings fit that class's capacity. Applying again before the decision
replaces the application (a retried form changes nothing else). The organiser accepts or
refuses, then runs the allocation (:func:`minsheng.employment.booth_rules.allocate`: industry
zones, class and capacity, one employer a booth, deterministic) and may move an employer to
another free booth by hand. ``em_fair_applications.booth_id`` is unique, so even two
organisers moving at once never seat two employers in one booth.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.auth import employers
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.employment import booth_rules, fairs
from minsheng.employment.fair_models import EmFair, EmFairApplication, EmFairBooth
from minsheng.employment.fair_schemas import ApplicationIn, DecisionIn
from minsheng.employment.fairs import (
    _booth_class,
    capacity,
    get_fair,
    is_recruiter,
    not_before_allocation,
    phase,
)
from minsheng.employment.vacancy_models import EmVacancy
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.registry.models import Employer


def employer_for(session: Session, by: Principal) -> int:
    """The employer a recruiter acts for; an unbound recruiter (or anyone else) is refused."""
    found = employers.employer_of(session, by.user_id) if is_recruiter(by) else None
    if found is None:
        raise ConflictError(
            "employer",
            "unbound",
            "您的账号尚未关联用人单位",
            "your account acts for no employer",
            "ཁྱེད་ཀྱི་ཐོ་ཁོངས་ལ་ལས་བེད་སྤྱོད་མཁན་མེད།",
        )
    return found


def employer_of_recruiter(session: Session, by: Principal) -> int | None:
    """The employer a recruiter acts for, or None (not a recruiter, or unbound)."""
    return employers.employer_of(session, by.user_id) if is_recruiter(by) else None


def missing_application() -> NotFoundError:
    return NotFoundError(
        "application_id", "没有这份参会申请", "no such booth application", "ཞུ་ཡིག་འདི་མེད།"
    )


def vacancy_ids(app: EmFairApplication) -> list[int]:
    return [int(v) for v in json.loads(app.vacancy_ids)]


def application_of(session: Session, fair_id: int, employer_id: int) -> EmFairApplication | None:
    return session.scalar(
        select(EmFairApplication).where(
            EmFairApplication.fair_id == fair_id, EmFairApplication.employer_id == employer_id
        )
    )


def apply(session: Session, fair_id: int, data: ApplicationIn, by: Principal) -> EmFairApplication:
    """The recruiter's employer applies for a booth. Audited."""
    fair = get_fair(session, fair_id, by, for_update=True)
    employer_id = employer_for(session, by)
    if fair.state != "open" or phase(fair, fairs.now()) != "open":
        raise ConflictError(
            "fair_id",
            "not_open",
            "该招聘会当前不受理参会申请",
            "the fair is not taking booth applications",
            "ཞུ་ཡིག་མི་དང་ལེན།",
        )
    klass = _booth_class(data.wanted_class, "wanted_class")
    wanted = sorted(set(data.vacancy_ids))
    rows = session.scalars(select(EmVacancy).where(EmVacancy.id.in_(wanted))).all()
    good = [
        v
        for v in rows
        if v.employer_id == employer_id
        and v.state == "published"
        and v.closing_on >= fair.starts_on
    ]
    if len(good) != len(wanted):
        raise invalid(
            "vacancy_ids",
            "not_published",
            "只能带本单位已发布、招聘会当天仍有效的岗位参会",
            "bring only your employer's published vacancies still open on the fair's day",
            "ལས་གནས་ནོར་འདུག",
        )
    cap = capacity(klass, fair.starts_on, fair.division_code)
    if len(good) > cap:
        raise invalid(
            "vacancy_ids",
            "capacity",
            f"该类展位至多展示{cap}个岗位",
            f"a booth of this class shows at most {cap} posts",
            "ལས་གནས་མང་དྲགས།",
        )
    app = application_of(session, fair.id, employer_id)
    if app is not None and app.state != "applied":
        raise ConflictError(
            "fair_id",
            "decided",
            "本单位的参会申请已处理，不能再修改",
            "your employer's application is already decided",
            "ཞུ་ཡིག་ཐག་གཅོད་ཟིན།",
        )
    if app is None:
        app = EmFairApplication(fair_id=fair.id, employer_id=employer_id, state="applied")
        session.add(app)
    app.wanted_class = klass
    app.vacancy_ids = json.dumps(wanted)
    app.by = by.actor
    session.flush()
    audit.record(
        session,
        by,
        "apply",
        "em_fair_application",
        app.id,
        fair.division_code,
        {"fair_id": fair.id, "employer_id": employer_id, "posts": len(wanted)},
    )
    return app


def get_application(
    session: Session, application_id: int, by: Principal
) -> tuple[EmFairApplication, EmFair]:
    app = session.get(EmFairApplication, application_id)
    if app is None:
        raise missing_application()
    try:
        fair = get_fair(session, app.fair_id, by, for_update=True)
    except NotFoundError:
        raise missing_application() from None
    return app, fair


def decide(
    session: Session, application_id: int, data: DecisionIn, by: Principal
) -> EmFairApplication:
    """Accept or refuse an application (a refusal gives its reason). Audited."""
    app, fair = get_application(session, application_id, by)
    if fair.state != "open":
        raise not_before_allocation()
    state = "accepted" if data.accept else "refused"
    if not data.accept and not (data.reason or "").strip():
        raise invalid(
            "reason", "required", "拒绝须说明理由", "a refusal gives its reason", "རྒྱུ་མཚན་འབྲི་དགོས།"
        )
    if app.state == state:
        return app
    app.state = state
    app.reason = None if data.accept else data.reason
    audit.record(
        session, by, state, "em_fair_application", app.id, fair.division_code, {"fair_id": fair.id}
    )
    return app


def _applicants(session: Session, fair: EmFair) -> list[booth_rules.Applicant]:
    apps = session.scalars(
        select(EmFairApplication).where(
            EmFairApplication.fair_id == fair.id, EmFairApplication.state == "accepted"
        )
    ).all()
    all_ids = {v for a in apps for v in vacancy_ids(a)}
    occupation = dict(
        session.execute(
            select(EmVacancy.id, EmVacancy.occupation).where(EmVacancy.id.in_(all_ids))
        ).all()
    )
    return [
        booth_rules.Applicant(
            id=a.id,
            employer_id=a.employer_id,
            klass=a.wanted_class,
            posts=len(vacancy_ids(a)),
            group=booth_rules.major_group(occupation.get(v, "") for v in vacancy_ids(a)),
        )
        for a in apps
    ]


def rule_booth(b: EmFairBooth) -> booth_rules.Booth:
    return booth_rules.Booth(id=b.id, number=b.number, klass=b.klass, capacity=b.capacity)


def allocate(session: Session, fair_id: int, by: Principal) -> booth_rules.Plan:
    """Run the allocation over the accepted applications (again, if run before: the plan
    replaces any earlier one and hand moves); the fair becomes ``allocated``. Audited."""
    fair = get_fair(session, fair_id, by, for_update=True)
    if fair.state not in ("open", "allocated") or phase(fair, fairs.now()) not in (
        "open",
        "allocated",
    ):
        raise ConflictError(
            "fair_id",
            "not_allocatable",
            "只能在招聘会开始前、受理申请后分配展位",
            "booths are allocated after applications open and before the fair starts",
            "འགྲེམས་ཁང་བགོ་མི་ཐུབ།",
        )
    booths = session.scalars(select(EmFairBooth).where(EmFairBooth.fair_id == fair.id)).all()
    plan = booth_rules.allocate([rule_booth(b) for b in booths], _applicants(session, fair))
    apps = session.scalars(
        select(EmFairApplication).where(EmFairApplication.fair_id == fair.id)
    ).all()
    for a in apps:
        a.booth_id = None
    for b in booths:
        b.zone = None
    session.flush()
    for a in apps:
        a.booth_id = plan.seats.get(a.id)
    for b in booths:
        b.zone = plan.zones.get(b.id)
    fair.state = "allocated"
    session.flush()
    audit.record(
        session,
        by,
        "allocate",
        "em_fair",
        fair.id,
        fair.division_code,
        {"placed": len(plan.seats), "unplaced": list(plan.unplaced)},
    )
    return plan


def move(session: Session, application_id: int, booth_id: int, by: Principal) -> EmFairApplication:
    """Move an accepted employer to another free booth of the same fair, by hand. Audited."""
    app, fair = get_application(session, application_id, by)
    if fair.state != "allocated" or phase(fair, fairs.now()) == "over":
        raise ConflictError(
            "application_id",
            "not_allocated",
            "展位尚未分配或招聘会已结束",
            "the booths are not allocated, or the fair is over",
            "འགྲེམས་ཁང་མ་བགོས།",
        )
    if app.state != "accepted":
        raise invalid(
            "application_id",
            "not_accepted",
            "只有已接受的申请可以安排展位",
            "only an accepted application gets a booth",
            "ཞུ་ཡིག་དང་ལེན་མ་བྱས།",
        )
    booth = session.get(EmFairBooth, booth_id)
    if booth is None or booth.fair_id != fair.id:
        raise NotFoundError(
            "booth_id", "本场没有这个展位", "no such booth at this fair", "འགྲེམས་ཁང་མེད།"
        )
    if app.booth_id == booth.id:
        return app
    holder = session.scalar(
        select(EmFairApplication.id).where(EmFairApplication.booth_id == booth.id)
    )
    posts = len(vacancy_ids(app))
    if holder is not None:
        raise taken()
    if booth.capacity < posts:
        raise invalid(
            "booth_id",
            "capacity",
            f"该展位至多展示{booth.capacity}个岗位，本单位带来{posts}个",
            f"the booth shows {booth.capacity} posts; the employer brings {posts}",
            "འགྲེམས་ཁང་ཆུང་དྲགས།",
        )
    was = app.booth_id
    app.booth_id = booth.id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise taken() from None
    if booth.zone is None and was is not None:
        old = session.get(EmFairBooth, was)
        booth.zone = old.zone if old else None
    audit.record(
        session,
        by,
        "move",
        "em_fair_application",
        app.id,
        fair.division_code,
        {"from": was, "to": booth.id},
    )
    return app


def taken() -> ConflictError:
    return ConflictError(
        "booth_id",
        "taken",
        "该展位已有单位",
        "another employer has this booth",
        "འགྲེམས་ཁང་འདི་བཟུང་ཟིན།",
    )


def applications_of(session: Session, fair_id: int) -> list[tuple[EmFairApplication, str]]:
    """The fair's applications with the employer's name, oldest first."""
    rows = session.execute(
        select(EmFairApplication, Employer.name)
        .join(Employer, Employer.id == EmFairApplication.employer_id)
        .where(EmFairApplication.fair_id == fair_id)
        .order_by(EmFairApplication.id)
    ).all()
    return list(rows)


def application_out(app: EmFairApplication, name: str | None = None) -> dict[str, Any]:
    return {
        "id": app.id,
        "fair_id": app.fair_id,
        "employer_id": app.employer_id,
        "employer": name,
        "wanted_class": app.wanted_class,
        "vacancy_ids": vacancy_ids(app),
        "state": app.state,
        "reason": app.reason,
        "booth_id": app.booth_id,
    }


__all__ = [
    "allocate",
    "application_of",
    "application_out",
    "applications_of",
    "apply",
    "decide",
    "employer_for",
    "employer_of_recruiter",
    "get_application",
    "move",
    "vacancy_ids",
]
