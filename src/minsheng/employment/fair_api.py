"""JSON API of employment services: job fairs (招聘会): booths, allocation, on-site
check-in, interviews, the report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
