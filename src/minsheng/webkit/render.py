"""Rendering a page: the templates of every package, the context every page gets (language,
caller, CSRF token, menus), and the error page.

Templates live with their package: ``"medical/cashier.html"`` is
``src/minsheng/medical/templates/cashier.html``; a name without a folder (``base.html``,
``error.html``, the kit's macros) is the page kit's own, in ``webkit/templates``. A new programme's
templates are found without registering anything.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from minsheng import __version__, programmes
from minsheng.core import money
from minsheng.foundation.principals import PERMISSIONS, STAFF_ROLES, Principal, role_label
from minsheng.webkit import flash, forms, i18n, scripts
from minsheng.webkit.deps import lang
from minsheng.webkit.guards import CSP, csrf_of, principal_of

KIT = Path(__file__).parent / "templates"
SRC = Path(__file__).parent.parent


def _loader() -> jinja2.BaseLoader:
    packages = {
        d.parent.name: jinja2.FileSystemLoader(str(d))
        for d in sorted(SRC.glob("*/templates"))
        if d.parent.name != "webkit"
    }
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(KIT)), jinja2.PrefixLoader(packages)])


STATIC = SRC / "web" / "static"


@cache
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]


def static_version(path: str) -> str | None:
    """The content hash of the static file ``path`` (under ``web/static``), None if missing."""
    file = STATIC / path
    if ".." in Path(path).parts or not file.is_file():
        return None
    return _digest(path, file.stat().st_mtime_ns)


def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: a URL that changes when the file does, so the
    file can be cached for a year (``web.app.StaticCache``)."""
    version = static_version(path)
    return f"/static/{path}?v={version}" if version else f"/static/{path}"


TEMPLATES = Jinja2Templates(env=jinja2.Environment(loader=_loader(), autoescape=True))
TEMPLATES.env.globals["fmt_money"] = money.fmt
TEMPLATES.env.globals["FormState"] = forms.FormState
TEMPLATES.env.globals["static_url"] = static_url


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


@cache
def _inline(mtime_ns: int) -> tuple[Markup, str]:
    css = (STATIC / "style.css").read_text(encoding="utf-8").strip()
    if "</" in css:
        raise ValueError("style.css cannot be inlined: it holds '</'")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Markup(css), CSP.replace("style-src 'self'", f"style-src 'self' 'sha256-{digest}'")


def inline_css(by: Principal) -> tuple[Markup, str] | None:
    """``(stylesheet, CSP allowing it)`` for the pages a visitor or a citizen sees: the shared
    stylesheet inside the page (about 2.5 KB gzipped), so that the first render on a slow
    phone link waits for one answer, not two. Staff pages link it instead (cached for a year
    under its hash): they open many pages a day on the office network."""
    if by.kind not in ("anonymous", "citizen"):
        return None
    return _inline((STATIC / "style.css").stat().st_mtime_ns)


def _here(request: Request) -> str:
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    return "/citizen/login" if request.url.path.startswith("/citizen/") else request.url.path


def context(request: Request, **extra: Any) -> dict[str, Any]:
    code = lang(request)
    tr = i18n.gettext_for(code)
    by = principal_of(request)
    inlined = inline_css(by)
    return {
        "request": request,
        "_": tr.gettext,
        "lang": i18n.LANGUAGES[code],
        "languages": list(i18n.LANGUAGES.values()),
        "version": __version__,
        "path": request.url.path,
        # where the language switch comes back to: this page with its query (a GET), else the
        # page a POST's answer stands for (``/citizen/verify`` answers with the code step)
        "here": _here(request),
        "csrf": csrf_of(request),
        "principal": by,
        "inline_css": inlined[0] if inlined else None,
        "csp": inlined[1] if inlined else None,
        "role_label": role_label,
        "desks": desks_for,
        "desk_groups": desk_groups_for,
        "panels": panels_for,
        **extra,
    }


def desks_for(by: Principal) -> list[programmes.Link]:
    """The staff desks of every registered programme that ``by`` may open, in menu order."""
    return [d for d in programmes.desks() if by.can(d.permission)] if by.kind != "citizen" else []


GROUP_MENU_FROM = 8  # desks from which the header groups them by programme (one row at 1024 px)


