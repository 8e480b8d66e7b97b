"""Employment tables: precision matching (精准推介) and the full-text search over
vacancies and profiles."""

from __future__ import annotations

__all__: list[str] = []
