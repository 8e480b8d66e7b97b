"""The one permission check every route and page goes through, and the protections around it:
CSRF tokens, rate limits, request size limits and security headers.

A route declares what it needs with a dependency: ``Depends(permit("registry:read"))`` or
``Depends(public())``. :func:`unguarded_routes` lists routes that declare neither, and the app
factory refuses to start while that list is not empty — deny unless allowed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minsheng.core.errors import ForbiddenError, UnauthenticatedError, invalid
from minsheng.foundation import crypto
from minsheng.foundation.principals import ANONYMOUS, Principal
from minsheng.webkit import i18n

GUARD_ATTR = "__minsheng_guard__"
SESSION_COOKIE = "ms_session"
CSRF_COOKIE = "ms_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
Resolver = Callable[[Request], Awaitable[Principal]]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``MINSHENG_TRUSTED_PROXIES`` entries (addresses or networks) as networks."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_ip(request: Request) -> str | None:
    """The caller's address: the peer's, unless the peer is a configured proxy
    (``MINSHENG_TRUSTED_PROXIES``; none by default), in which case the last address in
    ``X-Forwarded-For`` that no trusted proxy added. A client cannot choose its own audit
    address or rate-limit bucket by sending the header."""
    peer = request.client.host if request.client else None
    proxies: tuple[Network, ...] = getattr(request.app.state, "trusted_proxies", ())
    if peer is None or not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: believe only the proxy itself
    return peer


async def resolve(request: Request) -> Principal:
    """The caller of this request (cached on the request).

    The page kit does not know how callers are recognised: the app installs the resolver
    (``app.state.resolve_principal``, auth's sessions and tokens). Without one every caller is
    anonymous, so a guarded route refuses — deny unless allowed."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    resolver: Resolver | None = getattr(request.app.state, "resolve_principal", None)
    principal = ANONYMOUS if resolver is None else await resolver(request)
    request.state.principal = principal
    return principal


def principal_of(request: Request) -> Principal:
    """The principal a guard resolved (pages and handlers call this after their guard ran)."""
    found: Principal = getattr(request.state, "principal", ANONYMOUS)
    return found


# ----------------------------------------------------------------------------- CSRF
#
# A signed-in browser's CSRF token is an HMAC (under a server key) of its session token, so it
# is bound to that session: a cookie planted by someone else, or another session's token, does
# not pass. Before sign-in the token is a random nonce signed the same way (a signed double
# submit), renewed at sign-in.


def _csrf_mac(message: str) -> str:
    key = crypto.keys().purpose_key("csrf")
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_for_session(session_token: str) -> str:
    return _csrf_mac("session:" + hashlib.sha256(session_token.encode()).hexdigest())


def new_anonymous_csrf() -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_csrf_mac('anonymous:' + nonce)[:22]}"


def csrf_of(request: Request) -> str:
    """This request's CSRF token. An API client's (bearer, no cookies) is minted only when
    something asks for it — a page's form, ``/api/auth/csrf`` — and then sent as a cookie."""
    token: str | None = getattr(request.state, "csrf", None)
    if token is None:
        token = request.state.csrf = new_anonymous_csrf()
    return token


def _valid_anonymous_csrf(value: str | None) -> bool:
    if not value or "." not in value:
        return False
    nonce, _, mac = value.partition(".")
    return hmac.compare_digest(mac, _csrf_mac("anonymous:" + nonce)[:22])


def expected_csrf(cookies: dict[str, str]) -> str | None:
    """The token this browser must echo: bound to its session, or its signed anonymous one."""
    session_token = cookies.get(SESSION_COOKIE)
    if session_token:
        return csrf_for_session(session_token)
    anonymous = cookies.get(CSRF_COOKIE)
    return anonymous if _valid_anonymous_csrf(anonymous) else None


def _origin_ok(request: Request) -> bool:
    """An unsafe cookie-borne request must come from our own pages: its ``Origin`` (or, when a
    browser sends none, its ``Referer``) names this host or an origin in ``MINSHENG_ORIGINS``.
    A request with neither (a non-browser client) is left to the CSRF token."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    allowed: tuple[str, ...] = getattr(request.app.state, "allowed_origins", ())
    if origin.rstrip("/") in allowed:
        return True
    host = request.headers.get("host")
    return bool(host) and urlsplit(origin).netloc == host


async def check_csrf(request: Request) -> None:
    """Unsafe requests that ride on cookies must come from our origin and echo the token bound
    to their session (bearer-token requests carry no ambient authority and need neither)."""
    if request.method in SAFE_METHODS or getattr(request.state, "auth_kind", "none") == "bearer":
        return
    if not _origin_ok(request):
        raise ForbiddenError(
            "origin",
            "origin",
            "请求来自其他网站，已拒绝",
            "the request comes from another site and is refused",
            bo="རེ་ཞུ་འདི་དྲ་ཚིགས་གཞན་ནས་ཡོང་བས་ཁས་མ་བླངས།",
        )
    cookie = expected_csrf(request.cookies)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise ForbiddenError(
            CSRF_FIELD,
            "csrf",
            "请求缺少有效的CSRF令牌，请刷新页面后重试",
            "the request lacks a valid CSRF token; reload the page and try again",
        )


Guard = Callable[[Request], Awaitable[Principal]]


def refuse_nul(request: Request) -> None:
    """A NUL byte in the query string (``%00``) is refused, naming its parameter, before any
    route reads it: no text column of PostgreSQL can hold one, and no parameter needs one."""
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            field = key.replace("\x00", "") or "query"
            raise invalid(
                field[:64],
                "nul",
                "查询参数不能包含空字符（NUL）",
                "a query parameter cannot contain a NUL character",
                bo="འདྲི་བའི་ཞུ་ཚིག་ནང་ NUL ཡིག་འབྲུ་འཇུག་མི་ཆོག",
            )


def permit(permission: str) -> Guard:
    """A dependency that lets through only callers holding ``permission``."""

    async def guard(request: Request) -> Principal:
        refuse_nul(request)
        principal = await resolve(request)
        await check_csrf(request)
        if not principal.authenticated:
            raise UnauthenticatedError()
        if not principal.can(permission):
            raise ForbiddenError(
                "permission",
                "forbidden",
                f"您的角色没有此权限（{permission}）",
                f"your role lacks the permission {permission}",
            )
        return principal

    setattr(guard, GUARD_ATTR, permission)
    return guard


def public() -> Guard:
    """A dependency for routes anyone may call (CSRF still applies to unsafe methods)."""

    async def guard(request: Request) -> Principal:
        refuse_nul(request)
        principal = await resolve(request)
        await check_csrf(request)
        return principal

    setattr(guard, GUARD_ATTR, "public")
    return guard


def guard_of(route: APIRoute) -> str | None:
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        found = getattr(dep.call, GUARD_ATTR, None)
        if found:
            return str(found)
        stack.extend(dep.dependencies)
    return None


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of the app, inside included routers too.

    Newer FastAPI keeps an included router as one entry of ``app.routes``; its routes (with the
    router's prefix already in their paths — we never add a prefix when including) are walked
    here.
    """
    found: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                found.append(r)
            elif hasattr(r, "original_router"):
                walk(list(r.original_router.routes))

    walk(list(app.routes))
    return found


