"""The administrator's page of role grants awaiting a second admin (maker–checker, issue 7):
approve (the account opens, or its changed role holds) or reject (nothing moves)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from minsheng.auth import users
from minsheng.auth.admin_pages import ADMIN, _names, _roles
from minsheng.auth.models import RoleGrant, User
from minsheng.core.errors import MinshengError
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, paginate
from minsheng.webkit.render import render

router = APIRouter(include_in_schema=False)


def _grants_page(
    request: Request,
    by: Principal,
    failed: FormState | None = None,
    status: int = 200,
    page: str = "1",
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        rows = [(g, s.get(User, g.user_id)) for g in users.pending_grants(s, by)]
        s.expunge_all()
    return render(
        request,
        "auth/admin_grants.html",
        status=status,
        grants=paginate(rows, page, "/admin/grants"),
        failed=failed,
        role_names=dict(_roles(code)),
        region_names=_names(code),
    )


@router.get("/admin/grants", response_class=HTMLResponse)
def grant_list(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit(ADMIN)),
) -> HTMLResponse:
    """Role grants of the caller's region awaiting a second admin."""
    return _grants_page(request, by, page=page)


async def _decide(request: Request, by: Principal, grant_id: int, approve: bool) -> Response:
    def work() -> bool:
        """Decide; whether the grant changed an open account's role (else it opens one)."""
        with uow(request) as s:
            grant = s.get(RoleGrant, grant_id)
            user = s.get(User, grant.user_id) if grant is not None else None
            change = (
                user is not None
                and grant is not None
                and (grant.role, grant.region_code)
                != (
                    user.role,
                    user.region_code,
                )
            )
            users.decide_grant(s, by, grant_id, approve=approve)
            return change

    try:
        change = await run_in_threadpool(work)
    except MinshengError as err:
        return _grants_page(
            request, by, FormState.of(f"grant-{grant_id}", err=err, fields=("-",)), err.status
        )
    if change:
        key = "role_change_approved" if approve else "role_change_rejected"
    else:
        key = "grant_approved" if approve else "grant_rejected"
    return flash.redirect("/admin/grants", key, request)


@router.post("/admin/grants/{grant_id}/approve", response_class=HTMLResponse)
async def approve(
    grant_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    """Approve a role grant (the account opens); not by the admin who asked for it."""
    return await _decide(request, by, grant_id, True)


@router.post("/admin/grants/{grant_id}/reject", response_class=HTMLResponse)
async def reject(
    grant_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    return await _decide(request, by, grant_id, False)
