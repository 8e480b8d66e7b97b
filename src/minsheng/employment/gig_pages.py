"""Pages of employment services, on the page kit: the digital gig market (数字零工市场):
short jobs, apply, check-in, completion, pay confirmed."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
