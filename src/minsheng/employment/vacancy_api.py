"""JSON API of employment services: employers' hire filings (用工登记备案) and vacancies,
checked before publication."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
