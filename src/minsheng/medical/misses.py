"""Patient misses: look-ups of ID numbers nobody holds, counted per caller per hour and
audited, so that rebuilding an ID number by guessing is bounded (docs/medical.md)."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from minsheng.auth.models import AuthThrottle
from minsheng.core.errors import MinshengError, NotFoundError
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal


def _missing(by: Principal, key: str) -> NotFoundError:
    """No one holds the ID number looked up: refused, and the miss counted and audited (kept
    although the request is refused)."""
    missing = _no_such_patient()

    def record(s: Session) -> None:
        _count_miss(s, key)
        audit.record(s, by, "patient_miss", "person", None, by.region)

    missing.after_rollback.append(record)
    return missing


# Look-ups of ID numbers nobody holds, per caller per hour. A cashier's typos are a few an hour;
# rebuilding an ID from a list's birth date and county takes ~500 guesses (probing did it in
# 876 previews, 3.7 s) — bounded here, and every miss is audited.
PATIENT_MISSES_PER_HOUR = 20


def _no_such_patient() -> NotFoundError:
    return NotFoundError(
        "patient", "未找到该参保人", "no such insured person", bo="ཉེན་འགོག་ཞུགས་མི་མ་རྙེད།"
    )


MISS_WINDOW = dt.timedelta(hours=1)


def _miss_key(by: Principal) -> str:
    return hashlib.sha256(f"patient_miss\0{by.actor}".encode()).hexdigest()


def _misses_spent(session: Session, key: str) -> bool:
    """One primary-key read on the settlement path (the counts live in ``auth_throttle``)."""
    return misses_in_window(session, key) >= PATIENT_MISSES_PER_HOUR


def misses_in_window(session: Session, key: str) -> int:
    """The caller's misses counted in the current window (0 once it has passed)."""
    row = session.get(AuthThrottle, key)
    if row is None:
        return 0
    start = row.window_start if row.window_start.tzinfo else row.window_start.replace(tzinfo=dt.UTC)
    return row.failures if start + MISS_WINDOW > dt.datetime.now(dt.UTC) else 0


def _count_miss(session: Session, key: str) -> None:
    """One more miss in the window (an upsert: concurrent misses never clash)."""
    t = dt.datetime.now(dt.UTC)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(AuthThrottle)
        .values(key=key, failures=0, window_start=t)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key == key, AuthThrottle.window_start <= t - MISS_WINDOW)
        .values(failures=0, window_start=t)
    )
    session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key == key)
        .values(failures=AuthThrottle.failures + 1)
    )


def _too_many_misses() -> MinshengError:
    return MinshengError(
        field="patient.id_number",
        rule="too_many_unknown_patients",
        zh=f"一小时内查询未登记身份证号已超过{PATIENT_MISSES_PER_HOUR}次，请稍后再试或联系医保经办机构",
        en=f"more than {PATIENT_MISSES_PER_HOUR} ID numbers nobody holds were looked up in an "
        "hour: try again later, or ask the medical-insurance office",
        bo=f"ཆུ་ཚོད་གཅིག་གི་ནང་ཐོ་མེད་པའི་ཨང་རྟགས་{PATIENT_MISSES_PER_HOUR}ལས་བརྒལ་བས། རྗེས་སུ་ཚོད་ལྟ་གནང་།",
        status=429,
    )
