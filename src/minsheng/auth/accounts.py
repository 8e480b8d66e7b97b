"""What an administrator does to an existing staff account besides its tokens: disable it,
open it again, give it a new password. Each closes the account's open sessions and is audited.

Opening again a role that reads personal data (or an admin's) is a new role grant, decided by a
second admin as at creation (:mod:`minsheng.auth.users`): disabling and re-enabling cannot be
used by one admin to hand out access alone.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from minsheng.auth.callers import forget_all
from minsheng.auth.credentials import now
from minsheng.auth.models import LoginSession, RoleGrant, User
from minsheng.auth.users import (
    check_role,
    hash_password,
    needs_second_admin,
    pending_grant_of,
    request_grant,
)
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal


def get_user(session: Session, user_id: int, by: Principal) -> User:
    """A staff account in the caller's region (elsewhere it answers as missing)."""
    user = session.get(User, user_id)
    if user is None or not by.covers(user.region_code):
        raise NotFoundError(
            "user_id", f"用户{user_id}不存在", f"no user {user_id}", bo="སྤྱོད་མཁན་འདི་མི་འདུག"
        )
    return user


def _close_sessions(session: Session, user: User) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    forget_all(session)


def disable_user(session: Session, by: Principal, user_id: int) -> User:
    """Close the account: it cannot sign in, its sessions end, its tokens stop working."""
    user = get_user(session, user_id, by)
    if by.user_id == user.id:
        raise ForbiddenError(
            "user_id",
            "self",
            "不能停用自己的账户",
            "you cannot disable your own account",
            bo="རང་ཉིད་ཀྱི་ཐོ་ཁོངས་བཀག་མི་ཆོག",
        )
    if not user.active:
        raise ConflictError(
            "user_id",
            "inactive",
            "该账户已停用",
            "this account is already disabled",
            bo="ཐོ་ཁོངས་འདི་སྔོན་ནས་བཀག་ཟིན།",
        )
    user.active = False
    _close_sessions(session, user)
    audit.record(session, by, "disable", "user", user.id, user.region_code)
    return user


def enable_user(session: Session, by: Principal, user_id: int) -> RoleGrant | None:
    """Open a disabled account again: at once for a role that reads no personal data, else
    through a new role grant a different admin decides (returned)."""
    user = get_user(session, user_id, by)
    pending = pending_grant_of(session, user.id)
    if user.active or pending is not None:
        raise ConflictError(
            "user_id",
            "active" if user.active else "grant_pending",
            "该账户已启用" if user.active else "该账户已在等待另一名管理员批准",
            "this account is active"
            if user.active
            else "this account already awaits a second admin's approval",
            bo="ཐོ་ཁོངས་འདི་སྤྱོད་བཞིན་ཡོད།" if user.active else "ཐོ་ཁོངས་འདི་དོ་དམ་པ་གཞན་གྱི་ཆོག་མཆན་སྒུག་བཞིན་ཡོད།",
        )
    if by.kind != "system" and needs_second_admin(user.role):
        return request_grant(session, by, user.id, user.role, user.region_code)
    user.active = True
    forget_all(session)
    audit.record(session, by, "enable", "user", user.id, user.region_code)
    return None


def reset_password(session: Session, by: Principal, user_id: int, password: str) -> User:
    """A new password (at least MIN_PASSWORD characters); the account's sessions end."""
    user = get_user(session, user_id, by)
    if user.service_account:
        raise ConflictError(
            "password",
            "service_account",
            "服务账户不用密码登录",
            "a service account never signs in with a password",
            bo="ཞབས་ཞུའི་ཐོ་ཁོངས་ལ་གསང་ཨང་མི་དགོས།",
        )
    user.password_hash = hash_password(password)
    _close_sessions(session, user)
    audit.record(session, by, "reset_password", "user", user.id, user.region_code)
    return user


def change_role(
    session: Session, by: Principal, user_id: int, role: str, region: str
) -> RoleGrant | None:
    """Give an account another role or region. A role that reads personal data (or an
    admin's) waits for a different admin's approval (a pending grant, answered; the account
    keeps its role until then); any other applies now and closes the account's sessions. Not
    one's own account; not while another grant of it waits."""
    user = get_user(session, user_id, by)
    division = check_role(by, role, region)
    if by.user_id is not None and by.user_id == user.id:
        raise ForbiddenError(
            "role",
            "own_account",
            "不能更改自己的角色",
            "an admin cannot change their own role",
            bo="རང་ཉིད་ཀྱི་ལས་འགན་བསྒྱུར་མི་ཆོག",
        )
    if (role, division.code) == (user.role, user.region_code):
        raise ConflictError(
            "role",
            "unchanged",
            "角色和区域与现在相同",
            "the account already has this role in this region",
            bo="ལས་འགན་དང་ས་ཁུལ་སྔར་བཞིན་རེད།",
        )
    if pending_grant_of(session, user.id) is not None:
        raise ConflictError(
            "role",
            "grant_pending",
            "该账户已有等待批准的授权申请",
            "this account already awaits a second admin's approval",
            bo="ཐོ་ཁོངས་འདི་དོ་དམ་པ་གཞན་གྱི་ཆོག་མཆན་སྒུག་བཞིན་ཡོད།",
        )
    if by.kind != "system" and needs_second_admin(role):
        return request_grant(session, by, user.id, role, division.code)
    before = {"role": user.role, "region": user.region_code}
    user.role, user.region_code = role, division.code
    _close_sessions(session, user)
    audit.record(
        session, by, "change_role", "user", user.id, division.code, {"from": before, "role": role}
    )
    return None
