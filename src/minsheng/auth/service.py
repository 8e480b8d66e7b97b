"""Signing in: a staff password (Argon2id, throttled per account and address) or a citizen's
one-time code (验证码) sent to the phone of their registered identity; the server-side session
either opens, and the Principal a session stands for.

Nothing here answers differently for a name or an ID number that does not exist: unknown
usernames are throttled like known ones, and an unregistered ID number gets a challenge too
(with a code nobody is sent), so its tries run out exactly like a registered one's.

Elsewhere in auth: ``credentials`` (clock, hashes, tries, the caller cache), ``users`` (accounts
and second-admin grants) and ``tokens`` (scoped API tokens)."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minsheng.auth.callers import forget_all
from minsheng.auth.credentials import (
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    SignInError,
    aware,
    clear_tries,
    hasher,
    login_key,
    minutes,
    now,
    reserve_try,
    sha256,
)
from minsheng.auth.models import LoginSession, OtpChallenge, User
from minsheng.auth.otp import OtpSender
from minsheng.core import ids, text
from minsheng.core.errors import MinshengError
from minsheng.foundation import audit
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.principals import ANONYMOUS, PERMISSIONS, Principal, staff
from minsheng.registry.models import Person

# Security settings (not policy figures): how many tries, how long things live.
OTP_LIFETIME = dt.timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5  # per code, counted atomically
OTP_DIGITS = 6


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
        m = minutes(wait)
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
        _spend_like_a_check(password)  # unknown users take as long as known ones,
        # and write the same one entry (naming no account, never the typed name): a known
        # name's failure was ~20 ms slower than an unknown one's by its audit write alone
        nobody = Principal(kind="anonymous", name="unknown", ip=ip)
        audit.record(session, nobody, "login_failed", "user", None, None)
        session.commit()
        raise failure
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        by = Principal(kind="anonymous", name=user.username, ip=ip)
        audit.record(session, by, "login_failed", "user", user.id, user.region_code)
        session.commit()
        raise failure from None
    clear_tries(session, key)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


@cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def _spend_like_a_check(password: str) -> None:
    with suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(), password)


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
    if rec is not None and rec.revoked_at is None:
        rec.revoked_at = now()
        forget_all(session)
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
    expires = aware(rec.expires_at) if rec else None
    if rec is None or rec.revoked_at is not None or expires is None or expires <= now():
        return ANONYMOUS
    if rec.user_id is not None:
        user = session.get(User, rec.user_id)
        if user is None or not user.active:
            return ANONYMOUS
        return staff_principal(user, ip)
    person = session.get(Person, rec.person_id)
    return citizen_principal(person, ip) if person else ANONYMOUS


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
    expires = aware(challenge.expires_at) if challenge else None
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
