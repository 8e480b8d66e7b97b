"""Vacancies (招聘岗位): drafted by an employer's recruiter (or a caseworker for a walk-in
employer), checked by :mod:`~minsheng.employment.vacancy_rules` when published, closed by the
employer, when filled or past the closing date, or taken down by a supervisor.

States: ``draft`` → ``published`` (the rules pass) or ``refused`` (the reasons are kept in
``refusal`` and the request answers 422 with every one; nothing is published); a draft or a
refused vacancy may be edited (it becomes a draft again); ``published`` → ``closed`` (the
employer, filled, or past ``closing_on``) or ``taken_down`` (``employment:run``, with a reason).

Who sees what (:func:`visible`): a recruiter (role ``employer``) the vacancies of the employer
:func:`minsheng.auth.employers.employer_of` gives, inside their region — an unbound recruiter
none; staff the vacancies whose county lies in their region; citizens and anonymous callers
only open published ones. A vacancy outside that answers exactly as a missing one (404).

Other areas read :func:`get_vacancy` and :func:`published` (a select of the open, published
vacancies on a day: matching, fairs, the public search).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from minsheng.auth import employers as firm_users
from minsheng.auth.models import EmployerUser
from minsheng.cases.engine import Step
from minsheng.core import money
from minsheng.core.errors import (
    ForbiddenError,
    MinshengError,
    NotFoundError,
    Problem,
    invalid,
)
from minsheng.employment import (
    occupations,
    search_sync,  # noqa: F401  (keeps the search rows in step)
)
from minsheng.employment.seeker_models import EDUCATION
from minsheng.employment.vacancy_models import MAX_WAGE_FEN, VACANCY_STATES, EmVacancy
from minsheng.employment.vacancy_rules import Limits, Posting, posting_problems, raise_all, words
from minsheng.employment.vacancy_schemas import VacancyIn, VacancyPatch
from minsheng.employment.vacancy_workflow import VACANCY
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.checks import county
from minsheng.registry.models import Employer

EMPLOYER_ROLE = "employer"
STATE_LABELS = {  # (zh, bo, en)
    "draft": ("草稿", "ཟིན་བྲིས།", "draft"),
    "published": ("已发布", "ཁྱབ་བསྒྲགས་བྱས།", "published"),
    "refused": ("未通过", "ཁས་མ་བླངས།", "refused"),
    "closed": ("已关闭", "སྒོ་བརྒྱབ།", "closed"),
    "taken_down": ("已下架", "ཕྱིར་བླངས།", "taken down"),
}
EDITABLE = ("draft", "refused")


def limits(day: dt.date, division: str) -> Limits:
    """The posting parameters in force on ``day`` in ``division``."""
    snap = load().at(day, division)
    return Limits(
        minimum_wage=int(snap["employment.labour.minimum_wage_monthly"]),  # type: ignore[arg-type]
        max_open_days=int(snap["employment.vacancy.max_open_days"]),  # type: ignore[arg-type]
        banned_words=words(str(snap["employment.vacancy.banned_words"])),
        max_wage=MAX_WAGE_FEN,
    )


def is_recruiter(by: Principal) -> bool:
    return by.kind in ("staff", "token") and by.role == EMPLOYER_ROLE


def employer_of(session: Session, by: Principal) -> int | None:
    """The employer a recruiter acts for (None for anyone else, or an unbound recruiter)."""
    if not is_recruiter(by) or by.user_id is None:
        return None
    return firm_users.employer_of(session, by.user_id)


def _own_employer(by: Principal) -> Any:
    return select(EmployerUser.employer_id).where(EmployerUser.user_id == by.user_id)


def visible(query: Any, by: Principal, model: Any = EmVacancy) -> Any:
    """Restrict ``query`` (over ``model``: a table with ``division_code`` and ``employer_id``)
    to what ``by`` sees (staff and recruiters; everyone else nothing)."""
    if by.kind == "system":
        return query
    if by.kind not in ("staff", "token") or not by.region:
        return query.where(false())
    codes = by.covered_codes()
    if codes is not None:
        query = query.where(model.division_code.in_(codes))
    if is_recruiter(by):
        if by.user_id is None:
            return query.where(false())
        query = query.where(model.employer_id.in_(_own_employer(by)))
    return query


def listing(
    by: Principal,
    state: str | None = None,
    county: str | None = None,
    occupation: str | None = None,
) -> Any:
    """The vacancies ``by`` sees, newest first, narrowed by state, county and occupation (a
    code and everything under it)."""
    query = visible(select(EmVacancy), by).order_by(EmVacancy.id.desc())
    if state in VACANCY_STATES:
        query = query.where(EmVacancy.state == state)
    if county:
        query = query.where(EmVacancy.division_code == county)
    if occupation:
        query = query.where(
            (EmVacancy.occupation == occupation) | EmVacancy.occupation.like(f"{occupation}-%")
        )
    return query


def missing(field: str = "vacancy_id") -> NotFoundError:
    return NotFoundError(field, "没有这个招聘岗位", "no such vacancy", "ལས་གནས་འདི་མེད།")


def is_open(v: EmVacancy, today: dt.date) -> bool:
    return v.state == "published" and v.closing_on >= today and v.filled < v.count


def get_vacancy(
    session: Session,
    vacancy_id: int,
    by: Principal,
    for_update: bool = False,
    today: dt.date | None = None,
) -> EmVacancy:
    """The vacancy, if ``by`` sees it (a citizen or anonymous caller: if open), else 404."""
    if by.kind in ("citizen", "anonymous"):
        found = session.get(EmVacancy, vacancy_id)
        if found is None or not is_open(found, today or dt.date.today()):
            raise missing()
        return found
    query = visible(select(EmVacancy).where(EmVacancy.id == vacancy_id), by)
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise missing()
    return row  # type: ignore[no-any-return]


def published(session: Session, today: dt.date) -> Select[Any]:
    """A select of the vacancies open on ``today``: published, not past closing, not filled."""
    del session  # the select runs in the caller's session
    return select(EmVacancy).where(
        EmVacancy.state == "published",
        EmVacancy.closing_on >= today,
        EmVacancy.filled < EmVacancy.count,
    )


def employer_for(session: Session, by: Principal, employer_id: int | None) -> Employer:
    """The employer the vacancy is for: a recruiter's own; staff name one."""
    if is_recruiter(by):
        own = employer_of(session, by)
        if own is None:
            raise ForbiddenError(
                "employer_id",
                "unbound",
                "您的账号尚未绑定用人单位",
                "your account acts for no employer",
                "ཁྱེད་ཀྱི་ཐོ་ཁོངས་ལས་བེད་སྤྱོད་མཁན་དང་འབྲེལ་མེད།",
            )
        if employer_id is not None and employer_id != own:
            raise NotFoundError("employer_id", "没有这个用人单位", "no such employer")
        employer_id = own
    elif employer_id is None:
        raise invalid(
            "employer_id",
            "required",
            "请选择用人单位",
            "name the employer",
            "ལས་བེད་སྤྱོད་མཁན་འདེམས་དགོས།",
        )
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFoundError("employer_id", "没有这个用人单位", "no such employer")
    return employer


