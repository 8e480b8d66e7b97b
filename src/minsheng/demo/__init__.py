"""Deterministic synthetic population for demonstrations and tests (no real person's data)."""
