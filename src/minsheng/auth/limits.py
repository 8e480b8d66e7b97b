"""Request limits (sign-in and code sending per address, public searches and reports), counted in
the database so that they hold in total however many worker processes serve.

The count is the sign-in throttle's (:func:`minsheng.auth.credentials.reserve_try`, table
``auth_throttle``): one atomic ``INSERT … ON CONFLICT DO UPDATE … WHERE failures < limit`` per
request, committed at once. A key's window opens at its first request and holds ``limit``
requests; the next one after it closes opens a new window. Keys are stored as ``rate:`` and a
SHA-256 of the bucket and key, so the table holds no address or ID hash in clear, and
:meth:`RateLimits.reset` (tests) never touches a sign-in's count.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from minsheng.auth.credentials import reserve_try
from minsheng.auth.models import AuthThrottle
from minsheng.core.errors import MinshengError
from minsheng.db import unit_of_work

PREFIX = "rate:"


def rate_key(key: str) -> str:
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()[: 64 - len(PREFIX)]


class RateLimits:
    """``app.state.limiter``: ``hit(key, limit, window)`` counts one request or refuses it."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def hit(self, key: str, limit: int, window: float) -> None:
        """Count one request against ``key``: at most ``limit`` in a window of ``window``
        seconds, across every process; else 429 ``rate_limited`` with the seconds to wait."""
        with unit_of_work(self.factory) as s:  # SQLite: the writers' queue, not the busy loop
            wait = reserve_try(s, rate_key(key), limit, dt.timedelta(seconds=window))
        if wait is not None:
            retry = max(1, int(wait.total_seconds()) + 1)
            raise MinshengError(
                field="request",
                rule="rate_limited",
                zh=f"请求过于频繁，请{retry}秒后再试",
                en=f"too many requests; try again in {retry} s",
                status=429,
            )

    def reset(self) -> None:
        """Forget every request count (tests); sign-in failures stay counted."""
        with unit_of_work(self.factory) as s:
            s.execute(delete(AuthThrottle).where(AuthThrottle.key.startswith(PREFIX)))


__all__ = ["RateLimits", "rate_key"]
