"""Scoped API tokens (令牌) for programs that call the API: each carries its owner's role
narrowed to named scopes, always expires (at most MAX_TOKEN_LIFETIME away), is shown once and
kept only as a hash, and is revoked at once; one that reads personal data is minted only by its
own user or for a service account."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.auth.callers import forget_all
from minsheng.auth.credentials import aware, now, sha256
from minsheng.auth.models import ApiToken, User
from minsheng.auth.users import PERSON_DATA
from minsheng.config import MAX_TOKEN_DAYS
from minsheng.core.errors import ConflictError, ForbiddenError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import ALL_PERMISSIONS, PERMISSIONS, Principal, staff

TOKEN_LIFETIME = dt.timedelta(days=90)  # default; MINSHENG_TOKEN_DAYS sets the app's
MAX_TOKEN_LIFETIME = dt.timedelta(days=MAX_TOKEN_DAYS)

TOKEN_PREFIX = "msk_"


def create_token(
    session: Session,
    by: Principal,
    user_id: int,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
    lifetime: dt.timedelta | None = None,
    form_key: str | None = None,
) -> tuple[str, ApiToken]:
    """A bearer token for ``user_id``; its permissions are the owner's role's, narrowed to
    ``scopes``. Returns the token once; only its hash is kept.

    Every token expires: at ``expires_at`` if given (at most MAX_TOKEN_LIFETIME away), else
    after ``lifetime`` (the app passes ``MINSHENG_TOKEN_DAYS``; TOKEN_LIFETIME by default).
    A token that reads personal data is minted only by its own user or for a service account
    (whose role a second admin approved) — an admin cannot mint one for a colleague's account
    and act as them. The platform itself (the operator's CLI) may, and is audited doing it.

    ``form_key`` is the one-time key of the page form that asks (:func:`form_key`): a second
    request with it — a reload of the answer, a double click, two at once — mints nothing and
    answers :func:`already_issued` (the secret was shown once; it is never shown again).
    """
    user = session.get(User, user_id)
    if user is None:
        raise invalid("user_id", "not_found", f"用户{user_id}不存在", f"no user {user_id}")
    by.require_covers(user.region_code, "user")
    if not user.active:
        raise ForbiddenError(
            "user_id",
            "user_inactive",
            "该账户未启用（可能在等待另一名管理员批准）",
            "this account is not active (it may await a second admin's approval)",
        )
    unknown = sorted(set(scopes) - ALL_PERMISSIONS)
    if unknown or not scopes:
        raise invalid(
            "scopes",
            "scope_unknown",
            f"未知的权限范围：{', '.join(unknown) or '（空）'}",
            f"unknown scopes: {', '.join(unknown) or '(none)'}; "
            f"known: {', '.join(sorted(ALL_PERMISSIONS))}",
        )
    beyond = sorted(set(scopes) - PERMISSIONS[user.role])
    if beyond:
        raise ForbiddenError(
            "scopes",
            "scope_beyond_role",
            f"权限范围超出该用户角色：{', '.join(beyond)}",
            f"scopes beyond the owner's role {user.role}: {', '.join(beyond)}",
        )
    personal = sorted(set(scopes) & PERSON_DATA)
    if personal and by.kind != "system" and by.user_id != user.id and not user.service_account:
        raise ForbiddenError(
            "user_id",
            "token_for_another",
            "不能为他人的账户签发可读取个人信息的令牌（只能由本人签发，或为服务账户签发）",
            "a token that reads personal data is minted by its own user or for a service "
            f"account, not for another user's account ({', '.join(personal)})",
            bo="མི་སྒེར་གྱི་ཆ་འཕྲིན་ཀློག་པའི་ལག་ཁྱེར་མི་གཞན་གྱི་ཆེད་དུ་སྤྲོད་མི་ཆོག",
        )
    t = now()
    if expires_at is not None:
        expires = aware(expires_at)
        assert expires is not None
        if expires <= t or expires > t + MAX_TOKEN_LIFETIME:
            raise invalid(
                "expires_at",
                "token_lifetime",
                f"令牌的有效期须在将来且不超过{MAX_TOKEN_LIFETIME.days}天",
                f"a token expires in the future and within {MAX_TOKEN_LIFETIME.days} days",
            )
    else:
        expires = t + min(lifetime or TOKEN_LIFETIME, MAX_TOKEN_LIFETIME)
    key = _form_key(form_key)
    if key is not None and _issued(session, user.id, key) is not None:
        raise already_issued()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip()[:100] or "token",
        token_hash=sha256(raw),
        prefix=raw[:12],
        user_id=user.id,
        scopes=" ".join(sorted(set(scopes))),
        created_at=t,
        expires_at=expires,
        form_key=key,
    )
    try:  # a concurrent request with the same form key loses here (unique per account)
        with session.begin_nested():
            session.add(token)
            session.flush()
    except IntegrityError:
        raise already_issued() from None
    audit.record(
        session,
        by,
        "create",
        "api_token",
        token.id,
        user.region_code,
        {"scopes": token.scopes, "user": user.id, "expires": f"{expires:%Y-%m-%d}"},
    )
    return raw, token


FORM_KEY_CHARS = 64  # the column's width; a generated key has 22 characters


def form_key() -> str:
    """A fresh one-time key for a page's "issue a token" form."""
    return secrets.token_urlsafe(16)


def _form_key(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    plain = key.replace("-", "").replace("_", "")
    if len(key) > FORM_KEY_CHARS or not (plain.isascii() and plain.isalnum()):
        raise invalid(
            "form_key",
            "form_key",
            "表单已失效，请重新打开页面",
            "the form has expired: open the page again",
            bo="རེའུ་མིག་གི་དུས་ཚོད་འདས་འདུག ཤོག་ངོས་ཡང་བསྐྱར་ཁ་ཕྱེ་རོགས།",
        )
    return key


def _issued(session: Session, user_id: int, key: str) -> ApiToken | None:
    return session.scalar(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.form_key == key)
    )


def already_issued() -> ConflictError:
    return ConflictError(
        "form_key",
        "token_already_issued",
        "这张表单已签发过令牌（令牌只显示一次）；如未保存，请吊销后重新签发",
        "this form already issued its token (a token is shown once); if it was not saved, "
        "revoke it and issue a new one",
        bo="རེའུ་མིག་འདིས་ལག་ཁྱེར་སྤྲད་ཟིན། ལག་ཁྱེར་ཐེངས་གཅིག་ལས་མི་སྟོན།",
    )


def revoke_token(session: Session, by: Principal, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise invalid("token_id", "not_found", f"令牌{token_id}不存在", f"no token {token_id}")
    owner = session.get(User, token.user_id)
    by.require_covers(owner.region_code if owner else None, "user")
    token.revoked_at = now()
    forget_all(session)
    audit.record(session, by, "revoke", "api_token", token.id, owner.region_code if owner else None)
    return token


def principal_from_token(session: Session, raw: str, ip: str | None) -> Principal | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(raw)))
    if token is None or token.revoked_at is not None:
        return None
    expires = aware(token.expires_at)
    if expires is not None and expires <= now():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return staff(
        user.id,
        f"{user.username}/{token.name}",
        user.role,
        user.region_code,
        scopes=frozenset(token.scopes.split()),
        token_id=token.id,
        ip=ip,
    )
