"""medical: the ledger keeps the year's cost above the deductible, so the window settles cost
bands (分段报销) and eligible-cost ceilings

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 17:00:00

A settlement keeps what it counted of the year's cost above the deductible (``basic_above``);
the ledger sums it per person and year, outpatient and inpatient apart (``op_cost``,
``ip_cost``), as the replay does. Settlements made before carry 0: under Tibet's figures (no
bands, no ceiling) nothing read it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("med_ledger") as batch:
        batch.add_column(sa.Column("op_cost", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("ip_cost", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("med_settlements") as batch:
        batch.add_column(
            sa.Column("basic_above", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("med_settlements") as batch:
        batch.drop_column("basic_above")
    with op.batch_alter_table("med_ledger") as batch:
        batch.drop_column("ip_cost")
        batch.drop_column("op_cost")
