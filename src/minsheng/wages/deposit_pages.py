"""Pages of wage protection: deposit (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
