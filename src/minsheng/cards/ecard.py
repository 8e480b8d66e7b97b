"""The electronic social-security card (电子社保卡): a short-lived signed code.

The citizen's phone shows a QR code of ``MSEC1.<card id>.<expiry>.<nonce>.<mac>``; the
cashier's window scans it (a scanner types it into the identity field) and :func:`verify`
answers which person it identifies. The code

- names the card, never the ID number (a photo of the screen gives nothing away);
- is signed with the server's ``ecard`` key (HMAC-SHA-256), so it cannot be forged or edited;
- lives :data:`LIFETIME_SECONDS` (two minutes: long enough to walk to the window, short enough
  that a photographed code is stale);
- identifies once: the nonce is stored when scanned; a second scan by another window is
  refused (the same window may present it again while it lives: a retried request, a
  pre-settlement then its confirmation);
- works only while the card is active (a card reported lost stops its codes at once).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

import segno
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minsheng.cards.models import ECardUse, SocialCard
from minsheng.core.errors import invalid
from minsheng.foundation import crypto

PREFIX = "MSEC1"
LIFETIME_SECONDS = 120  # engineering bound, documented in docs/security.md
MAX_CARD_ID = 2**31 - 1
CODE = re.compile(
    r"MSEC1\.(\d{1,10})\.(\d{10})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})", re.ASCII
)


def _mac(message: str) -> str:
    key = crypto.keys().purpose_key("ecard")
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def mint(card_id: int, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A new code for ``card_id`` and when it expires."""
    expires = now + dt.timedelta(seconds=LIFETIME_SECONDS)
    body = f"{PREFIX}.{card_id}.{int(expires.timestamp()):010d}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_mac(body)}", expires


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (error correction M), for the citizen's phone."""
    return str(segno.make(code, error="m", micro=False).svg_inline(scale=6, border=4))


def refused() -> Exception:
    return invalid(
        "ecard",
        "ecard_invalid",
        "电子社保卡码无效、已过期或已使用，请在手机上刷新后重新出示",
        "the electronic card code is invalid, expired or already used; refresh it on the phone",
        bo="གློག་རྡུལ་བྱང་བུའི་ཨང་གྲངས་ནོར་འདུག ཁ་པར་ནང་གསར་བརྗེ་བྱས་ནས་ཡང་བསྐྱར་སྟོན།",
    )


def verify(session: Session, code: str, by_actor: str, now: dt.datetime) -> SocialCard:
    """The active card a scanned code identifies, marking the code used (in the caller's
    transaction: a rolled-back settlement leaves the code unused). Every failure answers the
    same, so a probe learns nothing about which part was wrong."""
    m = CODE.fullmatch(code.strip()) if isinstance(code, str) and len(code) <= 120 else None
    if m is None:
        raise refused()
    card_id, expires, nonce, mac = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    body = code.strip().rsplit(".", 1)[0]
    if not hmac.compare_digest(mac, _mac(body)) or card_id > MAX_CARD_ID:
        raise refused()
    expires_at = dt.datetime.fromtimestamp(expires, dt.UTC)
    if expires_at <= now or expires_at > now + dt.timedelta(seconds=LIFETIME_SECONDS + 5):
        raise refused()
    card = session.scalar(select(SocialCard).where(SocialCard.id == card_id))
    if card is None or card.state != "active":
        raise refused()
    used_by = session.scalar(select(ECardUse.used_by).where(ECardUse.nonce == nonce))
    if used_by is not None:
        if used_by == by_actor:  # the same window again (a retried or confirmed request)
            return card
        raise refused()
    try:
        with session.begin_nested():
            session.add(
                ECardUse(nonce=nonce, card_id=card_id, expires_at=expires_at, used_by=by_actor)
            )
    except IntegrityError:  # scanned twice at the same moment: one wins
        raise refused() from None
    return card
