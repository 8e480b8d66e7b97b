"""Employment tables: employers' hire filings (用工登记备案) and vacancies, checked
before publication."""

from __future__ import annotations

__all__: list[str] = []
