"""Sign-in and credentials: staff passwords (Argon2id) with lock-out, server-side sessions,
scoped API tokens, citizens' one-time codes, and turning a credential into a Principal."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from minsheng.auth import audit
from minsheng.auth.crypto import lookup_hash
from minsheng.auth.models import ApiToken, LoginSession, OtpChallenge, User
from minsheng.auth.otp import OtpSender
from minsheng.auth.permissions import (
    ALL_PERMISSIONS,
    ANONYMOUS,
    PERMISSIONS,
    ROLES,
    STAFF_ROLES,
    Principal,
    staff,
)
from minsheng.core import divisions, ids
from minsheng.core.errors import ConflictError, ForbiddenError, MinshengError, invalid
from minsheng.registry.models import Person

# Security settings (not policy figures): how many tries, how long things live.
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
OTP_LIFETIME = dt.timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5
OTP_DIGITS = 6
MIN_PASSWORD = 10

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands datetimes back without a zone; they are stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class SignInError(MinshengError):
    def __init__(self, rule: str, zh: str, en: str, status: int = 401) -> None:
        super().__init__(field="credentials", rule=rule, zh=zh, en=en, status=status)


# ----------------------------------------------------------------------------- users


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise invalid(
            "password",
            "password_short",
            f"密码至少{MIN_PASSWORD}个字符",
            f"a password has at least {MIN_PASSWORD} characters",
        )
    return _hasher.hash(password)


def create_user(
    session: Session,
    by: Principal,
    username: str,
    password: str,
    role: str,
    region: str,
    display_name: str | None = None,
) -> User:
    if role not in STAFF_ROLES:
        raise invalid(
            "role",
            "role_unknown",
            f"角色无效：{role}",
            f"unknown staff role {role!r} (one of: {', '.join(STAFF_ROLES)})",
        )
    division = divisions.get(region, "region")
    by.require_covers(division.code, "user")
    name = username.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise invalid(
            "username",
            "username_format",
            "用户名只能包含字母、数字和 . _ -",
            "a username has letters, digits and . _ - only",
        )
    if session.scalar(select(User.id).where(User.username == name)):
        raise ConflictError("username", "duplicate", "用户名已存在", "this username exists")
    user = User(
        username=name,
        display_name=display_name or name,
        role=role,
        region_code=division.code,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    audit.record(session, by, "create", "user", user.id, division.code, {"role": role})
    return user


def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """Check a staff password. Counts failures and locks the account after too many."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    failure = SignInError("bad_credentials", "用户名或密码不正确", "wrong username or password")
    if user is None or not user.active:
        _spend_like_a_check(password)  # unknown users take as long as known ones
        raise failure
    locked = _aware(user.locked_until)
    if locked and locked > now():
        raise SignInError(
            "locked",
            f"登录失败次数过多，账户已锁定至{locked:%H:%M} (UTC)",
            f"too many failed sign-ins; the account is locked until {locked:%H:%M} UTC",
            status=423,
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        by = Principal(kind="anonymous", name=user.username, ip=ip)
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now() + LOCKOUT
            user.failed_logins = 0
            audit.record(session, by, "lock", "user", user.id, user.region_code)
        else:
            audit.record(session, by, "login_failed", "user", user.id, user.region_code)
        session.commit()
        raise failure from None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _spend_like_a_check(password: str) -> None:
    with suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)


# ----------------------------------------------------------------------------- caller cache

# Who a credential belongs to, remembered for a few seconds so that most requests resolve their
# caller without a database round trip. Revoking a token or closing a session forgets it at once
# in this process; other processes forget it within CALLER_TTL.
CALLER_TTL = 10.0
_callers: dict[str, tuple[float, Principal]] = {}


def remembered(kind: str, raw: str, ip: str | None) -> Principal | None:
    hit = _callers.get(f"{kind}:{sha256(raw)}")
    if hit is None or hit[0] < time.monotonic():
        return None
    return replace(hit[1], ip=ip)


def remember(kind: str, raw: str, principal: Principal) -> None:
    if len(_callers) > 50_000:
        _callers.clear()
    _callers[f"{kind}:{sha256(raw)}"] = (time.monotonic() + CALLER_TTL, principal)


def forget_all() -> None:
    _callers.clear()


# ----------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class NewSession:
    token: str  # goes in the cookie; never stored
    record: LoginSession


