"""Pages of wage protection: complaint (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