def desk_groups_for(by: Principal) -> list[tuple[programmes.Text, list[programmes.Link]]]:
    """The desks ``by`` may open under their programme's name, for a header with many desks:
    grouped, a caseworker's 17 desks stand in one row of menus instead of three rows of links.
    Empty when there are fewer than :data:`GROUP_MENU_FROM` (the links stand as they are)."""
    if len(desks_for(by)) < GROUP_MENU_FROM:
        return []
    out = []
    for p, links in programmes.desks_by_programme():
        mine = [d for d in links if by.can(d.permission)]
        if mine:
            out.append((p.title, mine))
    return out


def landing_for(by: Principal) -> str | None:
    """The desk a staff member lands on after signing in and from ``/``: of the desks they may
    open, the one most particular to their role — its permission held by the fewest staff
    roles — and among those the first in menu order. So a caseworker (who may also settle a
    bill at the cashier's window, the first desk of all) lands on the assistance desk, a
    cashier on the window, an auditor on the audit log. None for a citizen, a visitor, or
    staff with no desk."""
    if by.kind != "staff":
        return None
    opened = desks_for(by)
    if not opened:
        return None

    def holders(link: programmes.Link) -> int:
        return sum(1 for role in STAFF_ROLES if link.permission in PERMISSIONS.get(role, ()))

    return min(opened, key=lambda d: (holders(d), d.rank)).href


def panels_for(by: Principal) -> list[programmes.Link]:
    """The citizen's panels of every registered programme, for a signed-in citizen."""
    return [p for p in programmes.panels() if by.can(p.permission)] if by.kind == "citizen" else []


def render(request: Request, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
    """The page ``name`` with the context every page gets, and the one-time success message
    a post–redirect–get left for it (shown once: the cookie is cleared here)."""
    key = flash.take(request)
    ctx = context(request, flash=flash.MESSAGES[key] if key else None, **extra)
    response = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
    if ctx["csp"]:
        response.headers["Content-Security-Policy"] = ctx["csp"]
    if flash.COOKIE in request.cookies:
        response.delete_cookie(flash.COOKIE, path="/")
    return response


# The Tibetan line of an error page whose message has none of its own (or whose English has
# no entry in the Tibetan catalogue), by status.
GENERIC_BO: dict[int, str] = {
    400: "རེ་ཞུ་འདི་ལག་བསྟར་བྱེད་ཐབས་མེད།",
    401: "ཁྱེད་རང་ནང་འཛུལ་བྱས་མེད། ནང་འཛུལ་བྱས་རྗེས་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།",
    403: "ཁྱེད་ལ་བྱ་བ་འདི་བྱེད་པའི་དབང་ཚད་མེད།",
    404: "ཤོག་ངོས་རྙེད་མ་བྱུང་།",
    405: "རེ་ཞུའི་ཐབས་ལམ་འདི་རྒྱབ་སྐྱོར་མི་བྱེད།",
    409: "ཉར་ཚགས་བྱས་ཟིན་པའི་ཐོ་འགོད་དང་མི་མཐུན།",
    413: "བསྐུར་བའི་ཡིག་ཆ་ཆེ་དྲགས་འདུག",
    422: "ནང་འཇུག་བྱས་པའི་གྲངས་ཐང་ནོར་འདུག",
    429: "རེ་ཞུ་མང་དྲགས་འདུག ཅུང་ཙམ་སྒུག་རྗེས་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།",
    500: "མ་ལག་ནང་ནོར་འཁྲུལ་བྱུང་། ཅུང་ཙམ་སྒུག་རྗེས་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་།",
}


def tibetan_line(status: int, en: str) -> str:
    """A refusal's Tibetan line when its author wrote none: the catalogue's translation of its
    English, else the generic line of its status."""
    translated = i18n.gettext_for("bo").gettext(en)
    return translated if translated != en else GENERIC_BO.get(status, GENERIC_BO[400])


def render_error(request: Request, status: int, zh: str, en: str, bo: str = "") -> HTMLResponse:
    """The error page: the message in the page's language first, the other two beside it."""
    bo = bo or tibetan_line(status, en)
    return render(request, "error.html", status=status, status_code=status, zh=zh, en=en, bo=bo)
