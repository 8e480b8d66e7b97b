"""JSON API of wage protection: pay routes (filled by its area)."""

from fastapi import APIRouter

router = APIRouter()
