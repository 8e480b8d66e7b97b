"""Pages of employment services, on the page kit: precision matching (精准推介) and the
full-text search over vacancies and profiles."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
