"""pension overpayment recovery and death settlement: pn_death_settlements, pn_recoveries,
pn_recovery_events

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pn_death_settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("overpaid", sa.BigInteger(), nullable=False),
        sa.Column("funeral_grant", sa.BigInteger(), nullable=False),
        sa.Column("survivors_allowance", sa.BigInteger(), nullable=False),
        sa.Column("inheritable_balance", sa.BigInteger(), nullable=False),
        sa.Column("deducted", sa.BigInteger(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "scheme IN ('employee_pension', 'resident_pension')",
            name=op.f("ck_pn_death_settlements_scheme"),
        ),
        sa.CheckConstraint("deducted <= overpaid", name=op.f("ck_pn_death_settlements_deducted")),
        sa.CheckConstraint(
            "overpaid >= 0 AND funeral_grant >= 0 AND survivors_allowance >= 0"
            " AND inheritable_balance >= 0 AND deducted >= 0",
            name=op.f("ck_pn_death_settlements_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["award_id"], ["pn_awards.id"], name=op.f("fk_pn_death_settlements_award_id_pn_awards")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_death_settlements_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_death_settlements")),
        sa.UniqueConstraint("award_id", name=op.f("uq_pn_death_settlements_award_id")),
        sa.UniqueConstraint("person_id", name=op.f("uq_pn_death_settlements_person_id")),
    )
    with op.batch_alter_table("pn_death_settlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_death_settlements_division_code"), ["division_code"], unique=False
        )

    op.create_table(
        "pn_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("open_key", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("owed", sa.BigInteger(), nullable=False),
        sa.Column("recovered", sa.BigInteger(), nullable=False),
        sa.Column("written_off", sa.BigInteger(), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("notify_by", sa.Date(), nullable=False),
        sa.Column("repay_by", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "state IN ('opened', 'notified', 'write_off_proposed', 'recovered', 'written_off')",
            name=op.f("ck_pn_recoveries_state"),
        ),
        sa.CheckConstraint(
            "owed > 0 AND recovered >= 0 AND written_off >= 0 AND recovered + written_off <= owed",
            name=op.f("ck_pn_recoveries_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["award_id"], ["pn_awards.id"], name=op.f("fk_pn_recoveries_award_id_pn_awards")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_recoveries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_recoveries")),
        sa.UniqueConstraint("open_key", name=op.f("uq_pn_recoveries_open_key")),
    )
    with op.batch_alter_table("pn_recoveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pn_recoveries_award_id"), ["award_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pn_recoveries_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pn_recoveries_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pn_recoveries_state"), ["state"], unique=False)

    op.create_table(
        "pn_recovery_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["pn_recoveries.id"],
            name=op.f("fk_pn_recovery_events_recovery_id_pn_recoveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_recovery_events")),
    )
    with op.batch_alter_table("pn_recovery_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_recovery_events_recovery_id"), ["recovery_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pn_recovery_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_recovery_events_recovery_id"))

    op.drop_table("pn_recovery_events")
    with op.batch_alter_table("pn_recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_recoveries_state"))
        batch_op.drop_index(batch_op.f("ix_pn_recoveries_person_id"))
        batch_op.drop_index(batch_op.f("ix_pn_recoveries_division_code"))
        batch_op.drop_index(batch_op.f("ix_pn_recoveries_award_id"))

    op.drop_table("pn_recoveries")
    with op.batch_alter_table("pn_death_settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_death_settlements_division_code"))

    op.drop_table("pn_death_settlements")
