"""employment: full-text search over vacancies and profiles

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 06:00:00

``em_search_docs`` holds each searchable record's pre-tokenised text. PostgreSQL keeps the
tokens in a ``tsvector`` column under a GIN index; SQLite keeps them in the FTS5 table
``em_search_fts`` (external content over ``em_search_docs``, the ``ascii`` tokenizer: spaces
separate, every non-ASCII character belongs to a token), kept in step by three triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = (
    "CREATE VIRTUAL TABLE em_search_fts USING fts5("
    "body, content='em_search_docs', content_rowid='id', tokenize='ascii')",
    "CREATE TRIGGER em_search_docs_ai AFTER INSERT ON em_search_docs BEGIN "
    "INSERT INTO em_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER em_search_docs_ad AFTER DELETE ON em_search_docs BEGIN "
    "INSERT INTO em_search_fts(em_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "END",
    "CREATE TRIGGER em_search_docs_au AFTER UPDATE OF body ON em_search_docs BEGIN "
    "INSERT INTO em_search_fts(em_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO em_search_fts(rowid, body) VALUES (new.id, new.body); END",
)


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "em_search_docs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("occupation", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR() if pg else sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_em_search_docs")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_em_search_docs_kind")),
    )
    with op.batch_alter_table("em_search_docs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_em_search_docs_kind_division", ["kind", "division_code"], unique=False
        )
        batch_op.create_index(
            "ix_em_search_docs_kind_occupation", ["kind", "occupation"], unique=False
        )
        batch_op.create_index(
            "ix_em_search_docs_tsv", ["tsv"], unique=False, postgresql_using="gin"
        )
    if not pg:
        for statement in FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in ("em_search_docs_au", "em_search_docs_ad", "em_search_docs_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS em_search_fts")
    with op.batch_alter_table("em_search_docs", schema=None) as batch_op:
        batch_op.drop_index("ix_em_search_docs_tsv")
        batch_op.drop_index("ix_em_search_docs_kind_occupation")
        batch_op.drop_index("ix_em_search_docs_kind_division")
    op.drop_table("em_search_docs")
