"""Wage-protection tables: attendance (filled by its area)."""

from __future__ import annotations
