"""Which employer a firm's staff user acts for (``employer_users``): the contractor's wage
officer in wage protection, the employer's recruiter in employment services. A programme
scopes such a user's reads and writes to that employer's records; an unbound user acts for no
employer and sees nothing of any."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.models import EmployerUser
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

FIRM_ROLES = ("contractor", "employer")  # the roles that act for one employer


def employer_of(session: Session, user_id: int | None) -> int | None:
    """The employer the user acts for, or None (not bound, or no user)."""
    if user_id is None:
        return None
    return session.scalar(select(EmployerUser.employer_id).where(EmployerUser.user_id == user_id))


def users_of_employer(employer_id: Any) -> Any:
    """A subquery of the user ids acting for ``employer_id`` (a value or a column)."""
    return select(EmployerUser.user_id).where(EmployerUser.employer_id == employer_id)


def bind(session: Session, user_id: int, employer_id: int, by: Principal) -> EmployerUser:
    """Bind the user to the employer (replacing an earlier binding). Audited."""
    row = session.scalar(select(EmployerUser).where(EmployerUser.user_id == user_id))
    if row is None:
        row = EmployerUser(user_id=user_id, employer_id=employer_id)
        session.add(row)
    else:
        row.employer_id = employer_id
    session.flush()
    audit.record(session, by, "bind", "employer_user", row.id, None, {"employer_id": employer_id})
    return row


__all__ = ["FIRM_ROLES", "bind", "employer_of", "users_of_employer"]
