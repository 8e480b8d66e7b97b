"""employment: employers' hire filings and vacancies

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "em_vacancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("occupation", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("wage_min", sa.BigInteger(), nullable=False),
        sa.Column("wage_max", sa.BigInteger(), nullable=False),
        sa.Column("education", sa.String(length=12), nullable=True),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("closing_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'refused', 'closed', 'taken_down')",
            name=op.f("ck_em_vacancies_state"),
        ),
        sa.CheckConstraint("count >= 1 AND count <= 10000", name=op.f("ck_em_vacancies_count")),
        sa.CheckConstraint("filled >= 0 AND filled <= count", name=op.f("ck_em_vacancies_filled")),
        sa.CheckConstraint(
            "wage_min >= 0 AND wage_min <= wage_max AND wage_max <= 100000000",
            name=op.f("ck_em_vacancies_wage"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_em_vacancies_employer_id_employers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_vacancies")),
    )
    with op.batch_alter_table("em_vacancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_vacancies_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_em_vacancies_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_em_vacancies_occupation"), ["occupation"], unique=False
        )
        batch_op.create_index(
            "ix_em_vacancies_state_closing", ["state", "closing_on"], unique=False
        )

    op.create_table(
        "em_hires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("occupation", sa.String(length=10), nullable=False),
        sa.Column("hired_on", sa.Date(), nullable=False),
        sa.Column("file_by", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=6), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("state IN ('due', 'filed')", name=op.f("ck_em_hires_state")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_em_hires_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_hires_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["em_vacancies.id"], name=op.f("fk_em_hires_vacancy_id_em_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_hires")),
    )
    with op.batch_alter_table("em_hires", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_hires_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_hires_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index("ix_em_hires_hired_on", ["hired_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_em_hires_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_em_hires_vacancy_id"), ["vacancy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("em_hires", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_hires_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_em_hires_person_id"))
        batch_op.drop_index("ix_em_hires_hired_on")
        batch_op.drop_index(batch_op.f("ix_em_hires_employer_id"))
        batch_op.drop_index(batch_op.f("ix_em_hires_division_code"))

    op.drop_table("em_hires")
    with op.batch_alter_table("em_vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_em_vacancies_state_closing")
        batch_op.drop_index(batch_op.f("ix_em_vacancies_occupation"))
        batch_op.drop_index(batch_op.f("ix_em_vacancies_employer_id"))
        batch_op.drop_index(batch_op.f("ix_em_vacancies_division_code"))

    op.drop_table("em_vacancies")
