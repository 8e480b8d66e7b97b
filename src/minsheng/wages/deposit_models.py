"""Wage-protection tables: deposit (filled by its area)."""

from __future__ import annotations
