"""The supervisor's pages for the long jobs: payment rolls and the warning scan, started
and followed with progress.

(A placeholder router: its pages arrive with issue 15.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
