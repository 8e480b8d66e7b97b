"""auth: a token remembers the one-time key of the form that asked for it; medical: a reversal
keeps its reason in its own column

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02 19:10:00

Reloading the page that showed a new token re-posted its form and minted a second token; the
form now carries a one-time key, stored with the token (unique per account), so the repeat
finds the token it made. The reason a cashier gives for a reversal (冲销) was kept only in the
audit log; it is now stored on the reversal row too, copied here from the log for the
reversals made before.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("form_key", sa.String(64), nullable=True))
    op.create_index(
        "uq_api_tokens_user_form_key", "api_tokens", ["user_id", "form_key"], unique=True
    )
    with op.batch_alter_table("med_settlements") as batch:
        batch.add_column(sa.Column("reason", sa.String(200), nullable=True))
    bind = op.get_bind()
    logged = bind.execute(
        sa.text("SELECT detail FROM audit_log WHERE action = 'reverse_reason' ORDER BY id")
    ).all()
    for (detail,) in logged:
        d = json.loads(detail or "{}")
        if isinstance(d.get("reversal_id"), int) and d.get("reason"):
            bind.execute(
                sa.text("UPDATE med_settlements SET reason = :r WHERE id = :i"),
                {"r": str(d["reason"])[:200], "i": d["reversal_id"]},
            )


def downgrade() -> None:
    with op.batch_alter_table("med_settlements") as batch:
        batch.drop_column("reason")
    op.drop_index("uq_api_tokens_user_form_key", table_name="api_tokens")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("form_key")
