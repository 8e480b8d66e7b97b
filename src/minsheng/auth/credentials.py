"""What every credential shares: the clock (UTC), the one-way hash a secret is kept under, the
sign-in error that never says which part was wrong, the counted tries that lock a guesser out
(per username and address, 锁定), and the few seconds a resolved caller is remembered."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import replace
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from minsheng.auth.models import AuthThrottle
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal

# Security settings (not policy figures): how many tries, how long things live.
LOGIN_MAX_FAILURES = 5  # per (username, address) in LOGIN_WINDOW; then 429 until it ends
LOGIN_WINDOW = dt.timedelta(minutes=15)

hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
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


def insert_for(session: Session) -> Any:
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
        insert_for(session)(AuthThrottle)
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
        start = aware(
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


def minutes(wait: dt.timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


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
