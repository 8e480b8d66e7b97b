"""The administrator's pages: users, roles (with the second approval) and tokens.

(A placeholder router: its pages arrive with issue 15.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
