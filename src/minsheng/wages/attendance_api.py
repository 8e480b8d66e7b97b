"""JSON API of wage protection: attendance routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
