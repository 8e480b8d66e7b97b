"""The auditor's pages: the audit log, browsable and verifiable.

(A placeholder router: its pages arrive with issue 15.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
