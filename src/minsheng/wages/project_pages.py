"""Pages of wage protection: project (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
