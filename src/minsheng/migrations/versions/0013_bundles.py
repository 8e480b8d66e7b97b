"""one-visit bundles (一件事一次办)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=True),
        sa.Column("done_key", sa.String(length=120), nullable=True),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('retirement', 'death', 'hire', 'card')", name=op.f("ck_bundles_kind")
        ),
        sa.CheckConstraint(
            "state IN ('received', 'done', 'refused')", name=op.f("ck_bundles_state")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_bundles_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundles")),
        sa.UniqueConstraint("done_key", name=op.f("uq_bundles_done_key")),
        sa.UniqueConstraint("key", name=op.f("uq_bundles_key")),
    )
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bundles_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bundles_person_id"), ["person_id"], unique=False)

    op.create_table(
        "bundle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"], ["bundles.id"], name=op.f("fk_bundle_events_bundle_id_bundles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_events")),
    )
    with op.batch_alter_table("bundle_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bundle_events_bundle_id"), ["bundle_id"], unique=False)

    op.create_table(
        "bundle_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('done', 'refused', 'rolled_back', 'not_run', 'skipped')",
            name=op.f("ck_bundle_parts_state"),
        ),
        sa.ForeignKeyConstraint(
            ["bundle_id"], ["bundles.id"], name=op.f("fk_bundle_parts_bundle_id_bundles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_parts")),
    )
    with op.batch_alter_table("bundle_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bundle_parts_bundle_id"), ["bundle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bundle_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundle_parts_bundle_id"))

    op.drop_table("bundle_parts")
    with op.batch_alter_table("bundle_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundle_events_bundle_id"))

    op.drop_table("bundle_events")
    with op.batch_alter_table("bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bundles_person_id"))
        batch_op.drop_index(batch_op.f("ix_bundles_division_code"))

    op.drop_table("bundles")
