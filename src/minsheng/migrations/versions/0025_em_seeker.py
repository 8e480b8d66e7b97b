"""employment: job seekers, their status history, occupations

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "em_seekers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("education", sa.String(length=12), nullable=True),
        sa.Column("major", sa.String(length=100), nullable=True),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("certificates", sa.Text(), nullable=False),
        sa.Column("occupations", sa.Text(), nullable=False),
        sa.Column("wage_min", sa.BigInteger(), nullable=True),
        sa.Column("counties", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("graduate_year", sa.Integer(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "education IS NULL OR education IN ('none', 'primary', 'junior', 'senior', "
            "'vocational', 'college', 'bachelor', 'master', 'doctor')",
            name=op.f("ck_em_seekers_education"),
        ),
        sa.CheckConstraint(
            "state IN ('active', 'lapsed', 'closed')", name=op.f("ck_em_seekers_state")
        ),
        sa.CheckConstraint(
            "status IN ('unemployed', 'employed', 'student', 'graduate')",
            name=op.f("ck_em_seekers_status"),
        ),
        sa.CheckConstraint(
            "wage_min IS NULL OR (wage_min >= 0 AND wage_min <= 100000000)",
            name=op.f("ck_em_seekers_wage"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_seekers_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_seekers")),
        sa.UniqueConstraint("person_id", name=op.f("uq_em_seekers_person_id")),
    )
    with op.batch_alter_table("em_seekers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_seekers_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            "ix_em_seekers_state_confirmed", ["state", "confirmed_on"], unique=False
        )

    op.create_table(
        "em_seeker_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seeker_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("graduate_year", sa.Integer(), nullable=True),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('unemployed', 'employed', 'student', 'graduate')",
            name=op.f("ck_em_seeker_statuses_status"),
        ),
        sa.ForeignKeyConstraint(
            ["seeker_id"],
            ["em_seekers.id"],
            name=op.f("fk_em_seeker_statuses_seeker_id_em_seekers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_seeker_statuses")),
    )
    with op.batch_alter_table("em_seeker_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_seeker_statuses_seeker_id"), ["seeker_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("em_seeker_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_seeker_statuses_seeker_id"))

    op.drop_table("em_seeker_statuses")
    with op.batch_alter_table("em_seekers", schema=None) as batch_op:
        batch_op.drop_index("ix_em_seekers_state_confirmed")
        batch_op.drop_index(batch_op.f("ix_em_seekers_division_code"))

    op.drop_table("em_seekers")
