"""auth: one counted row of the changes that end a credential, read by every worker process

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-04 18:10:00

``auth_generation`` (one row, ``id`` 1) counts the revocations, sign-outs, disabled accounts and
role changes. A worker process remembers a resolved caller for a few seconds under the count it
read with it and drops what it remembers when the count moves, so a token revoked through one
worker (or the command line) is refused by every other one within a second
(``minsheng.auth.callers``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "auth_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("auth_generation")
