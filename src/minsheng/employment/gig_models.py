"""Employment tables: the digital gig market (数字零工市场): short jobs, apply, check-in,
completion, pay confirmed."""

from __future__ import annotations

__all__: list[str] = []
