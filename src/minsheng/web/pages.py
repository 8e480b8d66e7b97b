"""Server-rendered pages: they work without JavaScript and speak zh / bo / en."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from minsheng import programmes
from minsheng.core import divisions, ids
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.policy import load as load_params
from minsheng.registry.models import Household, Person
from minsheng.webkit import i18n
from minsheng.webkit.deps import lang, safe_next, uow
from minsheng.webkit.errors import with_tibetan
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import public
from minsheng.webkit.render import landing_for, render, render_error

router = APIRouter(include_in_schema=False)


def _entry(p: programmes.Programme, by: Principal) -> str | None:
    """Where a programme's card leads the caller: the first desk they may open, else the
    first citizen's page (a visitor is asked to sign in there); None for a planned one."""
    if p.kind == "planned":
        return None
    for link in p.desks:
        if by.can(link.permission):
            return link.href
    if by.kind == "staff":
        return None
    return p.panels[0].href if p.panels else None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, by: Principal = Depends(public())) -> Response:
    """The home page; a signed-in staff member is sent on to their desk (``landing_for``)."""
    desk = landing_for(by)
    if desk is not None:
        return RedirectResponse(desk, status_code=303)
    code = lang(request)
    with uow(request, immediate=False) as s:
        people = s.scalar(select(func.count(Person.id))) or 0
        households = s.scalar(select(func.count(Household.id))) or 0
        by_county = dict(
            s.execute(
                select(Person.division_code, func.count()).group_by(Person.division_code)
            ).all()
        )
    by_prefecture = []
    for p in divisions.prefectures():
        n = sum(by_county.get(c.code, 0) for c in divisions.counties(p.code))
        by_prefecture.append((p.name(code), n))
    cards = programmes.cards()
    entry = {p.name: _entry(p, by) for p in cards}
    leaves = list(load_params().leaves())
    assumed = sum(1 for leaf in leaves if any(e.status == "assumed" for e in leaf.entries))
    return render(
        request,
        "web/home.html",
        programmes=cards,
        entry=entry,
        people=people,
        households=households,
        by_prefecture=by_prefecture,
        region_name=divisions.region().name(code),
        parameter_count=len(leaves),
        assumed_count=assumed,
    )


@router.get("/lang/{code}")
def switch_language(
    code: str, request: Request, next: str = "/", by: Principal = Depends(public())
) -> Response:
    """Set the language cookie and go back (works without JavaScript)."""
    if code not in i18n.LANGUAGES:
        return render_error(request, 404, "不支持的语言", "unsupported language")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/tools/id-check", response_class=HTMLResponse)
def id_check_form(request: Request, by: Principal = Depends(public())) -> HTMLResponse:
    return render(request, "web/id_check.html", result=None, f=FormState.of())


@router.post("/tools/id-check", response_class=HTMLResponse)
def id_check(
    request: Request, value: str = Form("", max_length=40), by: Principal = Depends(public())
) -> HTMLResponse:
    """Check an identifier. POST, so that the number never appears in a URL or an access log
    (so the answer is this page itself, not a redirect: it changes nothing)."""
    values = {"value": value}
    try:
        kind, fields = ids.check_any(value)
    except MinshengError as err:
        f = FormState.of("", values, with_tibetan(err), ("value",), rename=lambda name: "value")
        return render(request, "web/id_check.html", status=422, result=None, f=f, kind=None)
    return render(
        request, "web/id_check.html", result=fields, kind=kind, f=FormState.of("", values)
    )
