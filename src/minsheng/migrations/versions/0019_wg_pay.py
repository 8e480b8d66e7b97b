"""wg pay: dedicated wage accounts, labour-cost transfers, pay sheets and lines, wage cards,
pay runs and payments

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wg_pay_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("new_payments", sa.Integer(), nullable=False),
        sa.Column("new_total", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="issued", nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('prepared', 'issued')", name=op.f("ck_wg_pay_runs_state")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_pay_runs_project_id_wg_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_pay_runs")),
    )
    op.create_index(op.f("ix_wg_pay_runs_project_id"), "wg_pay_runs", ["project_id"], unique=False)
    op.create_index(op.f("ix_wg_pay_runs_state"), "wg_pay_runs", ["state"], unique=False)
    op.create_table(
        "wg_wage_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("bank_name", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=256), nullable=False),
        sa.Column("account_tail", sa.String(length=4), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_wg_wage_accounts_balance")),
        sa.CheckConstraint(
            "filed_on IS NULL OR filed_on >= opened_on", name=op.f("ck_wg_wage_accounts_filed")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["wg_projects.id"],
            name=op.f("fk_wg_wage_accounts_project_id_wg_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_wage_accounts")),
        sa.UniqueConstraint("project_id", name=op.f("uq_wg_wage_accounts_project_id")),
    )
    op.create_index(
        op.f("ix_wg_wage_accounts_division_code"),
        "wg_wage_accounts",
        ["division_code"],
        unique=False,
    )
    op.create_table(
        "wg_labour_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wg_labour_transfers_amount")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wg_wage_accounts.id"],
            name=op.f("fk_wg_labour_transfers_account_id_wg_wage_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["wg_projects.id"],
            name=op.f("fk_wg_labour_transfers_project_id_wg_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_labour_transfers")),
        sa.UniqueConstraint(
            "account_id", "reference", name=op.f("uq_wg_labour_transfers_account_id")
        ),
    )
    op.create_index(
        op.f("ix_wg_labour_transfers_account_id"),
        "wg_labour_transfers",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_wg_labour_transfers_project_id"),
        "wg_labour_transfers",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "wg_wage_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("bank_name", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=256), nullable=False),
        sa.Column("account_tail", sa.String(length=4), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_wg_wage_cards_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_wage_cards")),
        sa.UniqueConstraint("person_id", name=op.f("uq_wg_wage_cards_person_id")),
    )
    op.create_table(
        "wg_pay_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("built_by", sa.String(length=64), nullable=False),
        sa.Column(
            "built_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'paying', 'paid')", name=op.f("ck_wg_pay_sheets_state")
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_wg_pay_sheets_total")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_pay_sheets_project_id_wg_projects")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["wg_teams.id"], name=op.f("fk_wg_pay_sheets_team_id_wg_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_pay_sheets")),
        sa.UniqueConstraint("team_id", "month", name=op.f("uq_wg_pay_sheets_team_id")),
    )
    op.create_index(
        op.f("ix_wg_pay_sheets_division_code"), "wg_pay_sheets", ["division_code"], unique=False
    )
    op.create_index(
        op.f("ix_wg_pay_sheets_project_id"), "wg_pay_sheets", ["project_id"], unique=False
    )
    op.create_table(
        "wg_pay_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("for_month", sa.String(length=7), nullable=False),
        sa.Column("back_pay", sa.Boolean(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("pieces", sa.Integer(), nullable=False),
        sa.Column("ot_working_minutes", sa.Integer(), nullable=False),
        sa.Column("ot_rest_minutes", sa.Integer(), nullable=False),
        sa.Column("ot_holiday_minutes", sa.Integer(), nullable=False),
        sa.Column("rate_kind", sa.String(length=6), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("overtime_rate", sa.BigInteger(), nullable=True),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("overtime_pay", sa.BigInteger(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("confirmation", sa.String(length=10), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispute_note", sa.String(length=400), nullable=True),
        sa.CheckConstraint(
            "confirmation IN ('pending', 'confirmed', 'disputed')",
            name=op.f("ck_wg_pay_lines_confirmation"),
        ),
        sa.CheckConstraint(
            "gross >= 0 AND base >= 0 AND overtime_pay >= 0", name=op.f("ck_wg_pay_lines_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_wg_pay_lines_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"], ["wg_pay_sheets.id"], name=op.f("fk_wg_pay_lines_sheet_id_wg_pay_sheets")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["wg_workers.id"], name=op.f("fk_wg_pay_lines_worker_id_wg_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_pay_lines")),
        sa.UniqueConstraint(
            "sheet_id", "worker_id", "for_month", name=op.f("uq_wg_pay_lines_sheet_id")
        ),
    )
    op.create_index(op.f("ix_wg_pay_lines_person_id"), "wg_pay_lines", ["person_id"], unique=False)
    op.create_index(op.f("ix_wg_pay_lines_sheet_id"), "wg_pay_lines", ["sheet_id"], unique=False)
    op.create_index(op.f("ix_wg_pay_lines_worker_id"), "wg_pay_lines", ["worker_id"], unique=False)
    op.create_table(
        "wg_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pay_key", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("account_tail", sa.String(length=4), nullable=False),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wg_payments_amount")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["wg_pay_lines.id"], name=op.f("fk_wg_payments_line_id_wg_pay_lines")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_wg_payments_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wg_projects.id"], name=op.f("fk_wg_payments_project_id_wg_projects")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["wg_pay_runs.id"], name=op.f("fk_wg_payments_run_id_wg_pay_runs")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["wg_workers.id"], name=op.f("fk_wg_payments_worker_id_wg_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_payments")),
        sa.UniqueConstraint("pay_key", name=op.f("uq_wg_payments_pay_key")),
    )
    op.create_index(op.f("ix_wg_payments_line_id"), "wg_payments", ["line_id"], unique=False)
    op.create_index(op.f("ix_wg_payments_person_id"), "wg_payments", ["person_id"], unique=False)
    op.create_index(op.f("ix_wg_payments_run_id"), "wg_payments", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_wg_payments_run_id"), table_name="wg_payments")
    op.drop_index(op.f("ix_wg_payments_person_id"), table_name="wg_payments")
    op.drop_index(op.f("ix_wg_payments_line_id"), table_name="wg_payments")
    op.drop_table("wg_payments")
    op.drop_index(op.f("ix_wg_pay_lines_worker_id"), table_name="wg_pay_lines")
    op.drop_index(op.f("ix_wg_pay_lines_sheet_id"), table_name="wg_pay_lines")
    op.drop_index(op.f("ix_wg_pay_lines_person_id"), table_name="wg_pay_lines")
    op.drop_table("wg_pay_lines")
    op.drop_index(op.f("ix_wg_pay_sheets_project_id"), table_name="wg_pay_sheets")
    op.drop_index(op.f("ix_wg_pay_sheets_division_code"), table_name="wg_pay_sheets")
    op.drop_table("wg_pay_sheets")
    op.drop_table("wg_wage_cards")
    op.drop_index(op.f("ix_wg_labour_transfers_project_id"), table_name="wg_labour_transfers")
    op.drop_index(op.f("ix_wg_labour_transfers_account_id"), table_name="wg_labour_transfers")
    op.drop_table("wg_labour_transfers")
    op.drop_index(op.f("ix_wg_wage_accounts_division_code"), table_name="wg_wage_accounts")
    op.drop_table("wg_wage_accounts")
    op.drop_index(op.f("ix_wg_pay_runs_state"), table_name="wg_pay_runs")
    op.drop_index(op.f("ix_wg_pay_runs_project_id"), table_name="wg_pay_runs")
    op.drop_table("wg_pay_runs")
