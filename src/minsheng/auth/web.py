"""Auth's part of the web: who is calling (a session cookie or a bearer token), and opening a
session at sign-in. The guards themselves (``permit``, ``public``, CSRF) are the page kit's
(:mod:`minsheng.webkit.guards`); the app installs :func:`resolve_principal` as their resolver."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from minsheng.auth import service, tokens
from minsheng.auth.callers import Callers, generation
from minsheng.core.errors import UnauthenticatedError
from minsheng.foundation.principals import Principal
from minsheng.webkit.guards import SESSION_COOKIE, client_ip


def _resolve_sync(request: Request) -> Principal:
    ip = client_ip(request)
    header = request.headers.get("authorization", "")
    callers: Callers = request.app.state.callers
    with request.app.state.sessionmaker() as s:
        if header.lower().startswith("bearer "):
            request.state.auth_kind = "bearer"
            raw = header[7:].strip()
            read_at = callers.clock()
            count = generation(s)  # first: what is remembered was resolved after it
            callers.observe(count, read_at)
            p = tokens.principal_from_token(s, raw, ip)
            if p is None:
                raise UnauthenticatedError(
                    "令牌无效、已撤销或已过期", "invalid, revoked or expired token"
                )
            callers.remember("token", raw, p, count)
            return p
        token = request.cookies.get(SESSION_COOKIE)
        request.state.auth_kind = "cookie" if token else "none"
        if not token:
            return service.principal_from_session(s, None, ip)
        read_at = callers.clock()
        count = generation(s)
        callers.observe(count, read_at)
        principal = service.principal_from_session(s, token, ip)
        if principal.authenticated:
            callers.remember("session", token, principal, count)
        return principal


def _remembered(request: Request) -> Principal | None:
    """The caller from the short-lived memory, without touching the database."""
    header = request.headers.get("authorization", "")
    ip = client_ip(request)
    callers: Callers = request.app.state.callers
    if header.lower().startswith("bearer "):
        request.state.auth_kind = "bearer"
        return callers.remembered("token", header[7:].strip(), ip)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.state.auth_kind = "cookie"
        return callers.remembered("session", token, ip)
    return None


async def resolve_principal(request: Request) -> Principal:
    """The caller, from the short-lived memory (:mod:`minsheng.auth.callers`) or else the
    database (in a worker thread)."""
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