def _wages(low: str, high: str) -> tuple[int, int]:
    lo = money.bounded(money.parse(low, "wage_min"), "wage_min", MAX_WAGE_FEN)
    hi = money.bounded(money.parse(high, "wage_max"), "wage_max", MAX_WAGE_FEN)
    if lo < 0:
        raise invalid("wage_min", "negative", "工资不能为负数", "a wage cannot be negative")
    if hi < lo:
        raise invalid(
            "wage_max",
            "order",
            "月工资上限不得低于下限",
            "the upper wage is below the lower one",
            "ཟླ་ཕོགས་མཐོ་མཐའ་དམའ་མཐའ་ལས་ཉུང་མི་ཆོག",
        )
    return lo, hi


def _education(code: str | None) -> str | None:
    if code and code not in EDUCATION:
        raise invalid(
            "education",
            "choice",
            "学历要求不在列表中",
            "choose the education from the list",
            "སློབ་ཚད་ཐོ་ནས་འདེམས།",
        )
    return code or None


def _place(code: str, by: Principal) -> str:
    division = county(code).code
    by.require_covers(division, "vacancy")
    return division


def create_vacancy(
    session: Session, data: VacancyIn, by: Principal, today: dt.date | None = None
) -> EmVacancy:
    """A draft vacancy (the posting rules run when it is published)."""
    employer = employer_for(session, by, data.employer_id)
    division = _place(data.division_code, by)
    lo, hi = _wages(data.wage_min, data.wage_max)
    vacancy = EmVacancy(
        employer_id=employer.id,
        division_code=division,
        title=data.title,
        occupation=data.occupation[:10],
        count=data.count,
        filled=0,
        wage_min=lo,
        wage_max=hi,
        education=_education(data.education),
        skills=json.dumps(data.skills, ensure_ascii=False),
        languages=json.dumps(data.languages, ensure_ascii=False),
        requirements=data.requirements,
        closing_on=data.closing_on,
        state="draft",
        created_by=by.actor,
    )
    session.add(vacancy)
    session.flush()
    audit.record(
        session, by, "create", "em_vacancy", vacancy.id, division, {"employer_id": employer.id}
    )
    return vacancy


