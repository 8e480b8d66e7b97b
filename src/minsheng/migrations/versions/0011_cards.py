"""cards: social-security cards, their events, used electronic codes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 19:13:04.687082
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("activated_on", sa.Date(), nullable=True),
        sa.Column("lost_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("bank_name", sa.String(length=40), nullable=True),
        sa.Column("bank_account", sa.String(length=256), nullable=True),  # encrypted (AES-GCM)
        sa.Column("bank_account_tail", sa.String(length=4), nullable=True),
        sa.Column("reason", sa.String(length=400), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_cards_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["cards.id"], name=op.f("fk_cards_replaces_id_cards")
        ),
        sa.CheckConstraint(
            "state IN ('applied', 'made', 'issued', 'active', 'lost', 'replaced', 'cancelled')",
            name=op.f("ck_cards_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("number", name=op.f("uq_cards_number")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_division_code"), ["division_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cards_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cards_state"), ["state"], unique=False)

    op.create_table(
        "card_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
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
            ["card_id"], ["cards.id"], name=op.f("fk_card_events_card_id_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_events")),
    )
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_events_card_id"), ["card_id"], unique=False)

    op.create_table(
        "ecard_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_ecard_uses_card_id_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ecard_uses")),
        sa.UniqueConstraint("nonce", name="uq_ecard_nonce"),
    )
    with op.batch_alter_table("ecard_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ecard_uses_card_id"), ["card_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ecard_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ecard_uses_card_id"))

    op.drop_table("ecard_uses")
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_events_card_id"))

    op.drop_table("card_events")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_state"))
        batch_op.drop_index(batch_op.f("ix_cards_person_id"))
        batch_op.drop_index(batch_op.f("ix_cards_division_code"))

    op.drop_table("cards")
