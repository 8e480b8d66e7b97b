"""registry: the statuses 易地扶贫搬迁 (relocated) and 失地农民 (land_lost), so one-to-one help
can count relocated households and farmers whose land was requisitioned

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-02 15:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'tekun', 'dibao', 'dibao_edge', 'poverty_return', 'border', 'disability', 'unemployed',"
    " 'orphan'"
)


def _status_kinds(kinds: str) -> None:
    with op.batch_alter_table("special_statuses", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_special_statuses_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({kinds})")


def upgrade() -> None:
    _status_kinds(KINDS + ", 'relocated', 'land_lost'")


def downgrade() -> None:
    op.execute("DELETE FROM special_statuses WHERE kind IN ('relocated', 'land_lost')")
    _status_kinds(KINDS)
