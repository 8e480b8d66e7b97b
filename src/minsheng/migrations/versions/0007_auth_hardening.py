"""auth: keyed audit chain, anchors, throttling, token expiry, role-grant approvals

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:00:00

- ``users``: the hard lock-out columns go (sign-in is throttled per account and address in
  ``auth_throttle``); ``service_account`` marks machine clients.
- ``api_tokens.expires_at`` becomes required: tokens that had none expire 90 days after this
  migration (the default lifetime, ``MINSHENG_TOKEN_DAYS``).
- ``audit_log.alg``: entries written before are unkeyed SHA-256; the upgrade checks their chain
  and, when it is intact, keys it under the audit key (HMAC-SHA256) in the same step, so no
  unkeyed entry is ever legitimate afterwards (docs/security.md). A broken old chain is left
  unkeyed, and ``minsheng audit verify`` reports it.
- ``role_grants``: a second admin's approval of roles that read personal data.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRACE = dt.timedelta(days=90)


def upgrade() -> None:
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_throttle")),
    )
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_throttle_window_start"), ["window_start"], unique=False
        )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_by_user", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_by_user", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected')", name=op.f("ck_role_grants_state")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grants_user_id"), ["user_id"], unique=False)

    # ALTER in place (SQLite >= 3.35 drops columns itself): recreating ``users`` would fail its
    # foreign keys (sessions, tokens point at it) with SQLite's foreign_keys on.
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("service_account", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")

    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=dt.datetime.now(dt.UTC) + GRACE)
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alg", sa.String(length=16), nullable=False, server_default="sha256")
        )
    _key_the_old_chain()


def _key_the_old_chain() -> None:
    """Key the entries written before this revision, here and now (the audit key is in the
    environment or the key file, as for the data keys), when their unkeyed chain is intact."""
    from minsheng.foundation import audit, crypto

    bind = op.get_bind()
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in (*audit.FIELDS, "prev_hash", "hash", "alg")),
    )
    rows = [dict(r) for r in bind.execute(sa.select(log).order_by(log.c.id)).mappings()]
    if not rows:
        return
    keyed = audit.key_legacy(rows, crypto.keys().audit_mac_key())
    if keyed is None:
        return  # tampered with before the upgrade: left for ``verify`` to report
    for entry_id, prev, digest in keyed:
        bind.execute(
            log.update()
            .where(log.c.id == entry_id)
            .values(prev_hash=prev, hash=digest, alg=audit.ALG)
        )
    head = sa.table("audit_head", sa.column("id"), sa.column("last_hash"))
    bind.execute(head.update().where(head.c.id == 1).values(last_hash=keyed[-1][2]))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("alg")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=True)
    # ALTER in place (SQLite >= 3.35 drops columns itself): recreating ``users`` would fail its
    # foreign keys (sessions, tokens point at it) with SQLite's foreign_keys on.
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_column("service_account")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grants_user_id"))
    op.drop_table("role_grants")
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_throttle_window_start"))
    op.drop_table("auth_throttle")
