"""wage protection: monitoring warnings and their events

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAUSES = (
    "cause IN ('transfer_late', 'no_pay_sheet', 'attendance_unpaid', 'pay_below', "
    "'account_missing', 'deposit_missing', 'no_contract', 'balance_low', 'complaint_cluster')"
)
LEVELS = "level IN ('blue', 'yellow', 'red')"
STATES = "state IN ('new', 'checking', 'unfounded_proposed', 'rectified', 'unfounded', 'resolved')"


def upgrade() -> None:
    op.create_table(
        "wg_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("cause", sa.String(length=24), nullable=False),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("level", sa.String(length=6), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.String(length=400), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(CAUSES, name=op.f("ck_wg_warnings_cause")),
        sa.CheckConstraint(LEVELS, name=op.f("ck_wg_warnings_level")),
        sa.CheckConstraint(STATES, name=op.f("ck_wg_warnings_state")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_warnings_project_id_wg_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_warnings")),
        sa.UniqueConstraint("open_key", name=op.f("uq_wg_warnings_open_key")),
    )
    with op.batch_alter_table("wg_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wg_warnings_assignee"), ["assignee"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_wg_warnings_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wg_warnings_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_wg_warnings_state_deadline", ["state", "deadline"], unique=False)

    op.create_table(
        "wg_warning_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["wg_warnings.id"],
            name=op.f("fk_wg_warning_events_warning_id_wg_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_warning_events")),
    )
    with op.batch_alter_table("wg_warning_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wg_warning_events_warning_id"), ["warning_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wg_warning_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_warning_events_warning_id"))
    op.drop_table("wg_warning_events")
    with op.batch_alter_table("wg_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_wg_warnings_state_deadline")
        batch_op.drop_index(batch_op.f("ix_wg_warnings_project_id"))
        batch_op.drop_index(batch_op.f("ix_wg_warnings_division_code"))
        batch_op.drop_index(batch_op.f("ix_wg_warnings_assignee"))
    op.drop_table("wg_warnings")
