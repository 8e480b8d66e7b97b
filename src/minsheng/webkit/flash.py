"""A one-time success message after a form is posted (post–redirect–get).

A handler that changed something answers ``redirect(url, key)``: a 303 to a page that can be
reloaded safely, and a short signed cookie naming the message. ``render`` reads the cookie on
the next page, shows the message once and clears it. The cookie carries only a key of
:data:`MESSAGES` and an HMAC of it (``purpose_key("flash")``): no text from the request ever
reaches a page through it, and a forged or unknown key shows nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from minsheng.foundation import crypto

COOKIE = "ms_flash"
MAX_AGE = 120  # seconds: the redirect is followed at once; a stale message is not worth keeping


def N_(message: str) -> str:
    return message


# key → English msgid (translated where it is shown). A programme may add its own with register().
MESSAGES: dict[str, str] = {
    "saved": N_("Saved."),
    "signed_in": N_("You are signed in."),
    "signed_out": N_("You are signed out."),
    "income_recorded": N_("The income is recorded."),
    "assets_saved": N_("The assets are saved."),
    "expense_recorded": N_("The expense is recorded."),
    "case_opened": N_("The application is recorded."),
    "case_moved": N_("The case has moved on."),
    "warning_saved": N_("The warning is updated."),
    "settled": N_("The bill is settled."),
}


def register(key: str, msgid: str) -> None:
    """Add a message (a programme's own success line)."""
    if key in MESSAGES and MESSAGES[key] != msgid:
        raise ValueError(f"flash message {key!r} is already registered")
    MESSAGES[key] = msgid


def _mac(key: str) -> str:
    digest = hmac.new(crypto.keys().purpose_key("flash"), key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def sign(key: str) -> str:
    if key not in MESSAGES:
        raise KeyError(f"unknown flash message {key!r}")
    return f"{key}.{_mac(key)}"


def read(value: str | None) -> str | None:
    """The message key a cookie value names, if it is signed and known."""
    if not value or "." not in value or len(value) > 80:
        return None
    key, _, mac = value.rpartition(".")
    if key not in MESSAGES or not hmac.compare_digest(mac, _mac(key)):
        return None
    return key


def redirect(url: str, key: str, request: Request | None = None) -> RedirectResponse:
    """303 to ``url`` with the message ``key`` to show there once (the cookie is ``Secure``
    when the app's settings say so, as the session's is)."""
    response = RedirectResponse(url, status_code=303)
    remember(response, key, _secure(request))
    return response


def _secure(request: Request | None) -> bool:
    settings = getattr(request.app.state, "settings", None) if request is not None else None
    return bool(getattr(settings, "secure_cookies", False))


def remember(response: Response, key: str, secure: bool = False) -> None:
    response.set_cookie(
        COOKIE, sign(key), max_age=MAX_AGE, httponly=True, samesite="lax", secure=secure, path="/"
    )


def take(request: Request) -> str | None:
    """The message key waiting for this request (the caller clears the cookie)."""
    return read(request.cookies.get(COOKIE))
