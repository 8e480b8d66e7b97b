"""What every credential shares: the clock (UTC), the one-way hash a secret is kept under, the
sign-in error that never says which part was wrong, the counted tries that lock a guesser out
(per username and address, 锁定) — the request limits count the same way."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import case, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from minsheng.auth.models import AuthThrottle
from minsheng.core.errors import MinshengError

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


# No window is longer: a count this old is forgotten (now and then, by any try). One horizon for
# every key, whatever its own window, so a short request limit never forgets a sign-in's count.
KEEP_TRIES = dt.timedelta(days=1)


def reserve_try(
    session: Session, key: str, limit: int, window: dt.timedelta
) -> dt.timedelta | None:
    """Count one try against ``key`` before it is evaluated; None if allowed, else how long
    until the window ends. One atomic statement per try — ``INSERT … ON CONFLICT DO UPDATE …
    WHERE failures < limit`` (a window over starts again at one) — committed at once, so
    concurrent tries, from any thread or worker process, never see the same count
    (PostgreSQL's row lock, SQLite's write lock). A successful sign-in clears its key
    (``clear_tries``); the request limits (:mod:`minsheng.auth.limits`) count the same way."""
    if window > KEEP_TRIES:
        raise ValueError(f"a window of {window} is longer than KEEP_TRIES")
    t = now()
    over = AuthThrottle.window_start <= t - window  # on conflict: the stored row's window
    stmt = (
        insert_for(session)(AuthThrottle)
        .values(key=key, failures=1, window_start=t)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((over, 1), else_=AuthThrottle.failures + 1),
                "window_start": case((over, t), else_=AuthThrottle.window_start),
            },
            where=or_(over, AuthThrottle.failures < limit),
        )
        .returning(AuthThrottle.failures)
    )
    wait = None
    if session.execute(stmt).first() is None:  # the window is full: nothing was counted
        start = aware(
            session.scalar(select(AuthThrottle.window_start).where(AuthThrottle.key == key))
        )
        wait = (start or t) + window - t
    if secrets.randbelow(200) == 0:  # now and then, forget windows long over
        session.execute(delete(AuthThrottle).where(AuthThrottle.window_start < t - KEEP_TRIES))
    session.commit()
    return wait


def clear_tries(session: Session, key: str) -> None:
    session.execute(delete(AuthThrottle).where(AuthThrottle.key == key))


def login_key(username: str, ip: str | None) -> str:
    return sha256(f"login\0{username.strip().lower()}\0{ip or '-'}")


def minutes(wait: dt.timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))
