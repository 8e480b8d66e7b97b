"""pensions: enrolments, contributions, individual accounts, statements, medical credits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pn_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("last_credited_year", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "scheme IN ('employee_pension', 'resident_pension')", name=op.f("ck_pn_accounts_scheme")
        ),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_pn_accounts_balance")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_accounts_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_accounts")),
        sa.UniqueConstraint("person_id", "scheme", name=op.f("uq_pn_accounts_person_id")),
    )
    with op.batch_alter_table("pn_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pn_accounts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "pn_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(scheme = 'resident_pension') = (employer_id IS NULL)",
            name=op.f("ck_pn_enrolments_employer"),
        ),
        sa.CheckConstraint(
            "scheme IN ('employee_pension', 'work_injury', 'unemployment', 'resident_pension')",
            name=op.f("ck_pn_enrolments_scheme"),
        ),
        sa.CheckConstraint("base IS NULL OR base >= 0", name=op.f("ck_pn_enrolments_base")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_pn_enrolments_period")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_pn_enrolments_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_enrolments_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_enrolments")),
    )
    with op.batch_alter_table("pn_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_enrolments_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pn_enrolments_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pn_enrolments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "pn_medical_credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.String(length=12), nullable=False),
        sa.CheckConstraint(
            "basis IN ('working', 'retired')", name=op.f("ck_pn_medical_credits_basis")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_pn_medical_credits_amount")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_medical_credits_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_medical_credits")),
        sa.UniqueConstraint(
            "person_id", "year", "month", name=op.f("uq_pn_medical_credits_person_id")
        ),
    )
    with op.batch_alter_table("pn_medical_credits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_medical_credits_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "pn_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("credit_year", sa.Integer(), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=True),
        sa.Column("individual", sa.BigInteger(), nullable=False),
        sa.Column("employer", sa.BigInteger(), nullable=False),
        sa.Column("subsidy", sa.BigInteger(), nullable=False),
        sa.Column("government_paid", sa.Boolean(), nullable=False),
        sa.Column("paid_by", sa.String(length=64), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('regular', 'back_payment')", name=op.f("ck_pn_contributions_kind")
        ),
        sa.CheckConstraint(
            "scheme IN ('employee_pension', 'work_injury', 'unemployment', 'resident_pension')",
            name=op.f("ck_pn_contributions_scheme"),
        ),
        sa.CheckConstraint(
            "individual >= 0 AND employer >= 0 AND subsidy >= 0",
            name=op.f("ck_pn_contributions_amounts"),
        ),
        sa.CheckConstraint(
            "month IS NULL OR (month >= 1 AND month <= 12)", name=op.f("ck_pn_contributions_month")
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["pn_enrolments.id"],
            name=op.f("fk_pn_contributions_enrolment_id_pn_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_pn_contributions_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_contributions")),
        sa.UniqueConstraint("key", name=op.f("uq_pn_contributions_key")),
    )
    with op.batch_alter_table("pn_contributions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_contributions_credit_year"), ["credit_year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pn_contributions_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pn_contributions_enrolment_id"), ["enrolment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pn_contributions_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pn_contributions_year"), ["year"], unique=False)

    op.create_table(
        "pn_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("opening", sa.BigInteger(), nullable=False),
        sa.Column("credited", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("closing", sa.BigInteger(), nullable=False),
        sa.Column("rate_path", sa.String(length=80), nullable=False),
        sa.Column("rate_value", sa.String(length=16), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "closing = opening + credited + interest", name=op.f("ck_pn_statements_sum")
        ),
        sa.CheckConstraint(
            "opening >= 0 AND credited >= 0 AND interest >= 0",
            name=op.f("ck_pn_statements_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["pn_accounts.id"], name=op.f("fk_pn_statements_account_id_pn_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pn_statements")),
        sa.UniqueConstraint("account_id", "year", name=op.f("uq_pn_statements_account_id")),
    )
    with op.batch_alter_table("pn_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pn_statements_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pn_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_statements_account_id"))

    op.drop_table("pn_statements")
    with op.batch_alter_table("pn_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_contributions_year"))
        batch_op.drop_index(batch_op.f("ix_pn_contributions_person_id"))
        batch_op.drop_index(batch_op.f("ix_pn_contributions_enrolment_id"))
        batch_op.drop_index(batch_op.f("ix_pn_contributions_division_code"))
        batch_op.drop_index(batch_op.f("ix_pn_contributions_credit_year"))

    op.drop_table("pn_contributions")
    with op.batch_alter_table("pn_medical_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_medical_credits_person_id"))

    op.drop_table("pn_medical_credits")
    with op.batch_alter_table("pn_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_enrolments_person_id"))
        batch_op.drop_index(batch_op.f("ix_pn_enrolments_employer_id"))
        batch_op.drop_index(batch_op.f("ix_pn_enrolments_division_code"))

    op.drop_table("pn_enrolments")
    with op.batch_alter_table("pn_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_accounts_person_id"))

    op.drop_table("pn_accounts")
