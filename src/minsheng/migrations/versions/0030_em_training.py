"""employment: training programmes, enrolments, certificates

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "em_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("occupation", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("provider_employer_id", sa.Integer(), nullable=True),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("hire_promised", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "state IN ('planned', 'enrolling', 'running', 'finished')",
            name=op.f("ck_em_courses_state"),
        ),
        sa.CheckConstraint(
            "kind IN ('employment', 'upgrade', 'order')", name=op.f("ck_em_courses_kind")
        ),
        sa.CheckConstraint(
            "capacity >= 1 AND capacity <= 1000", name=op.f("ck_em_courses_capacity")
        ),
        sa.CheckConstraint(
            "enrolled >= 0 AND enrolled <= capacity", name=op.f("ck_em_courses_enrolled")
        ),
        sa.CheckConstraint("hours >= 1 AND hours <= 2000", name=op.f("ck_em_courses_hours")),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_em_courses_dates")),
        sa.CheckConstraint(
            "hire_promised >= 0 AND hire_promised <= capacity AND "
            "(kind = 'order' OR hire_promised = 0)",
            name=op.f("ck_em_courses_hire_promised"),
        ),
        sa.CheckConstraint(
            "kind <> 'order' OR employer_id IS NOT NULL",
            name=op.f("ck_em_courses_order_employer"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_em_courses_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["provider_employer_id"],
            ["employers.id"],
            name=op.f("fk_em_courses_provider_employer_id_employers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_courses")),
    )
    with op.batch_alter_table("em_courses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_courses_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_em_courses_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_courses_occupation"), ["occupation"], unique=False)

    op.create_table(
        "em_course_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["em_courses.id"],
            name=op.f("fk_em_course_events_course_id_em_courses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_course_events")),
    )
    with op.batch_alter_table("em_course_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_course_events_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "em_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=5), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("certificate_no", sa.String(length=24), nullable=True),
        sa.Column("subsidy", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "state IN ('enrolled', 'completed', 'incomplete')",
            name=op.f("ck_em_enrolments_state"),
        ),
        sa.CheckConstraint("via IN ('desk', 'self')", name=op.f("ck_em_enrolments_via")),
        sa.CheckConstraint(
            "subsidy >= 0 AND subsidy <= 1000000000000", name=op.f("ck_em_enrolments_subsidy")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["em_courses.id"], name=op.f("fk_em_enrolments_course_id_em_courses")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_enrolments_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_enrolments")),
        sa.UniqueConstraint("certificate_no", name=op.f("uq_em_enrolments_certificate_no")),
        sa.UniqueConstraint("course_id", "person_id", name=op.f("uq_em_enrolments_course_id")),
    )
    with op.batch_alter_table("em_enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_em_enrolments_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_em_enrolments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "em_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["em_enrolments.id"],
            name=op.f("fk_em_attendance_enrolment_id_em_enrolments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_attendance")),
        sa.UniqueConstraint("enrolment_id", "day", name=op.f("uq_em_attendance_enrolment_id")),
    )
    with op.batch_alter_table("em_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_attendance_enrolment_id"), ["enrolment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("em_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_attendance_enrolment_id"))
    op.drop_table("em_attendance")
    with op.batch_alter_table("em_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_enrolments_person_id"))
        batch_op.drop_index(batch_op.f("ix_em_enrolments_course_id"))
    op.drop_table("em_enrolments")
    with op.batch_alter_table("em_course_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_course_events_course_id"))
    op.drop_table("em_course_events")
    with op.batch_alter_table("em_courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_courses_occupation"))
        batch_op.drop_index(batch_op.f("ix_em_courses_employer_id"))
        batch_op.drop_index(batch_op.f("ix_em_courses_division_code"))
    op.drop_table("em_courses")
