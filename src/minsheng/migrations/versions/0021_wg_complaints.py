"""wage protection: arrears complaints (欠薪投诉) and their steps

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'received', 'investigating', 'extension_requested', 'referred', 'refused', 'closed'"
OUTCOMES = (
    "'recovered', 'settled', 'not_founded', 'arbitrated', 'transferred', 'withdrawn', 'refused'"
)
INDEXED = ("closed_on", "division_code", "person_id", "project_id", "received_on", "state")


def upgrade() -> None:
    op.create_table(
        "wg_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("project_text", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("received_division", sa.String(length=6), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("worker_name", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=256), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("amount_claimed", sa.BigInteger(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("accept_by", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("investigate_by", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("refer_by", sa.Date(), nullable=True),
        sa.Column("referral_extended", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("recovered", sa.BigInteger(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("followup_hash", sa.String(length=64), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "channel IN ('online', 'office')", name=op.f("ck_wg_complaints_channel")
        ),
        sa.CheckConstraint("lang IN ('zh', 'bo')", name=op.f("ck_wg_complaints_lang")),
        sa.CheckConstraint(
            f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_wg_complaints_outcome")
        ),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_wg_complaints_state")),
        sa.CheckConstraint(
            "amount_claimed IS NULL OR amount_claimed >= 0",
            name=op.f("ck_wg_complaints_amount_claimed"),
        ),
        sa.CheckConstraint(
            "anonymous OR person_id IS NOT NULL OR worker_name IS NOT NULL",
            name=op.f("ck_wg_complaints_named"),
        ),
        sa.CheckConstraint(
            "project_id IS NOT NULL OR project_text IS NOT NULL",
            name=op.f("ck_wg_complaints_project"),
        ),
        sa.CheckConstraint("recovered >= 0", name=op.f("ck_wg_complaints_recovered")),
        sa.CheckConstraint("workers IS NULL OR workers > 0", name=op.f("ck_wg_complaints_workers")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_wg_complaints_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_complaints_project_id_wg_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_complaints")),
        sa.UniqueConstraint("followup_hash", name=op.f("uq_wg_complaints_followup_hash")),
    )
    with op.batch_alter_table("wg_complaints", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_wg_complaints_{column}"), [column], unique=False)

    op.create_table(
        "wg_complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["wg_complaints.id"],
            name=op.f("fk_wg_complaint_events_complaint_id_wg_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_complaint_events")),
    )
    with op.batch_alter_table("wg_complaint_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wg_complaint_events_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wg_complaint_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_complaint_events_complaint_id"))
    op.drop_table("wg_complaint_events")
    with op.batch_alter_table("wg_complaints", schema=None) as batch_op:
        for column in reversed(INDEXED):
            batch_op.drop_index(batch_op.f(f"ix_wg_complaints_{column}"))
    op.drop_table("wg_complaints")
