"""Pages of employment services, on the page kit: employers' hire filings (用工登记备案)
and vacancies, checked before publication."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
