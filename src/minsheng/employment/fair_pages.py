"""Pages of employment services, on the page kit: job fairs (招聘会): booths,
allocation, on-site check-in, interviews, the report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
