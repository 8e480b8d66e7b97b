"""medical: idempotency fingerprints, previews confirmed by id, bills without ID numbers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00

Data: every stored bill (``med_settlements.bill``) named the patient by the full ID number the
cashier typed; it is rewritten to reference the person (``{"person_id": …}``), which the row
already holds. The rewrite cannot be undone (the ID number stays only in ``persons``, encrypted),
so ``downgrade`` leaves the bills as they are.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _rewrite_bills() -> None:
    conn = op.get_bind()
    table = sa.table(
        "med_settlements",
        sa.column("id", sa.Integer),
        sa.column("person_id", sa.Integer),
        sa.column("bill", sa.Text),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.person_id, table.c.bill)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, person_id, bill in rows:
            try:
                data = json.loads(bill)
            except (TypeError, ValueError):
                data = None
            if isinstance(data, dict):
                if data.get("patient") == {"person_id": person_id}:
                    continue
                data["patient"] = {"person_id": person_id}
                new = json.dumps(data, ensure_ascii=False)
            else:  # not a bill we can read: keep nothing of it but the reference
                new = json.dumps({"patient": {"person_id": person_id}})
            conn.execute(sa.update(table).where(table.c.id == row_id).values(bill=new))
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("med_settlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))

    op.create_table(
        "med_previews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("bill", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_med_previews_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_med_previews_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["med_settlements.id"],
            name=op.f("fk_med_previews_settlement_id_med_settlements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_med_previews")),
    )
    with op.batch_alter_table("med_previews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_med_previews_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_med_previews_person_id"), ["person_id"], unique=False)

    _rewrite_bills()


def downgrade() -> None:
    with op.batch_alter_table("med_previews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_med_previews_person_id"))
        batch_op.drop_index(batch_op.f("ix_med_previews_expires_at"))
    op.drop_table("med_previews")
    with op.batch_alter_table("med_settlements", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
