"""What other packages may ask of pensions (the published writes): claim a pension, stop or
start a person's employee-scheme enrolments (or end the one a project began), read a person's
award. The one-visit bundles (``minsheng.bundles``) and wage protection call these; each is
the pensions use case itself, with its checks, its region scope and its audit entries —
nothing here bypasses them.

Each returns plain data (dicts of text and integers), never a table row, so a caller holds no
pensions record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.foundation.principals import Principal
from minsheng.pensions import awards, death, enrolment
from minsheng.pensions.models import EMPLOYEE_SCHEMES, PnEnrolment
from minsheng.pensions.schemas import ClaimIn, EnrolIn


def claim_pension(
    session: Session,
    person_id: int,
    by: Principal,
    *,
    scheme: str = "employee_pension",
    category: str = "worker",
    start: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Award the pension (``awards.claim``: the amount with its parts; the scheme's
    contributions end the day before the first month paid). Adds ``first_day``."""
    award = awards.claim(
        session,
        ClaimIn(person_id=person_id, scheme=scheme, start=start, category=category),
        by,
        today=today,
    )
    out = awards.award_out(award)
    out["first_day"] = awards.first_day(awards.month_of(award.start_month)).isoformat()
    return out


def award_of(session: Session, person_id: int) -> dict[str, Any] | None:
    """The person's award, if any (the caller has checked who may see the person)."""
    award = awards.award_of(session, person_id)
    return awards.award_out(award) if award is not None else None


def _open_on(session: Session, person_id: int, schemes: tuple[str, ...], day: dt.date) -> list[Any]:
    rows = session.scalars(
        select(PnEnrolment)
        .where(PnEnrolment.person_id == person_id, PnEnrolment.scheme.in_(schemes))
        .order_by(PnEnrolment.id)
    ).all()
    return [e for e in rows if e.start_date <= day and (e.end_date is None or e.end_date > day)]


def stop_employee_schemes(
    session: Session, person_id: int, last: dt.date, by: Principal
) -> list[dict[str, Any]]:
    """End every employee-scheme enrolment (pension, work injury, unemployment) still open
    after ``last``, on ``last`` (its last day): contributions stop at retirement."""
    ended = []
    for e in _open_on(session, person_id, EMPLOYEE_SCHEMES, last):
        ended.append(enrolment.enrolment_out(enrolment.end_enrolment(session, e.id, last, by)))
    return ended


def end_scheme_started(
    session: Session, person_id: int, scheme: str, started: dt.date, last: dt.date, by: Principal
) -> dict[str, Any] | None:
    """End on ``last`` the person's open ``scheme`` enrolment that began on ``started`` (work
    injury insured by project ends when the worker leaves the project), if there is one."""
    for e in _open_on(session, person_id, (scheme,), last):
        if e.start_date == started:
            return enrolment.enrolment_out(enrolment.end_enrolment(session, e.id, last, by))
    return None


def end_resident_pension(
    session: Session, person_id: int, last: dt.date, by: Principal
) -> dict[str, Any] | None:
    """End the person's open resident-pension enrolment on ``last`` (a hire moves the person
    into the employee scheme: one pension scheme at a time), if there is one."""
    for e in _open_on(session, person_id, ("resident_pension",), last):
        return enrolment.enrolment_out(enrolment.end_enrolment(session, e.id, last, by))
    return None


def enrol_employee(
    session: Session,
    person_id: int,
    scheme: str,
    credit_code: str,
    wage: str,
    start: dt.date,
    by: Principal,
) -> dict[str, Any]:
    """Enrol an employee in one employee scheme through the employer (``enrolment.enrol``:
    the base clamped to the floor and ceiling, overlaps refused)."""
    row = enrolment.enrol(
        session,
        EnrolIn(
            person_id=person_id,
            scheme=scheme,
            credit_code=credit_code,
            wage=wage,
            start_date=start,
        ),
        by,
    )
    return enrolment.enrolment_out(row)


def settle_death(
    session: Session, person_id: int, died_on: dt.date, by: Principal, today: dt.date | None = None
) -> dict[str, Any]:
    """Settle an insured person's death (``death.settle_death``): the award terminated from the
    day after, the overpayment and its recovery case, the funeral grant, the survivors'
    allowance and the inheritable account balance, the overpayment deducted from those first.
    Amounts as yuan text and, beside them, fen (``*_fen``)."""
    settled = death.settle_death(session, person_id, died_on, by, today=today)
    out = settled.to_dict()
    out.update(
        overpaid_fen=settled.overpaid,
        funeral_grant_fen=settled.funeral_grant,
        survivors_allowance_fen=settled.survivors_allowance,
        inheritable_balance_fen=settled.inheritable_balance,
        net_survivors_allowance_fen=settled.net_survivors_allowance,
        net_inheritable_balance_fen=settled.net_inheritable_balance,
        owed_by_heirs_fen=settled.owed_by_heirs,
    )
    return out
