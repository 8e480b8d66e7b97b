"""medical: the ledger keeps the yearly totals of 倾斜救助 and the commercial layer, so the window
settles them

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 18:30:00

The ledger sums, per person and year, what 倾斜救助 paid (``ta_paid``, against its yearly limit),
the commercial layer's deductible used (``cm_deductible``) and what it paid (``cm_paid``, against
its yearly cap), as the replay does. A settlement keeps what each layer paid (``tilted``,
``commercial``: NULL where the region's layer order has no such layer — every settlement made
before, since a region with either layer was refused at the window) and the part of the
commercial deductible it used (``cm_deductible``), so a reversal takes each back exactly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEDGER = ("ta_paid", "cm_deductible", "cm_paid")


def upgrade() -> None:
    with op.batch_alter_table("med_ledger") as batch:
        for name in LEDGER:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("med_settlements") as batch:
        batch.add_column(sa.Column("tilted", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("commercial", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("cm_deductible", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("med_settlements") as batch:
        batch.drop_column("cm_deductible")
        batch.drop_column("commercial")
        batch.drop_column("tilted")
    with op.batch_alter_table("med_ledger") as batch:
        for name in reversed(LEDGER):
            batch.drop_column(name)
