"""JSON API of wage protection: complaint routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
