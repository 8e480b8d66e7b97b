"""employment: one hire of a person by an employer on a day (a unique index on em_hires), and
the search index rebuilt with character bigrams

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-02 15:10:00

A double filing of the same hire was refused only by a read before the write, which two
concurrent requests could both pass. The search rows' tokens gained the bigrams of each Chinese
run (:mod:`minsheng.employment.match_text`); the rows are rebuilt from the tables here, so a
query finds what it found before without waiting for ``minsheng employment reindex``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_em_hires_employer_person_day",
        "em_hires",
        ["employer_id", "person_id", "hired_on"],
        unique=True,
    )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM em_search_docs LIMIT 1")).first() is None:
        return  # nothing indexed yet (a new database): nothing to rebuild
    from minsheng.employment import search

    session = Session(bind=bind)
    search.reindex(session)
    session.flush()


def downgrade() -> None:
    op.drop_index("uq_em_hires_employer_person_day", table_name="em_hires")
