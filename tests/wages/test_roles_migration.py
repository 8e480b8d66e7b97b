"""Migration 0017 widens the users' role check with the contractor's wage officer (施工单位
劳资专管员) on a database that already holds users with sessions pointing at them — on SQLite
by editing the CHECK in place (recreating ``users`` would break those foreign keys) — and the
check still refuses a role no one has; the downgrade narrows it again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from minsheng.db import downgrade, upgrade


def _user(conn: sa.Connection, uid: int, role: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO users (id, username, display_name, role, region_code, password_hash, "
            "active, service_account) VALUES (:id, :u, 'x', :r, '540100', 'x', :t, :f)"
        ),
        {"id": uid, "u": f"mig.{uid}", "r": role, "t": True, "f": False},
    )


def test_0017_widens_the_role_check_with_users_and_sessions_in_place(engine: Engine) -> None:
    downgrade(engine, "0016")
    try:
        with engine.begin() as conn:
            _user(conn, 9001, "caseworker")
            conn.execute(
                sa.text(
                    "INSERT INTO login_sessions (token_hash, user_id, created_at, expires_at) "
                    "VALUES (:h, 9001, :at, :at)"
                ),
                {"h": "9" * 64, "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            _user(conn, 9002, "contractor")  # not a role before 0017
    finally:
        upgrade(engine)
    with engine.begin() as conn:
        _user(conn, 9002, "contractor")
        assert conn.execute(sa.text("SELECT count(*) FROM login_sessions")).scalar() == 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        _user(conn, 9003, "boss")
    with engine.begin() as conn:  # leave the shared database as it was
        conn.execute(sa.text("DELETE FROM login_sessions WHERE user_id = 9001"))
        conn.execute(sa.text("DELETE FROM users WHERE id IN (9001, 9002)"))
