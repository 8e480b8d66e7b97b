"""Pages of employment services, on the page kit: hard-to-employ people (就业困难人员)
and one-to-one help (一对一帮扶) on the case engine."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
