"""The FastAPI app factory: JSON API, pages, static files, offline API docs, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minsheng import __version__, logs, policy
from minsheng.auth import web as auth_web
from minsheng.auth.callers import Callers
from minsheng.auth.limits import RateLimits
from minsheng.auth.otp import make_sender
from minsheng.config import Settings, tune_gc
from minsheng.db import current_revision, make_engine, make_sessionmaker
from minsheng.foundation import crypto
from minsheng.foundation.principals import Principal
from minsheng.webkit import errors, guards
from minsheng.webkit.guards import SESSION_COOKIE, BodyLimit, public
from minsheng.webkit.render import static_version

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1024 * 1024  # 1 MiB for ordinary requests
MAX_UPLOAD = 20 * 1024 * 1024  # CSV imports
# A settlement batch: up to Settings.batch_max bills (1,000 by default; a bill as hospitals send
# it is 1–3 KB, so 32 MiB leaves room for long inpatient bills). Operational, not policy.
MAX_BATCH_BODY = 32 * 1024 * 1024
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Minsheng 民生 API</title>
<link rel="stylesheet" href="/static/docs/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""
SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"


STATIC_FOREVER = "public, max-age=31536000, immutable"  # a URL carrying the file's hash
STATIC_REVALIDATE = "no-cache"  # any other static URL: kept, but checked by its ETag each time
COMPRESS_MIN = 500  # bytes; smaller answers are sent as they are


class StaticCache:
    """Cache headers on ``/static/``: a URL whose ``?v=`` is the file's current content hash
    (``webkit.render.static_url``, used by every page) may be kept a year; any other (no
    ``v``, an old ``v``) is kept but revalidated each time by its ETag (``StaticFiles`` answers
    ``304 Not Modified``). Plain ASGI, like ``guards.Protect``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        sent = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        current = static_version(path.removeprefix("/static/"))
        value = STATIC_FOREVER if sent and sent == current else STATIC_REVALIDATE

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                MutableHeaders(scope=message)["Cache-Control"] = value
            await send(message)

        await self.app(scope, receive, send_with_cache)


def may_compress(scope: Scope) -> bool:
    """Whether an answer may be gzipped, minding BREACH (a secret — the CSRF token bound to the
    session, personal data — in a compressed answer that also reflects what an attacker put in
    the request can be read off the answer's length). An attacker's page can make a signed-in
    browser send such requests only cross-site, so: static files, bearer-token calls (no
    ambient authority) and requests without a session cookie are compressed; a request with a
    session cookie only when the browser says it comes from this site or from the user
    (``Sec-Fetch-Site: same-origin`` / ``none``). A cross-site one, or one whose browser does
    not say, is answered uncompressed."""
    if scope.get("path", "").startswith("/static/"):
        return True
    headers = Headers(scope=scope)
    if SESSION_COOKIE not in cookie_parser(headers.get("cookie", "")):
        return True
    return headers.get("sec-fetch-site", "") in ("same-origin", "none")


