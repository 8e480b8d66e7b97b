"""Employment tables: precision matching (精准推介) and the full-text search over
vacancies and profiles.

- ``em_search_docs``: one row per searchable record — a vacancy (``kind='vacancy'``) or a
  consenting, active seeker's profile (``kind='seeker'``) — holding its pre-tokenised text
  (:mod:`minsheng.employment.match_text`) and the columns searches filter by (county,
  occupation). Kept in step by :mod:`minsheng.employment.search` (``index_vacancy``,
  ``index_seeker``, ``reindex``).
- On PostgreSQL ``tsv`` holds the tokens as a ``tsvector`` (positions kept, no stemming: the
  text is already tokenised) under a GIN index; on SQLite it stays empty and the FTS5 virtual
  table ``em_search_fts`` (external content over ``em_search_docs``, the ``ascii`` tokenizer,
  kept in step by triggers; created by migration 0027) answers the queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from minsheng.db import Base

KINDS = ("vacancy", "seeker")
FTS_TABLES = (
    "em_search_fts",
    "em_search_fts_data",
    "em_search_fts_idx",
    "em_search_fts_docsize",
    "em_search_fts_config",
)  # SQLite's FTS5 table and its shadow tables (not models: created by migration 0027)


class TsVector(TypeDecorator[str]):
    """A ``tsvector`` on PostgreSQL, text (left empty) elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class EmSearchDoc(Base):
    """A searchable record's tokens (vacancy or seeker profile)."""

    __tablename__ = "em_search_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    ref_id: Mapped[int] = mapped_column(Integer)
    division_code: Mapped[str] = mapped_column(String(6))
    occupation: Mapped[str] = mapped_column(String(10), default="")
    body: Mapped[str] = mapped_column(Text)
    tsv: Mapped[str | None] = mapped_column(TsVector())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_em_search_docs_kind_division", "kind", "division_code"),
        Index("ix_em_search_docs_kind_occupation", "kind", "occupation"),
        Index("ix_em_search_docs_tsv", "tsv", postgresql_using="gin"),
    )


__all__ = ["FTS_TABLES", "KINDS", "EmSearchDoc", "TsVector"]
