"""employment: hard-to-employ people and one-to-one help plans

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "em_help_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("seeker_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("open_key", sa.String(length=24), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("contact_by", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("hire_id", sa.Integer(), nullable=True),
        sa.Column("outcome_note", sa.String(length=400), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'employed', 'training', 'declined', 'moved', 'stopped', 'ended')",
            name=op.f("ck_em_help_plans_state"),
        ),
        sa.ForeignKeyConstraint(
            ["hire_id"], ["em_hires.id"], name=op.f("fk_em_help_plans_hire_id_em_hires")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_help_plans_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["seeker_id"], ["em_seekers.id"], name=op.f("fk_em_help_plans_seeker_id_em_seekers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_help_plans")),
        sa.UniqueConstraint("open_key", name=op.f("uq_em_help_plans_open_key")),
    )
    with op.batch_alter_table("em_help_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_em_help_plans_assignee"), ["assignee"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_em_help_plans_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_help_plans_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_em_help_plans_state_due", ["state", "due_on"], unique=False)

    op.create_table(
        "em_help_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("next_step", sa.String(length=200), nullable=True),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('visit', 'phone', 'message', 'office')",
            name=op.f("ck_em_help_contacts_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["em_help_plans.id"],
            name=op.f("fk_em_help_contacts_plan_id_em_help_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_help_contacts")),
    )
    with op.batch_alter_table("em_help_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_em_help_contacts_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "em_help_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["em_help_plans.id"], name=op.f("fk_em_help_events_plan_id_em_help_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_help_events")),
    )
    with op.batch_alter_table("em_help_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_em_help_events_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "em_help_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=200), nullable=True),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'job_lead' AND vacancy_id IS NOT NULL) OR (kind = 'training_offer' AND "
            "(course_id IS NOT NULL OR text IS NOT NULL))",
            name=op.f("ck_em_help_services_what"),
        ),
        sa.CheckConstraint(
            "kind IN ('job_lead', 'training_offer')", name=op.f("ck_em_help_services_kind")
        ),
        sa.CheckConstraint(
            "response IN ('pending', 'accepted', 'refused')",
            name=op.f("ck_em_help_services_response"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_help_services_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["em_help_plans.id"],
            name=op.f("fk_em_help_services_plan_id_em_help_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["em_vacancies.id"],
            name=op.f("fk_em_help_services_vacancy_id_em_vacancies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_help_services")),
    )
    with op.batch_alter_table("em_help_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_help_services_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_em_help_services_person_response",
            ["person_id", "response", "responded_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_em_help_services_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("em_help_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_help_services_plan_id"))
        batch_op.drop_index("ix_em_help_services_person_response")
        batch_op.drop_index(batch_op.f("ix_em_help_services_person_id"))

    op.drop_table("em_help_services")
    with op.batch_alter_table("em_help_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_help_events_plan_id"))

    op.drop_table("em_help_events")
    with op.batch_alter_table("em_help_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_help_contacts_plan_id"))

    op.drop_table("em_help_contacts")
    with op.batch_alter_table("em_help_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_em_help_plans_state_due")
        batch_op.drop_index(batch_op.f("ix_em_help_plans_person_id"))
        batch_op.drop_index(batch_op.f("ix_em_help_plans_division_code"))
        batch_op.drop_index(batch_op.f("ix_em_help_plans_assignee"))

    op.drop_table("em_help_plans")
