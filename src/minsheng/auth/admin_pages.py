"""The administrator's pages: staff accounts (list, create, disable, open again, new
password), role grants awaiting a second admin (双人授权: the admin who asked cannot decide),
and API tokens (issue — the secret shown once —, list, revoke).

Every page works on the caller's region only, through the services the API uses
(:mod:`minsheng.auth.users`, :mod:`minsheng.auth.tokens`, :mod:`minsheng.auth.accounts`).
Forms post, then redirect with a one-time message; a refused form comes back with what was
typed and the error beside its field. The one exception is a new token: its secret is shown on
the answer to the POST itself (never in a URL or a cookie), once, with ``no-store``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from minsheng.auth import accounts, tokens, users
from minsheng.auth.models import ApiToken, RoleGrant, User
from minsheng.core import divisions
from minsheng.core.errors import MinshengError, NotFoundError, invalid
from minsheng.foundation.principals import PERMISSIONS, STAFF_ROLES, Principal, role_label
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, matches, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
ADMIN = "users:admin"
CREATE = ("username", "display_name", "role", "region_code", "password", "service_account")
TOKEN = ("name", "scopes", "expires_on")
PASSWORD = ("password",)
ROLE = ("role", "region_code")
MAX_TEXT = 256  # characters of any one posted field here (the services bound them tighter)

flash.register("user_created", N_("The account is created."))
flash.register(
    "user_pending", N_("The account is created; it opens when another admin approves its role.")
)
flash.register("user_disabled", N_("The account is disabled; its sessions are closed."))
flash.register("user_enabled", N_("The account is open again."))
flash.register("enable_pending", N_("Another admin must approve before the account opens again."))
flash.register("password_reset", N_("The password is changed; the account's sessions are closed."))
flash.register("grant_approved", N_("The role is approved; the account is open."))
flash.register("grant_rejected", N_("The role is rejected; the account stays closed."))
flash.register("token_revoked", N_("The token is revoked."))
flash.register(
    "token_already_issued",
    N_(
        "This form already issued its token, and a token is shown only once: nothing new was "
        "issued. If it was not saved, revoke it and issue a new one."
    ),
)
flash.register("role_change_approved", N_("The new role is approved; the account holds it now."))
flash.register("role_change_rejected", N_("The new role is rejected; the account keeps its role."))
flash.register("role_changed", N_("The role is changed; the account's sessions are closed."))
flash.register(
    "role_pending", N_("Another admin must approve before the account takes the new role.")
)


def _regions(by: Principal, code: str) -> list[tuple[str, str]]:
    """Every division inside the caller's region, the region itself first."""
    return [(d.code, d.name(code)) for d in divisions.all_divisions() if by.covers(d.code)]


def _roles(code: str) -> list[tuple[str, str]]:
    return [(r, role_label(r, code)) for r in STAFF_ROLES]


def _names(code: str) -> dict[str, str]:
    return {d.code: d.name(code) for d in divisions.all_divisions()}


def _clip(values: dict[str, str]) -> dict[str, str]:
    return {k: v[:MAX_TEXT] for k, v in values.items()}


# ----------------------------------------------------------------------------- users


def _users_page(
    request: Request,
    by: Principal,
    page: str = "1",
    q: str = "",
    failed: FormState | None = None,
    status: int = 200,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        pending = {
            g.user_id: g for g in s.scalars(select(RoleGrant).where(RoleGrant.state == "pending"))
        }
        rows = [
            (u, pending.get(u.id))
            for u in s.scalars(select(User).order_by(User.id))
            if by.covers(u.region_code)
            and matches(
                q, u.username, u.display_name, u.role, role_label(u.role, code), u.region_code
            )
        ]
        s.expunge_all()
    listed = paginate(rows, page, "/admin/users", {"q": q})
    return render(
        request,
        "auth/admin_users.html",
        status=status,
        users=listed,
        q=q,
        f=failed or FormState.of("new", fields=CREATE),
        roles=_roles(code),
        role_names=dict(_roles(code)),
        regions=_regions(by, code),
        region_names=_names(code),
        default_region=by.region or "",
        second_admin=[r for r in STAFF_ROLES if users.needs_second_admin(r)],
    )


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    q: str = Query("", max_length=64),
    by: Principal = Depends(permit(ADMIN)),
) -> HTMLResponse:
    """Staff accounts of the caller's region, and the form to create one."""
    return _users_page(request, by, page, q)


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, by: Principal = Depends(permit(ADMIN))) -> Response:
    """A staff account; a role that reads personal data (or an admin's) waits for a second
    admin's approval."""
    form = await request.form()
    values = _clip(form_values(form, CREATE))

    def work() -> tuple[int, bool]:
        with uow(request) as s:
            user = users.create_user(
                s,
                by,
                values.get("username", ""),
                values.get("password", ""),
                values.get("role", ""),
                values.get("region_code", ""),
                values.get("display_name", "").strip()[:100] or None,
                service_account=values.get("service_account") == "on",
            )
            return user.id, not user.active

    try:
        user_id, pending = await run_in_threadpool(work)
    except MinshengError as err:
        failed = FormState.of("new", values, err, CREATE, rename=_rename_region)
        return _users_page(request, by, failed=failed, status=err.status)
    return flash.redirect(
        f"/admin/users/{user_id}", "user_pending" if pending else "user_created", request
    )


