"""Employment tables: job seekers (求职登记): registration from the registry, profile,
status history, re-confirmation."""

from __future__ import annotations

__all__: list[str] = []
