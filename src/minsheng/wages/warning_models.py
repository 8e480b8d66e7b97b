"""Wage-protection tables: warning (filled by its area)."""

from __future__ import annotations
