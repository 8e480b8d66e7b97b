"""Pages of employment services, on the page kit: vocational training (职业培训):
programmes, enrolment, attendance, certificates, subsidy, placement."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
