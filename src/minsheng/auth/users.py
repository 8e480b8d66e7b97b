"""Staff accounts (用户) and their roles: a password of at least MIN_PASSWORD characters, a
role and a region; a role that reads personal data (or an admin's) is granted only when a second
admin approves it (双人授权), so no single admin can give anyone access to residents' records."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth.callers import forget_all
from minsheng.auth.credentials import hasher, now
from minsheng.auth.models import RoleGrant, User
from minsheng.core import divisions
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import ALL_PERMISSIONS, PERMISSIONS, STAFF_ROLES, Principal

MIN_PASSWORD = 10


# Permissions that read no person's record. Every other one — including any a programme adds
# later — counts as personal data: a token carrying it is minted only by its own user or for a
# service account, and a role holding it is granted only with a second admin's approval.
NON_PERSONAL = frozenset({"users:admin", "aggregates:read", "audit:read"})
PERSON_DATA = ALL_PERMISSIONS - NON_PERSONAL


def reads_personal_data(role: str) -> bool:
    return bool(PERMISSIONS.get(role, frozenset()) & PERSON_DATA)


def needs_second_admin(role: str) -> bool:
    """Roles granted only with a second admin's approval: those that read personal data, and
    the admin role itself (else one admin could make the second admin who approves)."""
    return role == "admin" or reads_personal_data(role)


# ----------------------------------------------------------------------------- users


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise invalid(
            "password",
            "password_short",
            f"密码至少{MIN_PASSWORD}个字符",
            f"a password has at least {MIN_PASSWORD} characters",
            bo=f"གསང་ཨང་ལ་ཡིག་འབྲུ་ {MIN_PASSWORD} ཡན་དགོས།",
        )
    return hasher.hash(password)


def check_role(by: Principal, role: str, region: str) -> divisions.Division:
    """A staff role and the division it holds in, inside the caller's region (else 422/403)."""
    if role not in STAFF_ROLES:
        raise invalid(
            "role",
            "role_unknown",
            f"角色无效：{role}",
            f"unknown staff role {role!r} (one of: {', '.join(STAFF_ROLES)})",
            bo="ལས་འགན་ནོར་འདུག",
        )
    division = divisions.get(region, "region")
    by.require_covers(division.code, "user")
    return division


def create_user(
    session: Session,
    by: Principal,
    username: str,
    password: str,
    role: str,
    region: str,
    display_name: str | None = None,
    service_account: bool = False,
) -> User:
    """A staff account. A role that reads personal data (or an admin's) asked for by anyone
    but the platform itself (the operator's CLI, ``system``) makes an inactive account and a
    pending :class:`RoleGrant` that a different admin must approve (``decide_grant``)."""
    division = check_role(by, role, region)
    name = username.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise invalid(
            "username",
            "username_format",
            "用户名只能包含字母、数字和 . _ -",
            "a username has letters, digits and . _ - only",
            bo="སྤྱོད་མཁན་གྱི་མིང་ལ་དབྱིན་ཡིག་དང་ཨང་ཀི། . _ - ཁོ་ན་ཆོག",
        )
    if session.scalar(select(User.id).where(User.username == name)):
        raise ConflictError(
            "username",
            "duplicate",
            "用户名已存在",
            "this username exists",
            bo="སྤྱོད་མཁན་གྱི་མིང་འདི་ཡོད་ཟིན།",
        )
    pending = by.kind != "system" and needs_second_admin(role)
    user = User(
        username=name,
        display_name=display_name or name,
        role=role,
        region_code=division.code,
        # a service account never signs in: its password is random and thrown away
        password_hash=hash_password(secrets.token_urlsafe(32) if service_account else password),
        active=not pending,
        service_account=service_account,
    )
    session.add(user)
    session.flush()
    detail: dict[str, Any] = {"role": role}
    if service_account:
        detail["service_account"] = True
    audit.record(session, by, "create", "user", user.id, division.code, detail)
    if pending:
        request_grant(session, by, user.id, role, division.code)
    return user


def request_grant(
    session: Session, by: Principal, user_id: int, role: str, region_code: str
) -> RoleGrant:
    """Ask for a second administrator's approval of ``role`` in ``region_code`` for the user
    (maker–checker: the asker cannot approve it). Audited."""
    grant = RoleGrant(
        user_id=user_id,
        role=role,
        region_code=region_code,
        state="pending",
        requested_by=by.actor,
        requested_by_user=by.user_id,
        requested_at=now(),
    )
    session.add(grant)
    session.flush()
    audit.record(session, by, "request", "role_grant", grant.id, region_code, {"role": role})
    return grant


def pending_grant_of(session: Session, user_id: int) -> RoleGrant | None:
    return session.scalar(
        select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.state == "pending")
    )


def pending_grants(session: Session, by: Principal) -> list[RoleGrant]:
    rows = session.scalars(
        select(RoleGrant).where(RoleGrant.state == "pending").order_by(RoleGrant.id)
    ).all()
    return [g for g in rows if by.covers(g.region_code)]


def decide_grant(session: Session, by: Principal, grant_id: int, approve: bool) -> RoleGrant:
    """A second admin approves (the account opens) or rejects (it stays closed) a grant. The
    admin who asked for it cannot decide it, through a session or a token alike."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFoundError(
            "grant_id", f"授权申请{grant_id}不存在", f"no role grant {grant_id}", bo=""
        )
    by.require_covers(grant.region_code, "user")
    if grant.state != "pending":
        raise ConflictError(
            "grant_id",
            "decided",
            f"该授权申请已{'批准' if grant.state == 'approved' else '拒绝'}",
            f"this role grant is already {grant.state}",
        )
    if by.kind != "system" and (by.user_id is None or by.user_id == grant.requested_by_user):
        raise ForbiddenError(
            "grant_id",
            "same_admin",
            "授权申请须由另一名管理员批准",
            "a role grant is decided by a different admin than the one who asked for it",
            bo="དབང་ཚད་ཞུ་ཡིག་དེ་དོ་དམ་པ་གཞན་ཞིག་གིས་ཆོག་མཆན་སྤྲོད་དགོས།",
        )
    user = session.get(User, grant.user_id)
    assert user is not None
    grant.state = "approved" if approve else "rejected"
    grant.decided_by, grant.decided_by_user, grant.decided_at = by.actor, by.user_id, now()
    if (grant.role, grant.region_code) != (user.role, user.region_code):
        # a change of an account's role or region: applied when approved, else nothing moves
        if approve:
            user.role, user.region_code = grant.role, grant.region_code
    else:  # an account waiting to open (new, or opened again)
        user.active = approve
    audit.record(
        session,
        by,
        "approve" if approve else "reject",
        "role_grant",
        grant.id,
        grant.region_code,
        {"role": grant.role, "user": user.id, "requested_by": grant.requested_by},
    )
    forget_all(session)
    return grant
