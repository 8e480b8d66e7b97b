"""casework: maker-checker on decisions, statuses only from decided cases

Also: ID masks that cannot be rebuilt (the prefecture only: 5401**************), and household
codes unique within their county rather than across the region.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The stored mask kept the sequence and check character (5401**********123X); beside the
    # birth date and county that rebuilt the number. Keep the first four characters only —
    # computable from the old mask itself, no key needed.
    op.execute(
        "UPDATE persons SET id_masked = substr(id_masked, 1, 4)"
        " || substr('**************', 1, length(id_masked) - 4)"
        " WHERE length(id_masked) > 8"
    )
    # 户号 are issued per county: unique within it, so a code used elsewhere neither clashes
    # nor tells that it exists.
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_households_code"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_households_division_code"), ["division_code", "code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_households_division_code"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_households_code"), ["code"])
    # the narrower ID masks stay: the wider ones are what this revision removed
