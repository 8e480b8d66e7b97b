"""Pages of wage protection: warning (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
