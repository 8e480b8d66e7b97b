"""Pages of employment services, on the page kit: job seekers (求职登记): registration
from the registry, profile, status history, re-confirmation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