def _rename_region(name: str) -> str | None:
    return "region_code" if name == "region" else None


def _user_page(
    request: Request,
    by: Principal,
    user_id: int,
    failed: FormState | None = None,
    status: int = 200,
    secret: str | None = None,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        user = accounts.get_user(s, user_id, by)
        grants = list(
            s.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id))
        )
        owned = list(
            s.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
        )
        s.expunge_all()
    forms = {
        "token": FormState.of("token", fields=TOKEN),
        "pw": FormState.of("pw", fields=PASSWORD),
        "role": FormState.of(
            "role", {"role": user.role, "region_code": user.region_code}, fields=ROLE
        ),
    }
    if failed is not None:
        forms[failed.prefix] = failed
    response = render(
        request,
        "auth/admin_user.html",
        status=status,
        user=user,
        grants=grants,
        tokens=[(t, _token_state(t)) for t in owned],
        forms=forms,
        failed=failed,
        secret=secret,
        scopes=sorted(PERMISSIONS.get(user.role, frozenset())),
        role_names=dict(_roles(code)),
        region_names=_names(code),
        self_page=by.user_id == user.id,
        roles=_roles(code),
        regions=_regions(by, code),
        max_days=tokens.MAX_TOKEN_LIFETIME.days,
        form_key=tokens.form_key(),  # fresh on every answer: a reload of this one mints nothing
    )
    if secret is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def _token_state(t: ApiToken) -> str:
    if t.revoked_at is not None:
        return "revoked"
    expires = t.expires_at if t.expires_at.tzinfo else t.expires_at.replace(tzinfo=dt.UTC)
    return "expired" if expires <= dt.datetime.now(dt.UTC) else "active"


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_detail(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> HTMLResponse:
    """One account: its state, its role grants, its tokens, and what an admin may do."""
    return _user_page(request, by, user_id)


async def _act(
    request: Request,
    by: Principal,
    user_id: int,
    work: Any,
    done: Any,
    prefix: str = "",
    fields: tuple[str, ...] = (),
) -> Response:
    form = await request.form()
    values = _clip(form_values(form, fields))
    try:
        key = await run_in_threadpool(work, values)
    except MinshengError as err:
        # a refusal about no field of these forms (the account's state) shows in the summary
        failed = FormState.of(prefix or "act", {k: "" for k in values}, err, fields or ("-",))
        return _user_page(request, by, user_id, failed, err.status)
    return flash.redirect(f"/admin/users/{user_id}", done(key), request)


@router.post("/admin/users/{user_id}/disable", response_class=HTMLResponse)
async def disable(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    def work(_: dict[str, str]) -> None:
        with uow(request) as s:
            accounts.disable_user(s, by, user_id)

    return await _act(request, by, user_id, work, lambda _: "user_disabled")


@router.post("/admin/users/{user_id}/enable", response_class=HTMLResponse)
async def enable(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    def work(_: dict[str, str]) -> bool:
        with uow(request) as s:
            return accounts.enable_user(s, by, user_id) is not None

    return await _act(
        request, by, user_id, work, lambda pending: "enable_pending" if pending else "user_enabled"
    )


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
async def new_password(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    def work(values: dict[str, str]) -> None:
        with uow(request) as s:
            accounts.reset_password(s, by, user_id, values.get("password", ""))

    return await _act(request, by, user_id, work, lambda _: "password_reset", "pw", PASSWORD)


@router.post("/admin/users/{user_id}/role", response_class=HTMLResponse)
async def change_role(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    """Another role or region for the account (a role that reads personal data waits for a
    second admin's approval)."""

    def work(values: dict[str, str]) -> bool:
        with uow(request) as s:
            role, region = values.get("role", ""), values.get("region_code", "")
            return accounts.change_role(s, by, user_id, role, region) is not None

    return await _act(
        request,
        by,
        user_id,
        work,
        lambda pending: "role_pending" if pending else "role_changed",
        "role",
        ROLE,
    )


def _expiry(text: str) -> dt.datetime | None:
    """The end (UTC) of the day a token's last day is, or None for the default lifetime."""
    if not text.strip():
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(
            "expires_on",
            "date",
            f"日期格式应为YYYY-MM-DD：{text}",
            f"a date is YYYY-MM-DD: {text}",
            bo="ཚེས་གྲངས་ནི་YYYY-MM-DDཡིན་དགོས།",
        ) from None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _rename_token(name: str) -> str | None:
    return {"expires_at": "expires_on"}.get(name)


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
async def issue_token(
    user_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    """A bearer token for the account; its secret is shown on this answer only."""
    form = await request.form()
    values = _clip(form_values(form, TOKEN))
    chosen = sorted(str(k)[6:] for k in form if str(k).startswith("scope:") and form.get(k) == "on")
    values.update({f"scope:{p}": "on" for p in chosen})
    lifetime = dt.timedelta(days=request.app.state.settings.token_days)

    def work() -> str:
        name = values.get("name", "").strip()
        if not name:
            raise invalid(
                "name",
                "required",
                "请填写令牌的用途（如：拉萨市人民医院 HIS）",
                "say what uses the token (e.g. the Lhasa People's Hospital HIS)",
                bo="ལག་ཁྱེར་གྱི་བེད་སྤྱོད་འབྲི་རོགས།",
            )
        expires = _expiry(values.get("expires_on", ""))
        with uow(request) as s:
            raw, _ = tokens.create_token(
                s, by, user_id, name[:100], chosen, expires, lifetime=lifetime, form_key=key
            )
        return raw

    key = str(form.get("form_key") or "")
    try:
        raw = await run_in_threadpool(work)
    except MinshengError as err:
        if err.rule == "token_already_issued":  # a reload or a second click: nothing minted
            return flash.redirect(f"/admin/users/{user_id}", "token_already_issued", request)
        failed = FormState.of("token", values, err, TOKEN, rename=_rename_token)
        return _user_page(request, by, user_id, failed, err.status)
    return _user_page(request, by, user_id, status=201, secret=raw)


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke(
    token_id: PathId, request: Request, by: Principal = Depends(permit(ADMIN))
) -> Response:
    def work() -> int:
        with uow(request) as s:
            token = s.get(ApiToken, token_id)
            owner = s.get(User, token.user_id) if token is not None else None
            if token is None or owner is None or not by.covers(owner.region_code):
                raise NotFoundError(  # elsewhere answers as missing: no "exists?" oracle
                    "token_id", f"令牌{token_id}不存在", f"no token {token_id}", bo="ལག་ཁྱེར་འདི་མི་འདུག"
                )
            return tokens.revoke_token(s, by, token_id).user_id

    user_id = await run_in_threadpool(work)
    form = await request.form()
    back = "/admin/tokens" if form.get("back") == "tokens" else f"/admin/users/{user_id}"
    return flash.redirect(back, "token_revoked", request)


@router.get("/admin/tokens", response_class=HTMLResponse)
def token_list(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit(ADMIN)),
) -> HTMLResponse:
    """Every API token of the caller's region's accounts, newest first (secrets are never
    shown again: only their first characters)."""
    code = lang(request)
    with uow(request, immediate=False) as s:
        rows = [
            (t, u, _token_state(t))
            for t, u in s.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.id.desc())
            ).all()
            if by.covers(u.region_code)
        ]
        s.expunge_all()
    return render(
        request,
        "auth/admin_tokens.html",
        tokens=paginate(rows, page, "/admin/tokens"),
        role_names=dict(_roles(code)),
        region_names=_names(code),
    )
