"""Error answers: JSON for the API, a page in the user's language for people."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from minsheng.core import schema_errors
from minsheng.core.errors import MinshengError, UnauthenticatedError

log = logging.getLogger("minsheng.web")

# Tibetan lines for the refusals people meet most whose authors wrote none (the ID number's
# checks, the request limit, a wrong password): the sign-in pages, the ID check and the error
# page give them, so those refusals read in zh, bo and en.
# A ``{n}`` takes the first number of the Chinese message (a length, seconds to wait).
TIBETAN: dict[str, str] = {
    "id_length": "ངོ་སྤྲོད་ལག་ཁྱེར་གྱི་ཨང་གྲངས་ལ་ཡིག་འབྲུ་ 18 (ཡང་ན་རྙིང་པ་ 15) དགོས། ད་ལྟ་ {n} འདུག",
    "id_charset": "ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་གྲངས་ཀྱི་ཡིག་འབྲུ་དང་པོ་ 17 ཨང་ཀི་དང་། མཐའ་མ་ཨང་ཀི་འམ་ X ཡིན་དགོས།",
    "id_checksum": "ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་གྲངས་ཀྱི་ཞིབ་དཔྱད་ཡིག་འབྲུ་མི་མཐུན། ཨང་གྲངས་བསྐྱར་དུ་ཞིབ་བཤེར་གནང་།",
    "id_birth_date": "ཨང་གྲངས་ནང་གི་སྐྱེས་ཚེས་དེ་མི་སྲིད།",
    "id_birth_future": "ཨང་གྲངས་ནང་གི་སྐྱེས་ཚེས་མ་འོངས་པའི་ཚེས་གྲངས་རེད།",
    "id_division": "ཨང་གྲངས་ཀྱི་ཨང་ཀི་དང་པོ་གཉིས་ཞིང་ཆེན་གྱི་ཨང་རྟགས་མ་རེད།",
    "division_unknown": "ཨང་གྲངས་ནང་གི་ས་ཁོངས་ཀྱི་ཨང་རྟགས་ངོས་འཛིན་མ་ཐུབ།",
    "rate_limited": "རེ་ཞུ་མང་དྲགས་འདུག སྐར་ཆ་ {n} རྗེས་སུ་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།",
    "bad_credentials": "སྤྱོད་མཁན་གྱི་མིང་ངམ་གསང་གྲངས་ནོར་འདུག",
}


def with_tibetan(err: MinshengError) -> MinshengError:
    """``err`` with its Tibetan line (from :data:`TIBETAN`) when its author wrote none."""
    if err.bo or err.rule not in TIBETAN:
        return err
    found = re.search(r"\d+", err.zh)
    err.bo = TIBETAN[err.rule].format(n=found.group() if found else "")
    return err


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _validation_problems(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form")]
        field = ".".join(loc) or "body"
        ctx = e.get("ctx") or {}
        if isinstance(ctx.get("zh"), str):  # a minsheng.fields check: its own zh / bo / en
            out.append(
                {
                    "field": field,
                    "rule": str(e.get("type", "invalid")),
                    "zh": ctx["zh"],
                    "bo": str(ctx.get("bo", "")),
                    "en": str(ctx.get("en", e.get("msg", ""))),
                }
            )
            continue
        zh, en, bo = schema_errors.describe(e, field)
        out.append(
            {"field": field, "rule": str(e.get("type", "invalid")), "zh": zh, "bo": bo, "en": en}
        )
    return out


def install(app: FastAPI) -> None:
    from minsheng.webkit.render import N_, render_error, tibetan_line

    @app.exception_handler(MinshengError)
    async def _minsheng(request: Request, exc: MinshengError) -> Response:
        if wants_json(request):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)
        if isinstance(exc, UnauthenticatedError) and request.method == "GET":
            path = request.url.path
            target = "/citizen/login" if path == "/me" or path.startswith("/me/") else "/login"
            return RedirectResponse(f"{target}?next={quote(request.url.path)}", status_code=303)
        return render_error(request, exc.status, exc.zh, exc.en, with_tibetan(exc).bo)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(exc)
        first = (
            problems[0] if problems else {"field": "body", "rule": "invalid", "zh": "", "en": ""}
        )
        body: dict[str, Any] = {
            "error": {
                "field": first["field"],
                "rule": first["rule"],
                "message": {"zh": first["zh"], "bo": first.get("bo", ""), "en": first["en"]},
                "problems": problems,
            }
        }
        if wants_json(request):
            return JSONResponse(body, status_code=422)
        return render_error(request, 422, first["zh"], first["en"], first.get("bo", ""))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        zh, en = {
            404: ("找不到这个页面", N_("Page not found")),
            405: ("不支持此请求方法", N_("Method not allowed")),
        }.get(exc.status_code, ("请求无法处理", str(exc.detail)))
        bo = tibetan_line(exc.status_code, en)
        if wants_json(request):
            return JSONResponse(
                {
                    "error": {
                        "field": "path" if exc.status_code == 404 else "request",
                        "rule": f"http_{exc.status_code}",
                        "message": {"zh": zh, "bo": bo, "en": en},
                    }
                },
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return render_error(request, exc.status_code, zh, en, bo)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled error on %s %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc_info=exc,
        )
        zh, en = "系统内部错误，请稍后再试", N_("Internal error; please try again later")
        # Starlette re-raises the error after this answer and the server then drops the
        # connection; ``Connection: close`` tells a keep-alive client so, instead of leaving it
        # to find a dead socket on its next request.
        if wants_json(request):
            return JSONResponse(
                {
                    "error": {
                        "field": "server",
                        "rule": "internal",
                        "message": {"zh": zh, "bo": "མ་ལག་ནང་ནོར་འཁྲུལ་བྱུང་།", "en": en},
                    }
                },
                status_code=500,
                headers={"Connection": "close"},
            )
        response = render_error(request, 500, zh, en)
        response.headers["Connection"] = "close"
        return response
