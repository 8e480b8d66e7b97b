"""cases: the case engine's generic columns — assignment of cases and warnings to a caseworker,
and a warning's history of steps (as a case's)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("as_cases", "as_warnings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_assignee"), ["assignee"], unique=False)
    op.create_table(
        "as_warning_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["as_warnings.id"],
            name=op.f("fk_as_warning_events_warning_id_as_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_as_warning_events")),
    )
    with op.batch_alter_table("as_warning_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_as_warning_events_warning_id"), ["warning_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("as_warning_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_as_warning_events_warning_id"))
    op.drop_table("as_warning_events")
    for table in ("as_warnings", "as_cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_assignee"))
            batch_op.drop_column("assignee")
