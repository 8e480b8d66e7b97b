"""JSON API of wage protection: deposit routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
