"""employment: the digital gig market

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "em_gigs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("poster_name", sa.String(length=100), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("occupation", sa.String(length=10), nullable=False),
        sa.Column("day_pay", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("takedown_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'closed', 'taken_down')", name=op.f("ck_em_gigs_state")
        ),
        sa.CheckConstraint("slots >= 1 AND slots <= 1000", name=op.f("ck_em_gigs_slots")),
        sa.CheckConstraint("accepted >= 0 AND accepted <= slots", name=op.f("ck_em_gigs_accepted")),
        sa.CheckConstraint("day_pay >= 0 AND day_pay <= 10000000", name=op.f("ck_em_gigs_day_pay")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_em_gigs_days")),
        sa.CheckConstraint(
            "employer_id IS NOT NULL OR poster_name IS NOT NULL", name=op.f("ck_em_gigs_poster")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_em_gigs_employer_id_employers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_gigs")),
    )
    with op.batch_alter_table("em_gigs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_gigs_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_gigs_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index("ix_em_gigs_state_starts", ["state", "starts_on"], unique=False)

    op.create_table(
        "em_gig_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("checked_in_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("dispute_by", sa.Date(), nullable=True),
        sa.Column("settled", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "state IN ('applied', 'accepted', 'declined', 'withdrawn', 'checked_in', 'completed',"
            " 'paid', 'confirmed', 'disputed', 'settled')",
            name=op.f("ck_em_gig_applications_state"),
        ),
        sa.CheckConstraint(
            "paid IS NULL OR (paid >= 0 AND paid <= 900000000)",
            name=op.f("ck_em_gig_applications_paid"),
        ),
        sa.CheckConstraint(
            "settled IS NULL OR (settled >= 0 AND settled <= 900000000)",
            name=op.f("ck_em_gig_applications_settled"),
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["em_gigs.id"], name=op.f("fk_em_gig_applications_gig_id_em_gigs")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_em_gig_applications_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_gig_applications")),
        sa.UniqueConstraint("gig_id", "person_id", name="uq_em_gig_applications_gig_person"),
    )
    with op.batch_alter_table("em_gig_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_gig_applications_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_gig_applications_gig_id"), ["gig_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_em_gig_applications_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_em_gig_applications_state_due", ["state", "dispute_by"], unique=False
        )

    op.create_table(
        "em_gig_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["em_gig_applications.id"],
            name=op.f("fk_em_gig_events_application_id_em_gig_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["em_gigs.id"], name=op.f("fk_em_gig_events_gig_id_em_gigs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_gig_events")),
    )
    with op.batch_alter_table("em_gig_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_em_gig_events_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_em_gig_events_gig_id"), ["gig_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("em_gig_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_em_gig_events_gig_id"))
        batch_op.drop_index(batch_op.f("ix_em_gig_events_application_id"))
    op.drop_table("em_gig_events")
    with op.batch_alter_table("em_gig_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_em_gig_applications_state_due")
        batch_op.drop_index(batch_op.f("ix_em_gig_applications_person_id"))
        batch_op.drop_index(batch_op.f("ix_em_gig_applications_gig_id"))
        batch_op.drop_index(batch_op.f("ix_em_gig_applications_division_code"))
    op.drop_table("em_gig_applications")
    with op.batch_alter_table("em_gigs", schema=None) as batch_op:
        batch_op.drop_index("ix_em_gigs_state_starts")
        batch_op.drop_index(batch_op.f("ix_em_gigs_employer_id"))
        batch_op.drop_index(batch_op.f("ix_em_gigs_division_code"))
    op.drop_table("em_gigs")
