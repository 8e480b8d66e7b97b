"""Sign-in and credentials: staff passwords (Argon2id) throttled per account and address,
server-side sessions, scoped API tokens that expire, citizens' one-time codes, role grants
that need a second admin, and turning a credential into a Principal.

Nothing here answers differently for a name or an ID number that does not exist: unknown
usernames are throttled like known ones, and an unregistered ID number gets a challenge too
(with a code nobody is sent), so its tries run out exactly like a registered one's."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from minsheng.auth.models import (
    ApiToken,
    AuthThrottle,
    LoginSession,
    OtpChallenge,
    RoleGrant,
    User,
)
from minsheng.auth.otp import OtpSender
from minsheng.config import MAX_TOKEN_DAYS
from minsheng.core import divisions, ids, text
from minsheng.core.errors import (
    ConflictError,
    ForbiddenError,
    MinshengError,
    NotFoundError,
    invalid,
)
from minsheng.foundation import audit
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.principals import (
    ALL_PERMISSIONS,
    ANONYMOUS,
    PERMISSIONS,
    STAFF_ROLES,
    Principal,
    staff,
)
from minsheng.registry.models import Person

# Security settings (not policy figures): how many tries, how long things live.
LOGIN_MAX_FAILURES = 5  # per (username, address) in LOGIN_WINDOW; then 429 until it ends
LOGIN_WINDOW = dt.timedelta(minutes=15)
OTP_LIFETIME = dt.timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5  # per code, counted atomically
OTP_DIGITS = 6
MIN_PASSWORD = 10
TOKEN_LIFETIME = dt.timedelta(days=90)  # default; MINSHENG_TOKEN_DAYS sets the app's
MAX_TOKEN_LIFETIME = dt.timedelta(days=MAX_TOKEN_DAYS)

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
    def __init__(self, rule: str, zh: str, en: str, status: int = 401, bo: str = "") -> None:
        super().__init__(field="credentials", rule=rule, zh=zh, en=en, status=status, bo=bo)


# ----------------------------------------------------------------------------- throttling


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def reserve_try(
    session: Session, key: str, limit: int, window: dt.timedelta
) -> dt.timedelta | None:
    """Count one try against ``key`` before it is evaluated; None if allowed, else how long
    until the window ends. One atomic ``UPDATE … WHERE failures < limit`` per try, committed at
    once, so concurrent tries never see the same count (PostgreSQL's row lock, SQLite's write
    lock). A successful try clears the key (``clear_tries``)."""
    t = now()
    session.execute(
        _insert(session)(AuthThrottle)
        .values(key=key, failures=0, window_start=t)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key == key, AuthThrottle.window_start <= t - window)
        .values(failures=0, window_start=t)
    )
    row = session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key == key, AuthThrottle.failures < limit)
        .values(failures=AuthThrottle.failures + 1)
        .returning(AuthThrottle.failures)
    ).first()
    wait = None
    if row is None:
        start = _aware(
            session.scalar(select(AuthThrottle.window_start).where(AuthThrottle.key == key))
        )
        wait = (start or t) + window - t
    if secrets.randbelow(200) == 0:  # now and then, forget windows long over
        session.execute(delete(AuthThrottle).where(AuthThrottle.window_start < t - 4 * window))
    session.commit()
    return wait


def clear_tries(session: Session, key: str) -> None:
    session.execute(delete(AuthThrottle).where(AuthThrottle.key == key))


def login_key(username: str, ip: str | None) -> str:
    return sha256(f"login\0{username.strip().lower()}\0{ip or '-'}")


def _minutes(wait: dt.timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


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
    service_account: bool = False,
) -> User:
    """A staff account. A role that reads personal data (or an admin's) asked for by anyone
    but the platform itself (the operator's CLI, ``system``) makes an inactive account and a
    pending :class:`RoleGrant` that a different admin must approve (``decide_grant``)."""
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
        grant = RoleGrant(
            user_id=user.id,
            role=role,
            region_code=division.code,
            state="pending",
            requested_by=by.actor,
            requested_by_user=by.user_id,
            requested_at=now(),
        )
        session.add(grant)
        session.flush()
        audit.record(session, by, "request", "role_grant", grant.id, division.code, {"role": role})
    return user


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
    forget_all()
    return grant


def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """Check a staff password.

    Tries are throttled per (username, address): after LOGIN_MAX_FAILURES failures within
    LOGIN_WINDOW that pair answers 429 until the window ends — for known and unknown usernames
    alike, and without touching the account, so someone guessing from their own address cannot
    lock its owner out at theirs. Service accounts and inactive accounts never sign in.
    """
    key = login_key(username, ip)
    wait = reserve_try(session, key, LOGIN_MAX_FAILURES, LOGIN_WINDOW)
    if wait is not None:
        m = _minutes(wait)
        raise SignInError(
            "throttled",
            f"此账户从您的地址登录失败次数过多，请{m}分钟后再试",
            f"too many failed sign-ins for this account from your address; try again in {m} min",
            status=429,
            bo=f"ནང་འཛུལ་ཐེངས་མང་དྲགས་འདུག སྐར་མ་{m}རྗེས་སུ་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།",
        )
    # a name no account can have (a NUL, a control: PostgreSQL refuses NUL in a query) is
    # answered as an unknown user, without asking the database
    plausible = text.bad_character(username, text.CODE) is None and len(username) <= 64
    user = (
        session.scalar(select(User).where(User.username == username.strip())) if plausible else None
    )
    failure = SignInError("bad_credentials", "用户名或密码不正确", "wrong username or password")
    if user is None or not user.active or user.service_account:
        _spend_like_a_check(password)  # unknown users take as long as known ones
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        by = Principal(kind="anonymous", name=user.username, ip=ip)
        audit.record(session, by, "login_failed", "user", user.id, user.region_code)
        session.commit()
        raise failure from None
    clear_tries(session, key)
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
    lifetime: dt.timedelta | None = None,
) -> tuple[str, ApiToken]:
    """A bearer token for ``user_id``; its permissions are the owner's role's, narrowed to
    ``scopes``. Returns the token once; only its hash is kept.

    Every token expires: at ``expires_at`` if given (at most MAX_TOKEN_LIFETIME away), else
    after ``lifetime`` (the app passes ``MINSHENG_TOKEN_DAYS``; TOKEN_LIFETIME by default).
    A token that reads personal data is minted only by its own user or for a service account
    (whose role a second admin approved) — an admin cannot mint one for a colleague's account
    and act as them. The platform itself (the operator's CLI) may, and is audited doing it.
    """
    user = session.get(User, user_id)
    if user is None:
        raise invalid("user_id", "not_found", f"用户{user_id}不存在", f"no user {user_id}")
    by.require_covers(user.region_code, "user")
    if not user.active:
        raise ForbiddenError(
            "user_id",
            "user_inactive",
            "该账户未启用（可能在等待另一名管理员批准）",
            "this account is not active (it may await a second admin's approval)",
        )
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
    personal = sorted(set(scopes) & PERSON_DATA)
    if personal and by.kind != "system" and by.user_id != user.id and not user.service_account:
        raise ForbiddenError(
            "user_id",
            "token_for_another",
            "不能为他人的账户签发可读取个人信息的令牌（只能由本人签发，或为服务账户签发）",
            "a token that reads personal data is minted by its own user or for a service "
            f"account, not for another user's account ({', '.join(personal)})",
            bo="མི་སྒེར་གྱི་ཆ་འཕྲིན་ཀློག་པའི་ལག་ཁྱེར་མི་གཞན་གྱི་ཆེད་དུ་སྤྲོད་མི་ཆོག",
        )
    t = now()
    if expires_at is not None:
        expires = _aware(expires_at)
        assert expires is not None
        if expires <= t or expires > t + MAX_TOKEN_LIFETIME:
            raise invalid(
                "expires_at",
                "token_lifetime",
                f"令牌的有效期须在将来且不超过{MAX_TOKEN_LIFETIME.days}天",
                f"a token expires in the future and within {MAX_TOKEN_LIFETIME.days} days",
            )
    else:
        expires = t + min(lifetime or TOKEN_LIFETIME, MAX_TOKEN_LIFETIME)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip()[:100] or "token",
        token_hash=sha256(raw),
        prefix=raw[:12],
        user_id=user.id,
        scopes=" ".join(sorted(set(scopes))),
        created_at=t,
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        by,
        "create",
        "api_token",
        token.id,
        user.region_code,
        {"scopes": token.scopes, "user": user.id, "expires": f"{expires:%Y-%m-%d}"},
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

    Answers the same whether or not the person is registered (no enumeration): an unregistered
    number gets a challenge too, whose code is sent to nobody, so that its tries run out like a
    registered one's. Returns the challenge for registered people only.
    """
    parsed = ids.parse_resident_id(id_number)
    id_hash = lookup_hash(parsed.number)
    person = session.scalar(select(Person).where(Person.id_hash == id_hash))
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
    if person is None:
        return None
    sender.send(person.phone, person.id, code)
    return challenge


def verify_code(session: Session, id_number: str, code: str) -> Person:
    """Check a one-time code. Each try is counted by one atomic ``UPDATE … WHERE attempts <
    OTP_MAX_ATTEMPTS`` committed before the code is compared, so however many guesses arrive at
    once, at most OTP_MAX_ATTEMPTS of them are ever evaluated; the code is then claimed by
    ``UPDATE … WHERE used_at IS NULL``, so it signs in once."""
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
    counted = session.execute(
        update(OtpChallenge)
        .where(
            OtpChallenge.id == challenge.id,
            OtpChallenge.used_at.is_(None),
            OtpChallenge.attempts < OTP_MAX_ATTEMPTS,
        )
        .values(attempts=OtpChallenge.attempts + 1)
        .returning(OtpChallenge.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    session.commit()
    if counted is None:
        raise SignInError(
            "too_many_attempts",
            "尝试次数过多，请重新获取验证码",
            "too many tries; ask for a new code",
            429,
            bo="ཚོད་ལྟ་ཐེངས་མང་དྲགས་འདུག ར་སྤྲོད་ཨང་གྲངས་གསར་པ་ཞིག་ལེན་རོགས།",
        )
    if not hmac.compare_digest(challenge.code_hash, _code_hash(id_hash, code.strip())):
        raise failure
    claimed = session.execute(
        update(OtpChallenge)
        .where(OtpChallenge.id == challenge.id, OtpChallenge.used_at.is_(None))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise failure
    person = session.scalar(select(Person).where(Person.id_hash == id_hash))
    if person is None:
        raise failure
    return person
