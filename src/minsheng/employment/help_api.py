"""JSON API of employment services: hard-to-employ people (就业困难人员) and one-to-one
help (一对一帮扶) on the case engine."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
