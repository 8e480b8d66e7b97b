"""Settings from the environment (12-factor): one place that reads ``MINSHENG_*``.

Keys for personal data:

- ``MINSHENG_DATA_KEYS`` — AES-256-GCM keys as ``id:base64,id:base64``; the first encrypts,
  all decrypt (so a key can be rotated without downtime, see docs/security.md);
- ``MINSHENG_HMAC_KEY`` — the key of the keyed hash used to look up ID and phone numbers.

When neither is set and ``MINSHENG_ENV`` is not ``production``, a development key file is made
at ``$MINSHENG_DATA_DIR/keys.json`` (mode 0600) on first use. In production, missing keys stop
the program.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment is incomplete or malformed."""


@dataclass(frozen=True)
class Keys:
    data_keys: tuple[tuple[str, bytes], ...]  # (key id, 32-byte key); the first is current
    hmac_key: bytes


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    environment: str = "development"
    secure_cookies: bool = False
    otp_sender: str = "console"
    session_hours: int = 8
    keys: Keys | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("MINSHENG_DATA_DIR", "var")).resolve()
        url = os.environ.get("MINSHENG_DATABASE_URL") or f"sqlite:///{data_dir / 'minsheng.db'}"
        env = os.environ.get("MINSHENG_ENV", "development")
        return cls(
            database_url=normalise_url(url),
            data_dir=data_dir,
            environment=env,
            secure_cookies=os.environ.get("MINSHENG_SECURE_COOKIES", "0") == "1"
            or env == "production",
            otp_sender=os.environ.get("MINSHENG_OTP_SENDER", "console"),
            session_hours=int(os.environ.get("MINSHENG_SESSION_HOURS", "8")),
            keys=load_keys(data_dir, env),
        )


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _b64(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise ConfigError(f"{what} is not base64") from exc
    if len(raw) != 32:
        raise ConfigError(f"{what} must be 32 bytes, got {len(raw)}")
    return raw


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def parse_data_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for part in text.split(","):
        kid, sep, value = part.strip().partition(":")
        if not sep or not kid or not value:
            raise ConfigError("MINSHENG_DATA_KEYS is 'id:base64[,id:base64…]'")
        keys.append((kid, _b64(value, f"data key {kid}")))
    if len({k for k, _ in keys}) != len(keys):
        raise ConfigError("MINSHENG_DATA_KEYS has a key id twice")
    return tuple(keys)


def load_keys(data_dir: Path, environment: str = "development") -> Keys:
    data = os.environ.get("MINSHENG_DATA_KEYS")
    mac = os.environ.get("MINSHENG_HMAC_KEY")
    if data and mac:
        return Keys(parse_data_keys(data), _b64(mac, "MINSHENG_HMAC_KEY"))
    if data or mac:
        raise ConfigError("set both MINSHENG_DATA_KEYS and MINSHENG_HMAC_KEY, or neither")
    if environment == "production":
        raise ConfigError("production needs MINSHENG_DATA_KEYS and MINSHENG_HMAC_KEY")
    path = data_dir / "keys.json"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        content = {"data_keys": f"dev1:{new_key()}", "hmac_key": new_key()}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(content, fh)
    stored = json.loads(path.read_text())
    return Keys(parse_data_keys(stored["data_keys"]), _b64(stored["hmac_key"], "hmac_key"))
