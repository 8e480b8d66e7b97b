"""Pages of wage protection: pay (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
