"""The citizen's own face check (人脸识别认证) behind a pluggable verifier.

A verifier is anything with :meth:`Verifier.verify` (a :class:`typing.Protocol`); the one used is
named by ``MINSHENG_FACE_VERIFIER`` as ``module:Class`` (default: :class:`DevelopmentVerifier`).
The development verifier accepts the evidence ``dev-face-ok:<person id>`` and nothing else, and
refuses to run when ``MINSHENG_ENV=production`` — a deployment names its vendor's adapter.
"""

from __future__ import annotations

import hmac
import importlib
import os
from typing import Protocol

ENV = "MINSHENG_FACE_VERIFIER"
DEFAULT = "minsheng.pensions.verifiers:DevelopmentVerifier"


class Verifier(Protocol):
    name: str

    def verify(self, person_id: int, evidence: str) -> bool:
        """Whether ``evidence`` (the app's liveness and face-match token) shows the person."""
        ...


class DevelopmentVerifier:
    name = "development"

    def verify(self, person_id: int, evidence: str) -> bool:
        if os.environ.get("MINSHENG_ENV") == "production":
            raise RuntimeError("the development face verifier does not run in production")
        # bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
        return hmac.compare_digest(str(evidence).encode(), f"dev-face-ok:{person_id}".encode())


def configured() -> Verifier:
    """The verifier named by configuration."""
    module, _, cls = os.environ.get(ENV, DEFAULT).partition(":")
    found: Verifier = getattr(importlib.import_module(module), cls)()
    return found
