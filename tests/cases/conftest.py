"""Fixtures shared with the assistance tests (a Lhasa household of three, a Shigatse one)."""

from tests.assistance.conftest import world  # noqa: F401
