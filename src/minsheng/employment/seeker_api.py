"""JSON API of employment services: job seekers (求职登记): registration from the
registry, profile, status history, re-confirmation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
