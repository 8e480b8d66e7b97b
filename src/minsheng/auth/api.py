"""Security API: sign-in (staff password, citizen one-time code), sign-out, who am I, staff
users and API tokens (admin), the audit log (auditor), aggregates (analyst), my household
(citizen)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import func, select

from minsheng.auth import service, tokens, users
from minsheng.auth.models import User
from minsheng.auth.schemas import (
    AuditOut,
    AuditPage,
    ErrorAnswer,
    GrantOut,
    LoginIn,
    OtpIn,
    OtpVerifyIn,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    WhoAmI,
)
from minsheng.auth.web import open_session_for
from minsheng.core import divisions, ids
from minsheng.foundation import audit
from minsheng.foundation.crypto import lookup_hash
from minsheng.foundation.models import AuditEntry
from minsheng.foundation.principals import Principal
from minsheng.registry import service as registry
from minsheng.registry.models import Household, Person, SpecialStatus
from minsheng.registry.schemas import MAX_ID, HouseholdOut, PersonOut
from minsheng.webkit.deps import PathId, lang, uow
from minsheng.webkit.guards import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    client_ip,
    csrf_for_session,
    csrf_of,
    limit,
    permit,
    public,
    set_csrf_cookie,
)

router = APIRouter(prefix="/api", tags=["security 安全"])


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of refusals a sign-in route gives besides the general ones."""
    text = {
        401: "wrong credentials 凭据不正确",
        429: "too many tries: rate limit or throttle 尝试过多",
    }
    return {c: {"model": ErrorAnswer, "description": text[c]} for c in codes}


def whoami(p: Principal, csrf: str | None = None) -> WhoAmI:
    return WhoAmI(
        kind=p.kind,
        name=p.name,
        role=p.role,
        region=p.region,
        permissions=sorted(p.permissions),
        csrf_token=csrf,
    )


def start_session(request: Request, response: Response, new: service.NewSession) -> str:
    """Set the session cookie and a fresh CSRF cookie; return the CSRF token."""
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    csrf = csrf_for_session(new.token)
    set_csrf_cookie(response, csrf, settings.secure_cookies)
    request.state.csrf_rotated = True
    return csrf


@router.get("/auth/csrf", response_model=WhoAmI)
def csrf_token(request: Request, by: Principal = Depends(public())) -> WhoAmI:
    """The CSRF token to echo in ``X-CSRF-Token`` on unsafe requests made with cookies."""
    return whoami(by, csrf_of(request))


@router.get("/auth/me", response_model=WhoAmI)
def me(request: Request, by: Principal = Depends(public())) -> WhoAmI:
    return whoami(by, csrf_of(request))


@router.post("/auth/login", response_model=WhoAmI, responses=_answers(401, 429))
def login(
    data: LoginIn, request: Request, response: Response, by: Principal = Depends(public())
) -> WhoAmI:
    """Staff sign-in with a password. Rate-limited per address; after repeated failures for
    one username from one address, that pair waits (429) — known or unknown username alike,
    and the account itself is never locked."""
    ip = client_ip(request) or "-"
    limit(request, "login_ip", ip)
    with uow(request) as s:
        user = service.authenticate(s, data.username, data.password, ip)
        new = open_session_for(request, s, user=user)
        principal = service.staff_principal(user, ip)
    return whoami(principal, start_session(request, response, new))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, by: Principal = Depends(public())) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with uow(request) as s:
            service.close_session(s, token, by)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/auth/otp", status_code=status.HTTP_202_ACCEPTED, responses=_answers(429))
def send_otp(data: OtpIn, request: Request, by: Principal = Depends(public())) -> dict[str, bool]:
    """Send a one-time code to a citizen's phone. The answer does not say whether the ID is
    registered."""
    parsed = ids.parse_resident_id(data.id_number)
    limit(request, "otp_send_ip", client_ip(request) or "-")
    limit(request, "otp_send_id", lookup_hash(parsed.number))
    with uow(request) as s:
        service.send_code(s, parsed.number, request.app.state.otp_sender)
    return {"sent": True}


@router.post("/auth/otp/verify", response_model=WhoAmI, responses=_answers(401, 429))
def verify_otp(
    data: OtpVerifyIn, request: Request, response: Response, by: Principal = Depends(public())
) -> WhoAmI:
    ip = client_ip(request) or "-"
    limit(request, "otp_verify_ip", ip)
    with uow(request) as s:
        person = service.verify_code(s, data.id_number, data.code)
        new = open_session_for(request, s, person=person)
        principal = service.citizen_principal(person, ip)
    return whoami(principal, start_session(request, response, new))


# ----------------------------------------------------------------------------- admin


def user_out(s: Any, user: User) -> UserOut:
    grant = users.pending_grant_of(s, user.id)
    out = UserOut.model_validate(user, from_attributes=True)
    return out.model_copy(update={"pending_grant_id": grant.id if grant else None})


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(
    data: UserIn, request: Request, by: Principal = Depends(permit("users:admin"))
) -> UserOut:
    """A staff account. A role that reads personal data (cashier, caseworker, supervisor) or
    an admin's is created inactive with a pending grant (``pending_grant_id``) that a
    different admin approves at ``POST /api/users/grants/{id}/approve``."""
    with uow(request) as s:
        user = users.create_user(
            s,
            by,
            data.username,
            data.password,
            data.role,
            data.region_code,
            data.display_name,
            service_account=data.service_account,
        )
        return user_out(s, user)


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, by: Principal = Depends(permit("users:admin"))) -> list[UserOut]:
    with uow(request) as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        return [user_out(s, u) for u in users if by.covers(u.region_code)]


