"""Rendering a page: the templates of every package, the context every page gets (language,
caller, CSRF token, menus), and the error page.

Templates live with their package: ``"medical/cashier.html"`` is
``src/minsheng/medical/templates/cashier.html``; a name without a folder (``base.html``,
``error.html``, the kit's macros) is the page kit's own, in ``webkit/templates``. A new programme's
templates are found without registering anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from minsheng import __version__, programmes
from minsheng.core import money
from minsheng.foundation.principals import Principal, role_label
from minsheng.webkit import flash, forms, i18n, scripts
from minsheng.webkit.deps import lang
from minsheng.webkit.guards import principal_of

KIT = Path(__file__).parent / "templates"
SRC = Path(__file__).parent.parent


def _loader() -> jinja2.BaseLoader:
    packages = {
        d.parent.name: jinja2.FileSystemLoader(str(d))
        for d in sorted(SRC.glob("*/templates"))
        if d.parent.name != "webkit"
    }
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(KIT)), jinja2.PrefixLoader(packages)])


TEMPLATES = Jinja2Templates(env=jinja2.Environment(loader=_loader(), autoescape=True))
TEMPLATES.env.globals["fmt_money"] = money.fmt
TEMPLATES.env.globals["FormState"] = forms.FormState


@jinja2.pass_context
def _runs(ctx: Any, value: Any) -> Markup:
    """``{{ text | runs }}``: runs of another script get their ``lang`` (webkit.scripts)."""
    return scripts.runs(value, ctx["lang"].html)


@jinja2.pass_context
def _foreign(ctx: Any, value: Any) -> str:
    """``{{ text | foreign }}``: the ``lang`` for an element holding ``text`` ("" for none)."""
    return scripts.foreign(value, ctx["lang"].html)


TEMPLATES.env.filters["runs"] = _runs
TEMPLATES.env.filters["foreign"] = _foreign


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def context(request: Request, **extra: Any) -> dict[str, Any]:
    code = lang(request)
    tr = i18n.gettext_for(code)
    return {
        "request": request,
        "_": tr.gettext,
        "lang": i18n.LANGUAGES[code],
        "languages": list(i18n.LANGUAGES.values()),
        "version": __version__,
        "path": request.url.path,
        "csrf": getattr(request.state, "csrf", ""),
        "principal": principal_of(request),
        "role_label": role_label,
        "desks": desks_for,
        "panels": panels_for,
        **extra,
    }


def desks_for(by: Principal) -> list[programmes.Link]:
    """The staff desks of every registered programme that ``by`` may open, in menu order."""
    return [d for d in programmes.desks() if by.can(d.permission)] if by.kind != "citizen" else []


def panels_for(by: Principal) -> list[programmes.Link]:
    """The citizen's panels of every registered programme, for a signed-in citizen."""
    return [p for p in programmes.panels() if by.can(p.permission)] if by.kind == "citizen" else []


def render(request: Request, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
    """The page ``name`` with the context every page gets, and the one-time success message
    a post–redirect–get left for it (shown once: the cookie is cleared here)."""
    key = flash.take(request)
    ctx = context(request, flash=flash.MESSAGES[key] if key else None, **extra)
    response = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
    if flash.COOKIE in request.cookies:
        response.delete_cookie(flash.COOKIE, path="/")
    return response


def render_error(request: Request, status: int, zh: str, en: str, bo: str = "") -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, zh=zh, en=en, bo=bo)
