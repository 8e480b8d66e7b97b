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


def test_0024_moves_the_contractors_binding_and_adds_the_employer_role(engine: Engine) -> None:
    """``wg_firm_users`` → ``employer_users`` with its rows; ``employer`` becomes a role; the
    downgrade moves the rows back and narrows the check."""
    downgrade(engine, "0023")
    try:
        with engine.begin() as conn:
            _user(conn, 9101, "contractor")
            conn.execute(
                sa.text(
                    "INSERT INTO employers (id, credit_code, name, division_code) "
                    "VALUES (9101, '91540100MA6T00001X', '迁移测试建工', '540102')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO wg_firm_users (id, user_id, employer_id) VALUES (7, 9101, 9101)"
                )
            )
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            _user(conn, 9102, "employer")  # not a role before 0024
    finally:
        upgrade(engine)
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT id, user_id, employer_id FROM employer_users")).all()
        assert [tuple(r) for r in rows] == [(7, 9101, 9101)]
        _user(conn, 9102, "employer")
        conn.execute(
            sa.text("INSERT INTO employer_users (user_id, employer_id) VALUES (9102, 9101)")
        )
        assert sa.inspect(conn).has_table("wg_firm_users") is False
    with pytest.raises(RuntimeError, match="1 users have a role"):
        downgrade(engine, "0023")  # a recruiter exists: refused, and nothing changed
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM employer_users")).scalar() == 2
        conn.execute(sa.text("DELETE FROM employer_users WHERE user_id = 9102"))
        conn.execute(sa.text("DELETE FROM users WHERE id = 9102"))
    downgrade(engine, "0023")
    try:
        with engine.begin() as conn:
            back = conn.execute(sa.text("SELECT id, user_id FROM wg_firm_users")).all()
            assert [tuple(r) for r in back] == [(7, 9101)]
            conn.execute(sa.text("DELETE FROM wg_firm_users"))
    finally:
        upgrade(engine)
    with engine.begin() as conn:  # leave the shared database as it was
        conn.execute(sa.text("DELETE FROM users WHERE id = 9101"))
        conn.execute(sa.text("DELETE FROM employers WHERE id = 9101"))
