"""JSON API of employment services: vocational training (职业培训): programmes,
enrolment, attendance, certificates, subsidy, placement."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["employment 就业服务"])
