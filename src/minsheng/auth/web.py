"""Auth's part of the web: who is calling (a session cookie or a bearer token), and opening a
session at sign-in. The guards themselves (``permit``, ``public``, CSRF) are the page kit's
(:mod:`minsheng.webkit.guards`); the app installs :func:`resolve_principal` as their resolver."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from minsheng.auth import credentials, service, tokens
from minsheng.core.errors import UnauthenticatedError
from minsheng.foundation.principals import Principal
from minsheng.webkit.guards import SESSION_COOKIE, client_ip


def _resolve_sync(request: Request) -> Principal:
    ip = client_ip(request)
    header = request.headers.get("authorization", "")
    with request.app.state.sessionmaker() as s:
        if header.lower().startswith("bearer "):
            request.state.auth_kind = "bearer"
            raw = header[7:].strip()
            p = tokens.principal_from_token(s, raw, ip)
            if p is None:
                raise UnauthenticatedError(
                    "令牌无效、已撤销或已过期", "invalid, revoked or expired token"
                )
            credentials.remember("token", raw, p)
            return p
        token = request.cookies.get(SESSION_COOKIE)
        request.state.auth_kind = "cookie" if token else "none"
        principal = service.principal_from_session(s, token, ip)
        if token and principal.authenticated:
            credentials.remember("session", token, principal)
        return principal


def _remembered(request: Request) -> Principal | None:
    """The caller from the short-lived memory, without touching the database."""
    header = request.headers.get("authorization", "")
    ip = client_ip(request)
    if header.lower().startswith("bearer "):
        request.state.auth_kind = "bearer"
        return credentials.remembered("token", header[7:].strip(), ip)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.state.auth_kind = "cookie"
        return credentials.remembered("session", token, ip)
    return None


async def resolve_principal(request: Request) -> Principal:
    """The caller, from the short-lived memory or else the database (in a worker thread)."""
    principal = _remembered(request)
    if principal is None:
        principal = await run_in_threadpool(_resolve_sync, request)
    return principal


def open_session_for(
    request: Request, session: Any, user: Any = None, person: Any = None
) -> service.NewSession:
    """Open a login session for a staff user or a citizen, from this request's address."""
    return service.open_session(
        session,
        request.app.state.settings.session_hours,
        user=user,
        person=person,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