def open_session(
    session: Session,
    hours: int,
    user: User | None = None,
    person: Person | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    token = secrets.token_urlsafe(32)
    rec = LoginSession(
        token_hash=sha256(token),
        user_id=user.id if user else None,
        person_id=person.id if person else None,
        created_at=now(),
        expires_at=now() + dt.timedelta(hours=hours),
        ip=ip,
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(rec)
    session.flush()
    who = staff_principal(user, ip) if user else citizen_principal(person, ip)  # type: ignore[arg-type]
    audit.record(session, who, "login", "session", rec.id, who.region)
    return NewSession(token, rec)


def close_session(session: Session, token: str, by: Principal) -> None:
    rec = session.scalar(select(LoginSession).where(LoginSession.token_hash == sha256(token)))
    forget_all()
    if rec is not None and rec.revoked_at is None:
        rec.revoked_at = now()
        audit.record(session, by, "logout", "session", rec.id, by.region)


def staff_principal(user: User, ip: str | None = None) -> Principal:
    return staff(user.id, user.username, user.role, user.region_code, ip=ip)


def citizen_principal(person: Person, ip: str | None = None) -> Principal:
    return Principal(
        kind="citizen",
        name=f"person:{person.id}",
        role="citizen",
        region=person.division_code,
        permissions=PERMISSIONS["citizen"],
        person_id=person.id,
        ip=ip,
    )


def principal_from_session(session: Session, token: str | None, ip: str | None) -> Principal:
    if not token:
        return ANONYMOUS
    rec = session.scalar(select(LoginSession).where(LoginSession.token_hash == sha256(token)))
    expires = _aware(rec.expires_at) if rec else None
    if rec is None or rec.revoked_at is not None or expires is None or expires <= now():
        return ANONYMOUS
    if rec.user_id is not None:
        user = session.get(User, rec.user_id)
        if user is None or not user.active:
            return ANONYMOUS
        return staff_principal(user, ip)
    person = session.get(Person, rec.person_id)
    return citizen_principal(person, ip) if person else ANONYMOUS


# ----------------------------------------------------------------------------- API tokens

TOKEN_PREFIX = "msk_"


def create_token(
    session: Session,
    by: Principal,
    user_id: int,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
) -> tuple[str, ApiToken]:
    """A bearer token for ``user_id``; its permissions are the owner's role's, narrowed to
    ``scopes``. Returns the token once; only its hash is kept."""
    user = session.get(User, user_id)
    if user is None:
        raise invalid("user_id", "not_found", f"用户{user_id}不存在", f"no user {user_id}")
    by.require_covers(user.region_code, "user")
    unknown = sorted(set(scopes) - ALL_PERMISSIONS)
    if unknown or not scopes:
        raise invalid(
            "scopes",
            "scope_unknown",
            f"未知的权限范围：{', '.join(unknown) or '（空）'}",
            f"unknown scopes: {', '.join(unknown) or '(none)'}; "
            f"known: {', '.join(sorted(ALL_PERMISSIONS))}",
        )
    beyond = sorted(set(scopes) - PERMISSIONS[user.role])
    if beyond:
        raise ForbiddenError(
            "scopes",
            "scope_beyond_role",
            f"权限范围超出该用户角色：{', '.join(beyond)}",
            f"scopes beyond the owner's role {user.role}: {', '.join(beyond)}",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip()[:100] or "token",
        token_hash=sha256(raw),
        prefix=raw[:12],
        user_id=user.id,
        scopes=" ".join(sorted(set(scopes))),
        created_at=now(),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session, by, "create", "api_token", token.id, user.region_code, {"scopes": token.scopes}
    )
    return raw, token


def revoke_token(session: Session, by: Principal, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise invalid("token_id", "not_found", f"令牌{token_id}不存在", f"no token {token_id}")
    owner = session.get(User, token.user_id)
    by.require_covers(owner.region_code if owner else None, "user")
    token.revoked_at = now()
    forget_all()
    audit.record(session, by, "revoke", "api_token", token.id, owner.region_code if owner else None)
    return token


def principal_from_token(session: Session, raw: str, ip: str | None) -> Principal | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(raw)))
    if token is None or token.revoked_at is not None:
        return None
    expires = _aware(token.expires_at)
    if expires is not None and expires <= now():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return staff(
        user.id,
        f"{user.username}/{token.name}",
        user.role,
        user.region_code,
        scopes=frozenset(token.scopes.split()),
        token_id=token.id,
        ip=ip,
    )


# ----------------------------------------------------------------------------- one-time codes


def _code_hash(challenge_id_hash: str, code: str) -> str:
    return lookup_hash(f"otp:{challenge_id_hash}:{code}")


def send_code(session: Session, id_number: str, sender: OtpSender) -> OtpChallenge | None:
    """Send a one-time code to the person with this ID number.

    Answers the same whether or not the person is registered (no enumeration); returns the
    challenge for registered people only.
    """
    parsed = ids.parse_resident_id(id_number)
    id_hash = lookup_hash(parsed.number)
    person = session.scalar(select(Person).where(Person.id_hash == id_hash))
    if person is None:
        return None
    code = "".join(secrets.choice("0123456789") for _ in range(OTP_DIGITS))
    challenge = OtpChallenge(
        id_hash=id_hash,
        code_hash=_code_hash(id_hash, code),
        created_at=now(),
        expires_at=now() + OTP_LIFETIME,
        attempts=0,
    )
    session.add(challenge)
    session.flush()
    sender.send(person.phone, person.id, code)
    return challenge


def verify_code(session: Session, id_number: str, code: str) -> Person:
    failure = SignInError("bad_code", "验证码不正确或已过期", "the code is wrong or has expired")
    try:
        parsed = ids.parse_resident_id(id_number)
    except MinshengError:
        raise failure from None
    id_hash = lookup_hash(parsed.number)
    challenge = session.scalar(
        select(OtpChallenge)
        .where(OtpChallenge.id_hash == id_hash, OtpChallenge.used_at.is_(None))
        .order_by(OtpChallenge.id.desc())
        .limit(1)
    )
    expires = _aware(challenge.expires_at) if challenge else None
    if challenge is None or expires is None or expires <= now():
        raise failure
    if challenge.attempts >= OTP_MAX_ATTEMPTS:
        raise SignInError(
            "too_many_attempts",
            "尝试次数过多，请重新获取验证码",
            "too many tries; ask for a new code",
            429,
        )
    challenge.attempts += 1
    if not hmac.compare_digest(challenge.code_hash, _code_hash(id_hash, code.strip())):
        session.commit()
        raise failure
    challenge.used_at = now()
    person = session.scalar(select(Person).where(Person.id_hash == id_hash))
    if person is None:
        raise failure
    return person


def role_label(role: str, lang: str = "zh") -> str:
    zh, bo, en = ROLES[role]
    return {"zh": zh, "bo": bo, "en": en}.get(lang, zh)
