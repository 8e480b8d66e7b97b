"""The FastAPI app factory: JSON API, pages, static files, offline API docs, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

from minsheng import __version__, logs
from minsheng.auth import web as auth_web
from minsheng.auth.otp import make_sender
from minsheng.config import Settings
from minsheng.db import current_revision, make_engine, make_sessionmaker
from minsheng.foundation import crypto
from minsheng.foundation.principals import Principal
from minsheng.webkit import errors, guards
from minsheng.webkit.guards import BodyLimit, public

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1024 * 1024  # 1 MiB for ordinary requests
MAX_UPLOAD = 20 * 1024 * 1024  # CSV imports
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Minsheng 民生 API</title>
<link rel="stylesheet" href="/static/docs/swagger-ui.css">
<link rel="icon" href="/static/docs/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""
SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if settings.keys is not None:
        crypto.configure(settings.keys)
    logs.configure(json_logs=settings.environment == "production")
    engine = engine or make_engine(settings.database_url)

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
    app.state.limiter = guards.RateLimiter()
    app.state.resolve_principal = auth_web.resolve_principal  # who calls: sessions, tokens
    app.state.trusted_proxies = guards.proxy_networks(settings.trusted_proxies)
    app.state.allowed_origins = tuple(o.rstrip("/") for o in settings.origins)
    app.state.health = {}
    app.state.otp_sender = make_sender(settings.otp_sender)

    app.mount("/static/docs", StaticFiles(directory=SWAGGER_STATIC), name="docs-static")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

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
    app.add_middleware(BodyLimit, default=MAX_BODY, larger={"/api/persons/import": MAX_UPLOAD})
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
