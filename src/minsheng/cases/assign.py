"""Assignment (分派) of a case or warning to a caseworker: the assignee must be an active staff
account that may take the workflow's steps and whose region covers the record."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.models import User
from minsheng.auth.service import staff_principal
from minsheng.core.errors import invalid


def assignee(session: Session, username: str, division_code: str, permission: str) -> str:
    """The accountable name (``user:N``) of ``username``, if they may work a record in
    ``division_code`` (active, holding ``permission``, their region covering it)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or user.service_account:
        raise invalid("assignee", "unknown_user", "没有该经办人员", "no such staff member")
    who = staff_principal(user)
    if not who.can(permission) or not who.covers(division_code):
        raise invalid(
            "assignee",
            "cannot_work",
            "该人员无权办理此地区的此类事项",
            "this staff member cannot work this record (role or region)",
        )
    return who.actor
