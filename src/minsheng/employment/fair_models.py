"""Employment tables: job fairs (招聘会): booths, allocation, on-site check-in,
interviews, the report."""

from __future__ import annotations

__all__: list[str] = []