@router.get("/users/grants", response_model=list[GrantOut])
def list_grants(request: Request, by: Principal = Depends(permit("users:admin"))) -> list[GrantOut]:
    """Role grants awaiting a second admin, in the caller's region."""
    with uow(request) as s:
        return [
            GrantOut.model_validate(g, from_attributes=True) for g in users.pending_grants(s, by)
        ]


@router.post("/users/grants/{grant_id}/approve", response_model=GrantOut)
def approve_grant(
    grant_id: PathId, request: Request, by: Principal = Depends(permit("users:admin"))
) -> GrantOut:
    """Approve a role grant (opens the account). Not by the admin who asked for it."""
    with uow(request) as s:
        grant = users.decide_grant(s, by, grant_id, approve=True)
        return GrantOut.model_validate(grant, from_attributes=True)


@router.post("/users/grants/{grant_id}/reject", response_model=GrantOut)
def reject_grant(
    grant_id: PathId, request: Request, by: Principal = Depends(permit("users:admin"))
) -> GrantOut:
    with uow(request) as s:
        grant = users.decide_grant(s, by, grant_id, approve=False)
        return GrantOut.model_validate(grant, from_attributes=True)


@router.post(
    "/users/{user_id}/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED
)
def create_token(
    user_id: PathId, data: TokenIn, request: Request, by: Principal = Depends(permit("users:admin"))
) -> TokenOut:
    """A bearer token; the raw token is in this answer only. Scopes that read personal data
    only for the caller's own account or a service account. Expires at ``expires_at`` or after
    the default lifetime (``MINSHENG_TOKEN_DAYS``, 90 days)."""
    lifetime = dt.timedelta(days=request.app.state.settings.token_days)
    with uow(request) as s:
        raw, token = tokens.create_token(
            s, by, user_id, data.name, data.scopes, data.expires_at, lifetime=lifetime
        )
        return TokenOut(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            scopes=token.scopes.split(),
            expires_at=token.expires_at,
            token=raw,
        )


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    token_id: PathId, request: Request, by: Principal = Depends(permit("users:admin"))
) -> TokenOut:
    with uow(request) as s:
        token = tokens.revoke_token(s, by, token_id)
        return TokenOut(
            id=token.id, name=token.name, prefix=token.prefix, scopes=token.scopes.split()
        )


# ----------------------------------------------------------------------------- audit


@router.get("/audit", response_model=AuditPage)
def read_audit(
    request: Request,
    limit_: int = Query(100, alias="limit", ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
    by: Principal = Depends(permit("audit:read")),
) -> AuditPage:
    """The audit log, newest first. Read-only: no route changes it."""
    with uow(request) as s:
        stmt = select(AuditEntry)
        scope = by.covered_codes()
        if scope is not None:  # an auditor of a prefecture or county reads its entries only
            stmt = stmt.where(AuditEntry.region.in_(scope))
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit_).offset(offset)).all()
        items = [
            AuditOut(
                id=e.id,
                at=e.at,
                actor=e.actor,
                role=e.role,
                action=e.action,
                resource=e.resource,
                record_id=e.record_id,
                region=e.region,
                ip=e.ip,
                detail=json.loads(e.detail),
                hash=e.hash,
            )
            for e in rows
        ]
    return AuditPage(total=total, items=items)


@router.get("/audit/verify")
def verify_audit(
    request: Request, by: Principal = Depends(permit("audit:read"))
) -> dict[str, object]:
    with uow(request) as s:
        return audit.verify(s).to_dict()


# ----------------------------------------------------------------------------- analyst, citizen


@router.get("/stats/registry")
def registry_stats(
    request: Request, by: Principal = Depends(permit("aggregates:read"))
) -> dict[str, object]:
    """Counts only (people and households by prefecture, statuses) in the caller's region."""
    code = lang(request)
    with uow(request) as s:
        scope = by.covered_counties()
        people_q = select(Person.division_code, func.count()).group_by(Person.division_code)
        hh_q = select(Household.division_code, func.count()).group_by(Household.division_code)
        st_q = select(SpecialStatus.kind, func.count()).join(Person).group_by(SpecialStatus.kind)
        if scope is not None:
            people_q = people_q.where(Person.division_code.in_(scope))
            hh_q = hh_q.where(Household.division_code.in_(scope))
            st_q = st_q.where(Person.division_code.in_(scope))
        people = dict(s.execute(people_q).all())
        households = dict(s.execute(hh_q).all())
        statuses = dict(s.execute(st_q).all())
    by_pref = []
    for p in divisions.prefectures():
        codes = [c.code for c in divisions.counties(p.code)]
        n = sum(people.get(c, 0) for c in codes)
        if n or scope is None:
            by_pref.append(
                {
                    "code": p.code,
                    "name": p.name(code),
                    "people": n,
                    "households": sum(households.get(c, 0) for c in codes),
                }
            )
    return {"region": by.region, "prefectures": by_pref, "statuses": statuses}


@router.get("/me/household", response_model=HouseholdOut)
def my_household(request: Request, by: Principal = Depends(permit("self:read"))) -> HouseholdOut:
    """The signed-in citizen's own record and household (other members' numbers masked)."""
    with uow(request) as s:
        person = s.get(Person, by.person_id)
        assert person is not None
        code = lang(request)
        members: list[PersonOut] = [registry.person_out(person, lang=code)]
        if person.household is not None:
            members += [
                registry.person_out(m, masked=True, lang=code)
                for m in person.household.members
                if m.id != person.id
            ]
        h = person.household
        return HouseholdOut(
            id=h.id if h else 0,
            code=h.code if h else "",
            division_code=person.division_code,
            division_name=divisions.get(person.division_code).name(code),
            area=h.area if h else person.hukou,
            address=h.address if h else None,
            members=members,
        )
