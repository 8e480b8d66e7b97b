"""employment: job fairs, booths, check-ins, interviews

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "em_fairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=10), nullable=False),
        sa.Column("cadence", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cadence IN ('once', 'weekly', 'monthly')", name=op.f("ck_em_fairs_cadence")
        ),
        sa.CheckConstraint(
            "state IN ('planned', 'open', 'allocated', 'cancelled')", name=op.f("ck_em_fairs_state")
        ),
        sa.CheckConstraint(
            "theme IN ('general', 'graduates', 'rural', 'disabled', 'women', 'relocated')",
            name=op.f("ck_em_fairs_theme"),
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_em_fairs_hours")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_em_fairs_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_fairs")),
    )
    with op.batch_alter_table("em_fairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_fairs_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_fairs_starts_on"), ["starts_on"], unique=False)

    op.create_table(
        "em_fair_booths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("klass", sa.String(length=8), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=2), nullable=True),
        sa.CheckConstraint(
            "klass IN ('standard', 'large', 'corner')", name=op.f("ck_em_fair_booths_klass")
        ),
        sa.CheckConstraint(
            "capacity >= 1 AND capacity <= 100", name=op.f("ck_em_fair_booths_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["em_fairs.id"], name=op.f("fk_em_fair_booths_fair_id_em_fairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_fair_booths")),
        sa.UniqueConstraint("fair_id", "number", name=op.f("uq_em_fair_booths_fair_id")),
    )
    with op.batch_alter_table("em_fair_booths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_em_fair_booths_fair_id"), ["fair_id"], unique=False)

    op.create_table(
        "em_fair_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("wanted_class", sa.String(length=8), nullable=False),
        sa.Column("vacancy_ids", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("booth_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "state IN ('applied', 'accepted', 'refused')",
            name=op.f("ck_em_fair_applications_state"),
        ),
        sa.CheckConstraint(
            "wanted_class IN ('standard', 'large', 'corner')",
            name=op.f("ck_em_fair_applications_wanted_class"),
        ),
        sa.ForeignKeyConstraint(
            ["booth_id"],
            ["em_fair_booths.id"],
            name=op.f("fk_em_fair_applications_booth_id_em_fair_booths"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_em_fair_applications_employer_id_employers"),
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["em_fairs.id"], name=op.f("fk_em_fair_applications_fair_id_em_fairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_fair_applications")),
        sa.UniqueConstraint("booth_id", name=op.f("uq_em_fair_applications_booth_id")),
        sa.UniqueConstraint("fair_id", "employer_id", name=op.f("uq_em_fair_applications_fair_id")),
    )
    with op.batch_alter_table("em_fair_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_fair_applications_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_em_fair_applications_fair_id"), ["fair_id"], unique=False
        )

    op.create_table(
        "em_fair_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('interviewed', 'intends', 'unsuitable')",
            name=op.f("ck_em_fair_interviews_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_em_fair_interviews_employer_id_employers"),
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["em_fairs.id"], name=op.f("fk_em_fair_interviews_fair_id_em_fairs")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_fair_interviews_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["em_vacancies.id"],
            name=op.f("fk_em_fair_interviews_vacancy_id_em_vacancies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_fair_interviews")),
        sa.UniqueConstraint(
            "fair_id", "employer_id", "person_id", name=op.f("uq_em_fair_interviews_fair_id")
        ),
    )
    with op.batch_alter_table("em_fair_interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_fair_interviews_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_em_fair_interviews_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "em_fair_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("seeker_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=2), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("via IN ('id', 'qr')", name=op.f("ck_em_fair_checkins_via")),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["em_fairs.id"], name=op.f("fk_em_fair_checkins_fair_id_em_fairs")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_fair_checkins_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["seeker_id"], ["em_seekers.id"], name=op.f("fk_em_fair_checkins_seeker_id_em_seekers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_fair_checkins")),
        sa.UniqueConstraint("fair_id", "person_id", name=op.f("uq_em_fair_checkins_fair_id")),
    )
    with op.batch_alter_table("em_fair_checkins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_fair_checkins_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("em_fair_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_fair_checkins_person_id"))

    op.drop_table("em_fair_checkins")
    with op.batch_alter_table("em_fair_interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_fair_interviews_person_id"))
        batch_op.drop_index(batch_op.f("ix_em_fair_interviews_employer_id"))

    op.drop_table("em_fair_interviews")
    with op.batch_alter_table("em_fair_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_fair_applications_fair_id"))
        batch_op.drop_index(batch_op.f("ix_em_fair_applications_employer_id"))

    op.drop_table("em_fair_applications")
    with op.batch_alter_table("em_fair_booths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_fair_booths_fair_id"))

    op.drop_table("em_fair_booths")
    with op.batch_alter_table("em_fairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_fairs_starts_on"))
        batch_op.drop_index(batch_op.f("ix_em_fairs_division_code"))

    op.drop_table("em_fairs")
