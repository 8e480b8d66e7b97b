"""payroll runs: prepared → issued, transfer files retrievable

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Runs recorded before this revision wrote their file before they committed (or, through the
    # API, none at all): they are taken as issued, with no file on record.
    with op.batch_alter_table("as_payroll_runs") as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), server_default="issued", nullable=False)
        )
        batch_op.add_column(sa.Column("file_name", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_as_payroll_runs_state"), ["state"], unique=False)
        batch_op.create_check_constraint("state", "state IN ('prepared', 'issued')")


def downgrade() -> None:
    with op.batch_alter_table("as_payroll_runs") as batch_op:
        batch_op.drop_constraint(op.f("ck_as_payroll_runs_state"), type_="check")
        batch_op.drop_index(batch_op.f("ix_as_payroll_runs_state"))
        batch_op.drop_column("issued_at")
        batch_op.drop_column("digest")
        batch_op.drop_column("file_name")
        batch_op.drop_column("state")
