"""pn_payments without the indexes the roll does not read (person, month, division: each was a
write per row of a 500,000-claimant roll); a recovery repayment's idempotency key

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pn_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pn_payments_division_code"))
        batch_op.drop_index(batch_op.f("ix_pn_payments_month"))
        batch_op.drop_index(batch_op.f("ix_pn_payments_person_id"))
    with op.batch_alter_table("pn_recovery_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_pn_recovery_events_key"), ["key"])


def downgrade() -> None:
    with op.batch_alter_table("pn_recovery_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_pn_recovery_events_key"), type_="unique")
        batch_op.drop_column("key")
    with op.batch_alter_table("pn_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pn_payments_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pn_payments_month"), ["month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pn_payments_division_code"), ["division_code"], unique=False
        )