def _finish(
    session: Session,
    v: EmVacancy,
    step: Step,
    before: str,
    by: Principal,
    today: dt.date | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The step's event (checked against the table) as its audit entry."""
    event = VACANCY.finish(step, before, v.state, by, today or dt.date.today(), reason)
    session.flush()
    audit.record(
        session,
        by,
        event.action,
        "em_vacancy",
        v.id,
        v.division_code,
        {"from": event.from_state, "to": event.to_state, **(detail or {})},
    )


def update_vacancy(
    session: Session, vacancy_id: int, patch: VacancyPatch, by: Principal
) -> EmVacancy:
    """Change a draft or refused vacancy; it becomes a draft again."""
    v = get_vacancy(session, vacancy_id, by, for_update=True)
    before, step = v.state, VACANCY.begin(v.state, "edit", by)
    changes = patch.model_dump(exclude_none=True)
    division = _place(patch.division_code, by) if patch.division_code is not None else None
    lo, hi = _wages(
        patch.wage_min if patch.wage_min is not None else money.to_str(v.wage_min),
        patch.wage_max if patch.wage_max is not None else money.to_str(v.wage_max),
    )
    education = _education(patch.education) if patch.education is not None else v.education
    for name in ("title", "count", "requirements", "closing_on"):
        if name in changes:
            setattr(v, name, changes[name])
    if patch.occupation is not None:
        v.occupation = patch.occupation[:10]
    if patch.skills is not None:
        v.skills = json.dumps(patch.skills, ensure_ascii=False)
    if patch.languages is not None:
        v.languages = json.dumps(patch.languages, ensure_ascii=False)
    if division is not None:
        v.division_code = division
    v.wage_min, v.wage_max, v.education = lo, hi, education
    v.state, v.refusal = "draft", None
    _finish(session, v, step, before, by, detail={"fields": sorted(changes)})
    return v


def check(session: Session, v: EmVacancy, today: dt.date) -> list[Problem]:
    """Every posting rule ``v`` breaks on ``today`` (empty: it may be published)."""
    posting = Posting(
        title=v.title,
        occupation_known=v.occupation in occupations.table(),
        count=v.count,
        wage_min=v.wage_min,
        wage_max=v.wage_max,
        division_code=v.division_code,
        requirements=f"{v.requirements}\n{' '.join(json.loads(v.skills or '[]'))}",
        closing_on=v.closing_on,
        employer_known=session.get(Employer, v.employer_id) is not None,
    )
    return posting_problems(posting, today, limits(today, v.division_code))


def publish(
    session: Session, vacancy_id: int, by: Principal, today: dt.date | None = None
) -> EmVacancy:
    """Publish a draft (or a refused vacancy, edited or not) if the rules pass; otherwise a 422
    with every reason, and the vacancy is kept ``refused`` with them (nothing published)."""
    today = today or dt.date.today()
    v = get_vacancy(session, vacancy_id, by, for_update=True)
    before, step = v.state, VACANCY.begin(v.state, "publish", by)
    problems = check(session, v, today)
    if problems:
        reasons = [p.to_dict() for p in problems]
        try:
            raise_all(problems)
        except MinshengError as err:
            err.after_rollback.append(lambda s: _refuse(s, vacancy_id, reasons, by, today))
            raise
    v.state, v.refusal = "published", None
    v.published_at = dt.datetime.now(dt.UTC)
    _finish(session, v, step, before, by, today)
    return v


def _refuse(
    session: Session,
    vacancy_id: int,
    reasons: list[dict[str, str]],
    by: Principal,
    today: dt.date,
) -> None:
    v = session.get(EmVacancy, vacancy_id)
    if v is None or v.state not in EDITABLE:
        return
    before, step = v.state, VACANCY.step("publish")
    v.state = "refused"
    v.refusal = json.dumps(reasons, ensure_ascii=False)
    rules = [f"{r['field']}/{r['rule']}" for r in reasons]
    _finish(session, v, step, before, by, today, detail={"rules": rules})


def refusal(v: EmVacancy) -> list[dict[str, str]]:
    """The reasons a refused vacancy was refused (field, rule, zh, bo, en)."""
    return list(json.loads(v.refusal)) if v.refusal else []


def close_vacancy(
    session: Session, vacancy_id: int, by: Principal, today: dt.date | None = None
) -> EmVacancy:
    """The employer (or staff) closes a draft, refused or published vacancy."""
    v = get_vacancy(session, vacancy_id, by, for_update=True)
    close(session, v, "close", by, today)
    return v


def close(
    session: Session, v: EmVacancy, action: str, by: Principal, today: dt.date | None = None
) -> None:
    """Close ``v`` by the step ``action``: ``close`` (its employer), ``fill`` (the last place
    filled) or ``expire`` (past its closing date)."""
    before, step = v.state, VACANCY.begin(v.state, action, by)
    v.state = "closed"
    _finish(session, v, step, before, by, today)


def take_down(session: Session, vacancy_id: int, reason: str, by: Principal) -> EmVacancy:
    """A supervisor takes a published vacancy down, with the reason (``employment:run``)."""
    v = get_vacancy(session, vacancy_id, by, for_update=True)
    before, step = v.state, VACANCY.begin(v.state, "take_down", by, reason=reason)
    v.state = "taken_down"
    v.refusal = json.dumps(
        [{"field": "state", "rule": "taken_down", "zh": reason, "bo": reason, "en": reason}],
        ensure_ascii=False,
    )
    _finish(session, v, step, before, by, reason=reason, detail={"reason": reason})
    return v


def close_due(session: Session, today: dt.date, by: Principal) -> int:
    """Close every published vacancy past its closing date or filled; how many were closed."""
    rows = session.scalars(
        visible(
            select(EmVacancy)
            .where(EmVacancy.state == "published")
            .where((EmVacancy.closing_on < today) | (EmVacancy.filled >= EmVacancy.count))
            .order_by(EmVacancy.id)
            .with_for_update(),
            by,
        )
    ).all()
    for v in rows:
        close(session, v, "fill" if v.filled >= v.count else "expire", by, today)
    return len(rows)


__all__ = [
    "EDITABLE",
    "STATE_LABELS",
    "check",
    "close",
    "close_due",
    "close_vacancy",
    "create_vacancy",
    "employer_for",
    "employer_of",
    "get_vacancy",
    "is_open",
    "is_recruiter",
    "limits",
    "listing",
    "missing",
    "publish",
    "published",
    "refusal",
    "take_down",
    "update_vacancy",
    "visible",
]
