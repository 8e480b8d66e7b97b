"""Personal data at rest: AES-256-GCM encryption and a keyed hash (HMAC) for exact look-up.

An encrypted value is ``<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``; the key id says which
key decrypts it, so keys rotate without downtime (``minsheng keys rotate`` re-encrypts rows
under the current key). Look-ups never decrypt: ``lookup_hash(value)`` is an HMAC-SHA256 that
only the platform can compute, stored in an indexed column beside the ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import cache, lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from minsheng.config import Keys, Settings

_configured: list[Keys] = []
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


@cache
def _from_env() -> Keys:
    found = Settings.from_env().keys
    assert found is not None
    return found


def configure(new: Keys) -> None:
    """Use these keys from now on (the app factory, tests, the key-rotation command)."""
    _configured[:] = [new]


def keys() -> Keys:
    return _configured[0] if _configured else _from_env()


def current_key_id() -> str:
    return keys().data_keys[0][0]


@lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per key (made once: a roll decrypts a million values)."""
    return AESGCM(key)


def encrypt(plain: str, associated: bytes = b"minsheng") -> str:
    kid, key = keys().data_keys[0]
    nonce = os.urandom(12)
    sealed = _aead(key).encrypt(nonce, plain.encode("utf-8"), associated)
    return f"{kid}${base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, associated: bytes = b"minsheng") -> str:
    kid, sep, body = token.partition("$")
    if not sep:
        raise ValueError("not an encrypted value")
    key = dict(keys().data_keys).get(kid)
    if key is None:
        raise ValueError(f"no key with id {kid!r} to decrypt with")
    raw = binascii.a2b_base64(body.encode("ascii").translate(_FROM_URLSAFE))  # urlsafe_b64decode
    return _aead(key).decrypt(raw[:12], raw[12:], associated).decode("utf-8")


def decrypt_many(tokens: list[str], associated: bytes = b"minsheng") -> list[str]:
    """:func:`decrypt` of each token, in order — for a bulk read of hundreds of thousands (a
    payment run's bank file): the key ring is looked up once, not once a value."""
    ring = {kid: _aead(key) for kid, key in keys().data_keys}
    a2b, urlsafe = binascii.a2b_base64, _FROM_URLSAFE
    out: list[str] = []
    for token in tokens:
        kid, sep, body = token.partition("$")
        aead = ring.get(kid) if sep else None
        if aead is None:  # not a token, or no key of its id: decrypt's own error
            out.append(decrypt(token, associated))
            continue
        raw = a2b(body.encode("ascii").translate(urlsafe))
        out.append(aead.decrypt(raw[:12], raw[12:], associated).decode("utf-8"))
    return out


def key_id_of(token: str) -> str:
    return token.partition("$")[0]


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value (upper-case, no spaces), hex."""
    norm = value.strip().upper().replace(" ", "")
    return hmac.new(keys().hmac_key, norm.encode("utf-8"), hashlib.sha256).hexdigest()


class Encrypted(TypeDecorator[str]):
    """A text column stored encrypted; Python code sees the plain value."""

    impl = String(256)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)
