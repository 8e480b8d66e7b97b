"""Hire filings (用工登记备案): an employer files each person it hires within
``employment.labour.hire_filing_days`` calendar days of the hire (就业服务与就业管理规定 art. 62:
"录用之日起30日内" — calendar days, so ``file_by = hired_on + days``).

A hire is recorded ``due`` (known, not yet filed) or filed at once; filing a hire of a vacancy
fills one of its places under a row lock on the vacancy, so concurrent filings never take the
count below zero or above the places offered; the last place closes the vacancy. The person is
the registry's, found by the keyed hash of the ID number (never stored or logged here). A due
hire past ``file_by`` is overdue: listed for the caseworker (:func:`overdue`).

Other areas read :func:`hired_between` (training placement) and :func:`hires_by_month`
(statistics).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.cases.engine import Step
from minsheng.core import ids
from minsheng.core.errors import ConflictError, NotFoundError, invalid
from minsheng.employment import occupations
from minsheng.employment import vacancies as vac
from minsheng.employment.vacancy_models import EmHire, EmVacancy
from minsheng.employment.vacancy_workflow import HIRE, VACANCY
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.registry.existence import find_by_id_number
from minsheng.registry.models import Person

EARLIEST = dt.date(2008, 1, 1)  # the filing rule's first day: no hire before it is filed here
STATE_LABELS = {
    "due": ("待备案", "ཐོ་འགོད་བྱ་རྒྱུ།", "to file"),
    "filed": ("已备案", "ཐོ་འགོད་བྱས།", "filed"),
}


def filing_days(day: dt.date, division: str) -> int:
    return int(load().at(day, division)["employment.labour.hire_filing_days"])  # type: ignore[arg-type]


def deadline(hired_on: dt.date, division: str) -> dt.date:
    """The last day to file a hire of ``hired_on`` (calendar days, art. 62)."""
    return hired_on + dt.timedelta(days=filing_days(hired_on, division))


def is_late(h: EmHire) -> bool:
    """Filed after its deadline (or still due past it, if today is given elsewhere)."""
    return h.filed_on is not None and h.filed_on > h.file_by


def missing() -> NotFoundError:
    return NotFoundError("hire_id", "没有这条用工备案", "no such hire", "ལས་བཅོལ་ཐོ་འགོད་འདི་མེད།")


def get_hire(session: Session, hire_id: int, by: Principal, for_update: bool = False) -> EmHire:
    query = vac.visible(select(EmHire).where(EmHire.id == hire_id), by, EmHire)
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise missing()
    return row  # type: ignore[no-any-return]


def _person(session: Session, id_number: str) -> Person:
    number = ids.parse_resident_id(id_number, "id_number").number
    person = find_by_id_number(session, number)
    if person is None:
        raise invalid(
            "id_number",
            "not_registered",
            "该身份证号尚未在人员库登记，请先登记身份",
            "no registered person has this ID number: register the identity first",
            "ཐོ་འགོད་བྱས་པའི་མི་འདི་མེད།",
        )
    return person


def _fill(session: Session, vacancy_id: int, by: Principal, today: dt.date) -> EmVacancy:
    """Take one place of the vacancy (the row locked); the last place closes it."""
    v = session.scalar(select(EmVacancy).where(EmVacancy.id == vacancy_id).with_for_update())
    if v is None:
        raise vac.missing()
    session.refresh(v)  # the locked row as committed, not an older copy in the session
    if v.state not in ("published", "closed") or v.filled >= v.count:
        raise ConflictError(
            "vacancy_id",
            "no_place",
            "该岗位已无空缺（或未发布），请不选岗位备案",
            "the vacancy has no place left (or is not published): file without it",
            "ལས་གནས་འདིར་སྟོང་ཆ་མེད།",
        )
    last = v.filled + 1 >= v.count and v.state == "published"
    if last:
        VACANCY.begin(v.state, "fill", by)  # refused before anything changes
    v.filled += 1
    session.flush()
    if last:
        vac.close(session, v, "fill", by, today)
    return v


def duplicate_hire() -> ConflictError:
    return ConflictError(
        "id_number",
        "duplicate",
        "该人员在同一录用日期已备案",
        "this person's hire on that day is already recorded",
        "ཐོ་འགོད་བྱས་ཟིན།",
    )


def record_hire(
    session: Session,
    employer_id: int | None,
    id_number: str,
    vacancy_id: int | None,
    occupation: str | None,
    hired_on: dt.date,
    by: Principal,
    today: dt.date | None = None,
    file: bool = True,
) -> EmHire:
    """Record a hire by the employer (a recruiter's own); filed at once unless ``file`` is
    False (then ``due`` until :func:`file_hire`). Checked before anything is written."""
    today = today or dt.date.today()
    employer = vac.employer_for(session, by, employer_id)
    by.require_covers(employer.division_code, "hire")
    if hired_on > today:
        raise invalid(
            "hired_on",
            "future",
            "录用日期不能晚于今天",
            "the hire cannot be in the future",
            "ལས་ལ་བཅོལ་བའི་ཚེས་གྲངས་མ་འོངས་པ་མི་རུང་།",
        )
    if hired_on < EARLIEST:
        raise invalid("hired_on", "too_early", "录用日期过早", "the hire date is too early")
    vacancy = None
    if vacancy_id is not None:
        vacancy = vac.get_vacancy(session, vacancy_id, by)
        if vacancy.employer_id != employer.id:
            raise vac.missing()
    person = _person(session, id_number)
    code = occupation or (vacancy.occupation if vacancy is not None else "")
    occupations.get(code)
    twice = session.scalar(
        select(EmHire.id).where(
            EmHire.employer_id == employer.id,
            EmHire.person_id == person.id,
            EmHire.hired_on == hired_on,
        )
    )
    if twice is not None:
        raise duplicate_hire()
    step = HIRE.begin(HIRE.initial, "file", by) if file else None
    if file and vacancy is not None:  # the vacancy's row locked first (as every filing does)
        _fill(session, vacancy.id, by, today)
    hire = EmHire(
        employer_id=employer.id,
        vacancy_id=vacancy.id if vacancy is not None else None,
        person_id=person.id,
        division_code=employer.division_code,
        occupation=code,
        hired_on=hired_on,
        file_by=deadline(hired_on, employer.division_code),
        filed_on=None,
        state=HIRE.initial,
        by=by.actor,
    )
    try:  # a concurrent filing of the same hire loses here (unique employer, person, day)
        with session.begin_nested():
            session.add(hire)
            session.flush()
    except IntegrityError:  # the place filled above goes back with the request's rollback
        raise duplicate_hire() from None
    audit.record(
        session,
        by,
        "create",
        "em_hire",
        hire.id,
        hire.division_code,
        {"employer_id": employer.id, "vacancy_id": hire.vacancy_id, "file_by": str(hire.file_by)},
    )
    if step is not None:
        hire.state, hire.filed_on = "filed", today
        _filed(session, hire, step, HIRE.initial, by, today)
    return hire


def file_hire(
    session: Session, hire_id: int, by: Principal, today: dt.date | None = None
) -> EmHire:
    """File a due hire (late if past ``file_by``); fills a place of its vacancy."""
    today = today or dt.date.today()
    hire = get_hire(session, hire_id, by, for_update=True)
    before, step = hire.state, HIRE.begin(hire.state, "file", by)
    if hire.vacancy_id is not None:
        _fill(session, hire.vacancy_id, by, today)
    hire.state, hire.filed_on = "filed", today
    _filed(session, hire, step, before, by, today)
    return hire


def _filed(
    session: Session, hire: EmHire, step: Step, before: str, by: Principal, today: dt.date
) -> None:
    event = HIRE.finish(step, before, hire.state, by, today)
    session.flush()
    audit.record(
        session,
        by,
        event.action,
        "em_hire",
        hire.id,
        hire.division_code,
        {"from": before, "to": hire.state, "late": is_late(hire)},
    )


def hires(by: Principal) -> Any:
    """A select of the hires ``by`` sees, newest first."""
    return vac.visible(select(EmHire), by, EmHire).order_by(EmHire.hired_on.desc(), EmHire.id)


def due(by: Principal) -> Any:
    """A select of the due (unfiled) hires ``by`` sees, the earliest deadline first."""
    return vac.visible(select(EmHire).where(EmHire.state == "due"), by, EmHire).order_by(
        EmHire.file_by, EmHire.id
    )


def overdue(by: Principal, today: dt.date) -> Any:
    """A select of the due hires past their deadline on ``today``."""
    return due(by).where(EmHire.file_by < today)


def hired_between(
    session: Session, person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, dt.date]:
    """Each person's first recorded hire on ``start`` … ``end`` (inclusive), by person id."""
    wanted = sorted(set(person_ids))
    out: dict[int, dt.date] = {}
    for at in range(0, len(wanted), 1000):
        rows = session.execute(
            select(EmHire.person_id, func.min(EmHire.hired_on))
            .where(EmHire.person_id.in_(wanted[at : at + 1000]))
            .where(EmHire.hired_on >= start, EmHire.hired_on <= end)
            .group_by(EmHire.person_id)
        ).all()
        out.update({pid: day for pid, day in rows})
    return out


def hires_by_month(
    session: Session, codes: Iterable[str] | None, first: dt.date, last: dt.date
) -> dict[tuple[str, str], int]:
    """Hires on ``first`` … ``last`` counted by (employer's county, ``"YYYY-MM"``) — all
    counties when ``codes`` is None, else those whose county is in ``codes``."""
    query = (
        select(EmHire.division_code, EmHire.hired_on, func.count())
        .where(EmHire.hired_on >= first, EmHire.hired_on <= last)
        .group_by(EmHire.division_code, EmHire.hired_on)
    )
    if codes is not None:
        query = query.where(EmHire.division_code.in_(list(codes)))
    out: dict[tuple[str, str], int] = defaultdict(int)
    for code, day, n in session.execute(query).all():
        out[(code, f"{day:%Y-%m}")] += int(n)
    return dict(out)


__all__ = [
    "STATE_LABELS",
    "deadline",
    "due",
    "file_hire",
    "get_hire",
    "hired_between",
    "hires",
    "hires_by_month",
    "is_late",
    "overdue",
    "record_hire",
]
