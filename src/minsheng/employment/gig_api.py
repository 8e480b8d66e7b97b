"""JSON API of employment services: the digital gig market (数字零工市场): short jobs,
apply, check-in, completion, pay confirmed."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
