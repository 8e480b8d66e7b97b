"""JSON API of employment services: precision matching (精准推介) and the full-text
search over vacancies and profiles."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