def unguarded_routes(app: FastAPI) -> list[str]:
    return [
        f"{','.join(sorted(r.methods or ()))} {r.path}"
        for r in api_routes(app)
        if guard_of(r) is None
    ]


# ----------------------------------------------------------------------------- rate limits


class Limiter(Protocol):
    """What the app installs as ``app.state.limiter`` (auth's :class:`~minsheng.auth.limits.
    RateLimits`, counted in the database so that a limit holds across worker processes)."""

    def hit(self, key: str, limit: int, window: float) -> None: ...  # 429 past the limit

    def reset(self) -> None: ...


# (limit, window in seconds) — security settings, not policy figures
LIMITS = {
    "login_ip": (20, 60.0),  # per address, any username; per (username, address): the
    # database-backed throttle of service.authenticate (no per-username limit: that would let
    # anyone lock an account out)
    "otp_send_ip": (10, 600.0),
    "otp_send_id": (3, 600.0),
    "otp_verify_ip": (30, 600.0),
}


def limit(request: Request, bucket: str, key: str) -> None:
    """Count one request of ``bucket`` for ``key`` (an address, an ID's hash); 429 past it."""
    n, window = LIMITS[bucket]
    limiter: Limiter = request.app.state.limiter
    limiter.hit(f"{bucket}:{key}", n, window)


# ----------------------------------------------------------------------------- middleware

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets inline style attributes; scripts stay 'self' only.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Protect:
    """Per-request set-up and security headers, as plain ASGI (no extra task or thread hop).

    Before the app: the language (cookie, then Accept-Language) and the CSRF token (the cookie's,
    or a new one) go into ``request.state``. On the response: security headers, the language,
    ``Cache-Control: no-store`` for the API and private pages, and the CSRF cookie when new.
    """

    def __init__(self, app: ASGIApp, secure_cookies: bool) -> None:
        self.app, self.secure = app, secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers", []))
        cookies = cookie_parser(raw.get(b"cookie", b"").decode("latin-1"))
        state = scope.setdefault("state", {})
        token = cookies.get(CSRF_COOKIE)
        if b"cookie" not in raw and raw.get(b"authorization", b"")[:7].lower() == b"bearer ":
            # an API client: a bearer token carries no ambient authority, so no CSRF token is
            # minted or sent unless asked for (csrf_of) — not a random nonce, an HMAC and a
            # Set-Cookie on every HIS request
            state["csrf"] = None
        else:
            state["csrf"] = expected_csrf(cookies) or new_anonymous_csrf()
        state["lang"] = i18n.negotiate(
            cookies.get(i18n.COOKIE), raw.get(b"accept-language", b"").decode("latin-1") or None
        )
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                headers.setdefault("Content-Security-Policy", CSP_DOCS if path == "/docs" else CSP)
                headers.setdefault("Content-Language", i18n.LANGUAGES[state["lang"]].html)
                if self.secure:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if path.startswith("/api/") or state.get("private"):
                    headers.setdefault("Cache-Control", "no-store")
                if token != state["csrf"] and not state.get("csrf_rotated"):
                    secure = "; Secure" if self.secure else ""
                    headers.append(
                        "Set-Cookie",
                        f"{CSRF_COOKIE}={state['csrf']}; HttpOnly; Path=/; SameSite=strict{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def set_csrf_cookie(response: Any, value: str, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, value, httponly=True, samesite="strict", secure=secure, path="/"
    )


class BodyLimit:
    """Refuse request bodies over a size (413), whether or not they announce their length.

    A body without a trustworthy length is read (up to the limit) before the app sees it, then
    handed on unchanged; so the limit holds for chunked uploads too.
    """

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int]) -> None:
        self.app, self.default, self.larger = app, default, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        cap = self.larger.get(scope["path"], self.default)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                await _too_large(send, cap)
                return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            seen += len(body)
            if seen > cap:
                await _too_large(send, cap)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, cap: int) -> None:
    import json

    body = json.dumps(
        {
            "error": {
                "field": "body",
                "rule": "too_large",
                "message": {
                    "zh": f"请求体超过{cap}字节",
                    "en": f"the request body exceeds {cap} bytes",
                },
            }
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
