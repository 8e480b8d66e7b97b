"""JSON API of wage protection: warning routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
