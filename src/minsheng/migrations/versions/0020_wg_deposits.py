"""wg deposits: wage deposits, their immutable ledger, the arrears blacklist and its events

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wg_blacklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.String(length=14), nullable=False),
        sa.Column("facts", sa.String(length=400), nullable=False),
        sa.Column("arrears", sa.BigInteger(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=18), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("put_right_on", sa.Date(), nullable=True),
        sa.Column("pledge", sa.Text(), nullable=True),
        sa.Column("removal_requested_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "reason IN ('one_worker', 'many_workers', 'incident')",
            name=op.f("ck_wg_blacklist_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'proposed', 'listed', 'removal_requested', 'removed', 'ended', "
            "'rejected')",
            name=op.f("ck_wg_blacklist_state"),
        ),
        sa.CheckConstraint("arrears >= 0", name=op.f("ck_wg_blacklist_arrears")),
        sa.CheckConstraint(
            "removed_on IS NULL OR removed_on >= listed_on", name=op.f("ck_wg_blacklist_removed")
        ),
        sa.CheckConstraint("until IS NULL OR until > listed_on", name=op.f("ck_wg_blacklist_term")),
        sa.CheckConstraint("workers >= 0", name=op.f("ck_wg_blacklist_workers")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_wg_blacklist_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_blacklist_project_id_wg_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_blacklist")),
    )
    op.create_index(
        op.f("ix_wg_blacklist_division_code"), "wg_blacklist", ["division_code"], unique=False
    )
    op.create_index(
        op.f("ix_wg_blacklist_employer_id"), "wg_blacklist", ["employer_id"], unique=False
    )
    op.create_index(op.f("ix_wg_blacklist_listed_on"), "wg_blacklist", ["listed_on"], unique=False)
    op.create_table(
        "wg_deposits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("contract_value", sa.BigInteger(), nullable=False),
        sa.Column("rate_ppm", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("required", sa.BigInteger(), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.Column("exemption_reason", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lodge_by", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=True),
        sa.Column("bank", sa.String(length=100), nullable=True),
        sa.Column("guarantee_no", sa.String(length=40), nullable=True),
        sa.Column("guarantee_expires_on", sa.Date(), nullable=True),
        sa.Column("lodged_on", sa.Date(), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("top_up_by", sa.Date(), nullable=True),
        sa.Column("notice_from", sa.Date(), nullable=True),
        sa.Column("notice_until", sa.Date(), nullable=True),
        sa.Column("return_by", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "form IS NULL OR form <> 'guarantee' OR "
            "(bank IS NOT NULL AND guarantee_no IS NOT NULL AND guarantee_expires_on IS NOT NULL)",
            name=op.f("ck_wg_deposits_guarantee"),
        ),
        sa.CheckConstraint(
            "form IS NULL OR form IN ('cash', 'guarantee')", name=op.f("ck_wg_deposits_form")
        ),
        sa.CheckConstraint(
            "state IN ('due', 'exempt', 'lodged', 'notice', 'returned')",
            name=op.f("ck_wg_deposits_state"),
        ),
        sa.CheckConstraint(
            "NOT exempt OR exemption_reason IS NOT NULL",
            name=op.f("ck_wg_deposits_exemption_reason"),
        ),
        sa.CheckConstraint(
            "balance >= 0 AND balance <= 1000000000000", name=op.f("ck_wg_deposits_balance")
        ),
        sa.CheckConstraint("contract_value >= 0", name=op.f("ck_wg_deposits_contract_value")),
        sa.CheckConstraint(
            "rate_ppm >= 0 AND rate_ppm <= 1000000", name=op.f("ck_wg_deposits_rate_ppm")
        ),
        sa.CheckConstraint(
            "required >= 0 AND required <= 1000000000000", name=op.f("ck_wg_deposits_required")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_wg_deposits_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_deposits_project_id_wg_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_deposits")),
        sa.UniqueConstraint("project_id", name=op.f("uq_wg_deposits_project_id")),
    )
    op.create_index(
        op.f("ix_wg_deposits_division_code"), "wg_deposits", ["division_code"], unique=False
    )
    op.create_index(
        op.f("ix_wg_deposits_employer_id"), "wg_deposits", ["employer_id"], unique=False
    )
    op.create_table(
        "wg_blacklist_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=18), nullable=True),
        sa.Column("to_state", sa.String(length=18), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["wg_blacklist.id"],
            name=op.f("fk_wg_blacklist_events_listing_id_wg_blacklist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_blacklist_events")),
    )
    op.create_index(
        op.f("ix_wg_blacklist_events_listing_id"),
        "wg_blacklist_events",
        ["listing_id"],
        unique=False,
    )
    op.create_table(
        "wg_deposit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("pay_by", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind <> 'draw' OR reference IS NOT NULL",
            name=op.f("ck_wg_deposit_entries_draw_reference"),
        ),
        sa.CheckConstraint(
            "kind IN ('lodge', 'draw', 'top_up', 'return')", name=op.f("ck_wg_deposit_entries_kind")
        ),
        sa.CheckConstraint(
            "amount > 0 AND amount <= 1000000000000", name=op.f("ck_wg_deposit_entries_amount")
        ),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_wg_deposit_entries_balance_after")),
        sa.ForeignKeyConstraint(
            ["deposit_id"],
            ["wg_deposits.id"],
            name=op.f("fk_wg_deposit_entries_deposit_id_wg_deposits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_deposit_entries")),
    )
    op.create_index(
        op.f("ix_wg_deposit_entries_deposit_id"), "wg_deposit_entries", ["deposit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_wg_deposit_entries_deposit_id"), table_name="wg_deposit_entries")
    op.drop_table("wg_deposit_entries")
    op.drop_index(op.f("ix_wg_blacklist_events_listing_id"), table_name="wg_blacklist_events")
    op.drop_table("wg_blacklist_events")
    op.drop_index(op.f("ix_wg_deposits_employer_id"), table_name="wg_deposits")
    op.drop_index(op.f("ix_wg_deposits_division_code"), table_name="wg_deposits")
    op.drop_table("wg_deposits")
    op.drop_index(op.f("ix_wg_blacklist_listed_on"), table_name="wg_blacklist")
    op.drop_index(op.f("ix_wg_blacklist_employer_id"), table_name="wg_blacklist")
    op.drop_index(op.f("ix_wg_blacklist_division_code"), table_name="wg_blacklist")
    op.drop_table("wg_blacklist")
