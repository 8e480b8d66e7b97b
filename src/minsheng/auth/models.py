"""Tables of the security layer: users, sessions, API tokens, one-time codes, the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from minsheng.db import Base

ROLE_CHECK = (
    "role IN ('citizen', 'cashier', 'contractor', 'employer', 'caseworker', 'supervisor', "
    "'analyst', 'auditor', 'admin')"
)


class User(Base):
    """A staff account (citizens sign in with their ID number and a one-time code)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6))  # region, prefecture or county
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A machine client's account (a hospital's HIS): never signs in with a password; an admin
    # may mint its tokens once a second admin approved its role (docs/security.md).
    service_account: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)


class LoginSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (person_id IS NULL)", name="one_principal"),
    )


class ApiToken(Base):
    """A machine client's bearer token (a hospital's HIS): the owner's role and region, narrowed
    to the token's scopes. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(500))  # space-separated permissions
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # always expires
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the one-time key of the page form that asked for it: a reload or a second click of that
    # form finds this token instead of minting another (unique per account, migration 0037)
    form_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_api_tokens_user_form_key", "user_id", "form_key", unique=True),)


class OtpChallenge(Base):
    """A one-time code sent to a citizen. Stores the keyed hash of the ID number, never the ID."""

    __tablename__ = "otp_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuthThrottle(Base):
    """Counted tries per key in the current window, shared by every worker process: failed
    sign-ins per (account name, address) — known and unknown usernames alike — and the request
    limits (``rate:`` keys, :mod:`minsheng.auth.limits`). The key is a SHA-256, so the table
    holds neither a username nor an address in clear."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuthGeneration(Base):
    """One row (``id`` 1) counting the changes that end a credential or change what its caller
    may do — a token revoked, a session closed, an account disabled, a role granted. Each worker
    process remembers callers for a few seconds under the count it read and forgets them when
    the count moves (:mod:`minsheng.auth.callers`)."""

    __tablename__ = "auth_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)


GRANT_STATES = "state IN ('pending', 'approved', 'rejected')"


class RoleGrant(Base):
    """A role that reads personal data (or an admin's), asked for by one admin and approved or
    rejected by another; the account stays inactive until approved."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[str] = mapped_column(String(64))  # audit actor, e.g. user:3
    requested_by_user: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_by_user: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint(GRANT_STATES, name="state"),)


class EmployerUser(Base):
    """The employer a firm's staff user acts for: a contractor's wage officer (role
    ``contractor``, 劳资专管员) in wage protection, an employer's recruiter (role ``employer``,
    招聘专员) in employment services. One employer per user; see :mod:`minsheng.auth.employers`."""

    __tablename__ = "employer_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
