"""JSON API of wage protection: project routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
