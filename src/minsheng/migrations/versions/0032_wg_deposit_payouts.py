"""wage protection: a deposit draw's payout to the workers (wg_deposit_payouts)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wg_deposit_payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "workers >= 1 AND workers <= 100000", name=op.f("ck_wg_deposit_payouts_workers")
        ),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["wg_deposits.id"],
            name=op.f("fk_wg_deposit_payouts_deposit_id_wg_deposits"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["wg_deposit_entries.id"],
            name=op.f("fk_wg_deposit_payouts_entry_id_wg_deposit_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_deposit_payouts")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_wg_deposit_payouts_entry_id")),
    )
    with op.batch_alter_table("wg_deposit_payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wg_deposit_payouts_deposit_id"), ["deposit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wg_deposit_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_deposit_payouts_deposit_id"))
    op.drop_table("wg_deposit_payouts")