class Compress:
    """Starlette's ``GZipMiddleware`` for the answers :func:`may_compress` allows."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=COMPRESS_MIN, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signed_in = not scope.get("path", "").startswith("/static/") and SESSION_COOKIE in (
            cookie_parser(Headers(scope=scope).get("cookie", ""))
        )

        async def send_varying(message: Message) -> None:
            # a signed-in answer's encoding depends on Sec-Fetch-Site: say so to any cache
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Sec-Fetch-Site")
            await send(message)

        out = send_varying if signed_in else send
        if may_compress(scope):
            await self.gzip(scope, receive, out)
        else:
            await self.app(scope, receive, out)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    if settings is None:  # the server's own processes (uvicorn's factory): tests pass theirs
        settings = Settings.from_env()
        tune_gc()
    if settings.keys is not None:
        crypto.configure(settings.keys)
    logs.configure(json_logs=settings.environment == "production")
    engine = engine or make_engine(settings.database_url)
    policy.load()  # the parameter tree read now, not by the first caller of a fresh worker

    app = FastAPI(
        title="Minsheng 民生 API",
        version=__version__,
        description="People's-livelihood programmes of a region: registry, medical security, "
        "social assistance, pensions, wage protection, employment. Errors name the field "
        "and the rule, in Chinese and English.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    # what is shared between worker processes lives in the database: the request counts, and
    # the count of revoked credentials that each process's short memory of callers follows
    app.state.limiter = RateLimits(app.state.sessionmaker)
    app.state.callers = Callers()
    app.state.callers.attach(app.state.sessionmaker)
    app.state.resolve_principal = auth_web.resolve_principal  # who calls: sessions, tokens
    app.state.trusted_proxies = guards.proxy_networks(settings.trusted_proxies)
    app.state.allowed_origins = tuple(o.rstrip("/") for o in settings.origins)
    app.state.health = {}
    app.state.otp_sender = make_sender(settings.otp_sender)

    app.mount("/static/docs", StaticFiles(directory=SWAGGER_STATIC), name="docs-static")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon(by: Principal = Depends(public())) -> FileResponse:
        """For clients that ask for it by that name (pages link ``favicon.svg``)."""
        return FileResponse(STATIC / "favicon.ico", headers={"Cache-Control": "max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def docs(by: Principal = Depends(public())) -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    @app.get("/healthz", tags=["operations 运维"])
    def healthz(by: Principal = Depends(public())) -> JSONResponse:
        """Liveness and readiness: the database answers and its schema revision."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            if "revision" not in app.state.health:  # read once: migrations need a restart
                app.state.health["revision"] = current_revision(engine)
            revision = app.state.health["revision"]
            db_ok = True
        except Exception:  # the answer is the health report, not a crash
            revision, db_ok = None, False
        body = {
            "status": "ok" if db_ok else "degraded",
            "version": __version__,
            "database": {"ok": db_ok, "dialect": engine.dialect.name, "revision": revision},
        }
        return JSONResponse(body, status_code=200 if db_ok else 503)

    include_routers(app)
    errors.install(app)
    app.add_middleware(guards.Protect, secure_cookies=settings.secure_cookies)
    larger = {"/api/persons/import": MAX_UPLOAD, "/api/medical/settlements/batch": MAX_BATCH_BODY}
    app.add_middleware(BodyLimit, default=MAX_BODY, larger=larger)
    app.add_middleware(StaticCache)
    app.add_middleware(Compress)  # outermost: compresses what every other layer answered
    declare_error_answers(app)
    open_routes = guards.unguarded_routes(app)
    if open_routes:
        raise RuntimeError(
            f"routes without a permission check (deny unless allowed): {open_routes}"
        )
    return app


def include_routers(app: FastAPI) -> None:
    """Every registered programme's and service's routers (``minsheng.programmes``): first the
    JSON APIs, then the pages, each in registry order. The web's own reference API (divisions,
    ids, parameters) follows the sign-in API and its home page comes before the other pages,
    as they always have (the order of ``/docs``)."""
    from minsheng import programmes
    from minsheng.web.api_reference import router as reference_router
    from minsheng.web.pages import router as pages_router

    for p in programmes.registered():
        for ref in p.api:
            app.include_router(programmes.resolve(ref))
        if p.name == "auth":
            app.include_router(reference_router)
    app.include_router(pages_router)
    for p in programmes.registered():
        for ref in p.pages:
            app.include_router(programmes.resolve(ref))


def declare_error_answers(app: FastAPI) -> None:
    """Declare in the OpenAPI document the refusals every route can give, from its guard:
    401 and 403 behind a permission, 403 (CSRF / origin) on any unsafe method, and 409, 413,
    422 where a body is sent. Every refusal has the one shape ``ErrorAnswer``. Routes add
    their own (429 on sign-in) with ``responses=``."""
    from minsheng.auth.schemas import ErrorAnswer

    described = {
        401: "not signed in, or an invalid token 未登录或令牌无效",
        403: "the role, the region, the CSRF token or the origin refuses it 无权限",
        409: "clashes with what is stored 与现有记录冲突",
        413: "the request body is too large 请求体过大",
        422: "a field breaks a rule 字段无效",
    }

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = FastAPI.openapi(app)  # FastAPI's own document, completed here once
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        found = ErrorAnswer.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(found.pop("$defs", {}))
        schemas.setdefault("ErrorAnswer", found)
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}}
        for route in guards.api_routes(app):
            if not route.include_in_schema or route.path_format not in doc["paths"]:
                continue
            guarded = guards.guard_of(route) != "public"
            for method in route.methods or ():
                op = doc["paths"][route.path_format].get(method.lower())
                if op is None:
                    continue
                unsafe = method not in guards.SAFE_METHODS
                codes = [401, 403] if guarded else ([403] if unsafe else [])
                if unsafe:
                    codes += [409, 413, 422]
                if "422" in op["responses"]:
                    codes.append(422)
                answers = op.setdefault("responses", {})
                for code in codes:
                    answers[str(code)] = {"description": described[code], "content": ref}
                for code, answer in answers.items():
                    if code in ("401", "429"):
                        answer["content"] = ref
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]
