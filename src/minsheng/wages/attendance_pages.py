"""Pages of wage protection: attendance (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
